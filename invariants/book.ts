/**
 * The book is never crossed and trades happen at the maker's price, with no self-trade:
 * - every fill's price equals its maker order's limit price (orders known from validated_orders);
 * - buyer and seller of a fill are different users;
 * - a limit taker never trades through its own limit;
 * - the ME's books are never crossed (best bid < best ask) after a step that changed them.
 */
import type { ValidatedPlace } from "../engine/protocol/messages.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

export function bookInvariant(): Invariant {
  const orders = new Map<string, ValidatedPlace>();
  return {
    name: "book",
    step(a: Audit) {
      for (const { msg: v } of a.feed.validated)
        if (v.type === "place" && !orders.has(v.order_id)) orders.set(v.order_id, v);
      if (a.feed.outputs.length === 0) return;
      for (const { msg: o, partition, offset } of a.feed.outputs) {
        const at = `engine.outputs/${partition}@${offset}`;
        for (const e of o.events) {
          if (e.type !== "fill") continue;
          const maker = orders.get(e.maker_order_id);
          const taker = orders.get(e.taker_order_id);
          if (maker === undefined || taker === undefined) {
            a.report("book", `fill ${e.trade_id} names an order never validated`, {
              maker: e.maker_order_id,
              taker: e.taker_order_id,
              at,
            });
            continue;
          }
          if (maker.price === null || BigInt(maker.price) !== BigInt(e.price))
            a.report("book", `fill ${e.trade_id} at ${e.price}, not at the maker's price ${maker.price}`, {
              at,
            });
          if (e.maker_user_id === e.taker_user_id)
            a.report("book", `fill ${e.trade_id} is a self-trade of user ${e.maker_user_id}`, { at });
          if (taker.order_type === "Limit" && taker.price !== null) {
            const through =
              taker.side === "Buy"
                ? BigInt(e.price) > BigInt(taker.price)
                : BigInt(e.price) < BigInt(taker.price);
            if (through)
              a.report(
                "book",
                `fill ${e.trade_id} at ${e.price} trades through the taker's limit ${taker.price}`,
                { at },
              );
          }
        }
      }
      const me = a.world.live.matching;
      if (me === null || me.phase !== "running") return;
      for (const { msg: o } of a.feed.outputs) {
        const m = me.state.books.get(o.symbol_id)?.matcher;
        if (m === undefined) continue;
        const bid = m.bestBid();
        const ask = m.bestAsk();
        if (bid !== null && ask !== null && bid >= ask)
          a.report("book", `symbol ${o.symbol_id} is crossed: best bid ${bid} >= best ask ${ask}`, {
            bid,
            ask,
          });
      }
    },
  };
}
