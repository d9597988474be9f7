/**
 * The matching engine's recovery snapshot: per symbol the book (the matching core's canonical
 * `BookSnapshot`: next trade id, every order id ever placed, the resting orders in price-time
 * order), the last `output_seq`, the cancel ids seen and the open orders' original quantities;
 * per `validated_orders` partition the last offset applied; and per `engine.outputs` partition
 * the high watermark when the snapshot was taken (recovery scans the outputs from there for what
 * was answered after it). Bigints and ids are strings. engine/README.md ("Snapshots").
 */
import { SYMBOLS, symbolById } from "../domain/symbols.ts";
import { bookConfigOf, Matcher } from "../matching/matcher.ts";
import type { BookSnapshot, LevelSnapshot, OrderId } from "../matching/types.ts";
import { MatchingState, SymbolBook } from "./service.ts";

export interface MeSnapshot {
  state: MatchingState;
  /** engine.outputs partition → its high watermark when the snapshot was taken. */
  outputsFrom: Map<number, bigint>;
}

/** [price, [[order id, user, qty, remaining], ...]] */
type LevelJson = [string, Array<[string, number, string, string]>];

interface BookJson {
  symbol_id: number;
  lastOutputSeq: string;
  nextTradeId: string;
  seenOrders: string[];
  bids: LevelJson[];
  asks: LevelJson[];
  seenCancels: string[];
  openQty: Array<[string, string]>;
}

interface MeSnapshotJson {
  v: 1;
  processed: Array<[number, string]>;
  outputsFrom: Array<[number, string]>;
  books: BookJson[];
}

/** Order ids of the core may be bigints or strings: tagged so that both come back as they were. */
const idOut = (id: OrderId): string => (typeof id === "bigint" ? `n${id}` : `s${id}`);
function idIn(s: string): OrderId {
  if (s.startsWith("n")) return BigInt(s.slice(1));
  if (s.startsWith("s")) return s.slice(1);
  throw new Error(`me snapshot: bad order id ${JSON.stringify(s)}`);
}

const levelsOut = (levels: LevelSnapshot[]): LevelJson[] =>
  levels.map((l) => [
    l.price.toString(),
    l.orders.map((o) => [idOut(o.order_id), o.user_id, o.qty.toString(), o.remaining.toString()]),
  ]);

const levelsIn = (levels: LevelJson[]): LevelSnapshot[] =>
  levels.map(([price, orders]) => ({
    price: BigInt(price),
    orders: orders.map(([id, user, qty, remaining]) => ({
      order_id: idIn(id),
      user_id: user,
      qty: BigInt(qty),
      remaining: BigInt(remaining),
    })),
  }));

export function encodeMeSnapshot(s: MeSnapshot): string {
  const books: BookJson[] = [];
  for (const b of s.state.books.values()) {
    const snap = b.matcher.snapshot();
    books.push({
      symbol_id: b.symbol.id,
      lastOutputSeq: b.lastOutputSeq.toString(),
      nextTradeId: snap.next_trade_id.toString(),
      seenOrders: [...b.seenOrders],
      bids: levelsOut(snap.bids),
      asks: levelsOut(snap.asks),
      seenCancels: [...b.seenCancels],
      openQty: [...b.openQty].map(([k, v]) => [k, v.toString()]),
    });
  }
  const json: MeSnapshotJson = {
    v: 1,
    processed: [...s.state.processed].map(([p, o]) => [p, o.toString()]),
    outputsFrom: [...s.outputsFrom].map(([p, o]) => [p, o.toString()]),
    books,
  };
  return JSON.stringify(json);
}

/** Decodes a snapshot; throws on anything malformed or inconsistent (the reader then tries an older one). */
export function decodeMeSnapshot(text: string): MeSnapshot {
  const j = JSON.parse(text) as MeSnapshotJson;
  if (j === null || typeof j !== "object" || j.v !== 1) throw new Error("me snapshot: bad version");
  const state = new MatchingState();
  for (const [p, o] of j.processed) state.processed.set(p, BigInt(o));
  for (const b of j.books) {
    const symbol = symbolById(b.symbol_id);
    // The service applies a place to the core exactly when its order id is new to the book, so
    // the core's "every order id ever placed" is the service's seenOrders.
    const seen = b.seenOrders.map((id) => {
      if (typeof id !== "string") throw new Error("me snapshot: bad seen order id");
      return id;
    });
    const core: BookSnapshot = {
      version: 1,
      next_trade_id: BigInt(b.nextTradeId),
      seen_order_ids: seen,
      bids: levelsIn(b.bids),
      asks: levelsIn(b.asks),
    };
    const book = new SymbolBook(symbol, Matcher.fromSnapshot(bookConfigOf(symbol), core));
    book.lastOutputSeq = BigInt(b.lastOutputSeq);
    for (const id of seen) book.seenOrders.add(id);
    for (const id of b.seenCancels) book.seenCancels.add(id);
    for (const [id, q] of b.openQty) book.openQty.set(id, BigInt(q));
    state.books.set(symbol.id, book);
  }
  if (j.books.length !== SYMBOLS.length) throw new Error("me snapshot: not every symbol");
  const outputsFrom = new Map<number, bigint>();
  for (const [p, o] of j.outputsFrom) outputsFrom.set(p, BigInt(o));
  return { state, outputsFrom };
}
