/**
 * Every trade is settled exactly once: each distinct fill the ME published (by symbol and
 * trade id) appears in `settled_trades` once, with the fill's price, quantity and parties, and
 * no settled trade exists that the ME never published. Per step: one trade id never names two
 * different fills. At quiescence: the settled rows are checked against the fills seen since the
 * last check (incremental), and the row count against the number of distinct fills.
 */

import type { FillOut } from "../engine/protocol/messages.ts";
import { TABLES } from "../engine/schema/cql.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

export function tradesOnceInvariant(): Invariant {
  const fills = new Map<string, FillOut>();
  let unchecked: string[] = [];
  return {
    name: "trades-once",
    step(a: Audit) {
      for (const { msg: o } of a.feed.outputs) {
        for (const e of o.events) {
          if (e.type !== "fill") continue;
          const id = `${o.symbol_id}:${e.trade_id}`;
          const prev = fills.get(id);
          if (prev === undefined) {
            fills.set(id, e);
            unchecked.push(id);
          } else if (
            prev.price !== e.price ||
            prev.qty !== e.qty ||
            prev.maker_order_id !== e.maker_order_id ||
            prev.taker_order_id !== e.taker_order_id
          ) {
            a.report("trades-once", `trade id ${id} names two different fills`, {
              first: `${prev.qty}@${prev.price} ${prev.maker_order_id}/${prev.taker_order_id}`,
              second: `${e.qty}@${e.price} ${e.maker_order_id}/${e.taker_order_id}`,
            });
          }
        }
      }
    },
    quiescent(a: Audit) {
      if (!a.world.allUp()) return;
      const ks = a.world.config.keyspace;
      for (const id of unchecked) {
        const f = fills.get(id)!;
        const rows = a.world.scylla.query(
          `SELECT price, qty, maker_order_id, taker_order_id FROM ${ks}.${TABLES.trades} WHERE trade_id = ?`,
          [id],
        ).rows;
        if (rows.length !== 1) {
          a.report("trades-once", `trade ${id} was settled ${rows.length} times`, { trade: id });
          continue;
        }
        const r = rows[0];
        if (
          String(r.price) !== f.price ||
          String(r.qty) !== f.qty ||
          String(r.maker_order_id) !== f.maker_order_id ||
          String(r.taker_order_id) !== f.taker_order_id
        )
          a.report("trades-once", `settled trade ${id} differs from the fill`, {
            settled: `${r.qty}@${r.price} ${r.maker_order_id}/${r.taker_order_id}`,
            fill: `${f.qty}@${f.price} ${f.maker_order_id}/${f.taker_order_id}`,
          });
      }
      unchecked = [];
      const settled = a.world.settledTradeCount();
      if (settled !== fills.size)
        a.report("trades-once", `${settled} trades settled, the ME published ${fills.size}`, {
          settled,
          published: fills.size,
        });
    },
  };
}
