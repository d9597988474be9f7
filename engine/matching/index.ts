/** The matching core: one Matcher per symbol. See matcher.ts for the rules. */

export { bookConfigOf, hashSnapshot, Matcher, snapshotText } from "./matcher.ts";
export { OrderBook } from "./order-book.ts";
export type * from "./types.ts";
