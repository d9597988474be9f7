/**
 * After the final drain (every open order cancelled, the pipeline quiet): every order reached
 * exactly one terminal state (Filled, Cancelled, Rejected) in UBSCore, in the reference model and
 * in the orders table Settlement keeps, and nothing is left frozen anywhere.
 */
import { ASSETS } from "../engine/domain/assets.ts";
import { TABLES } from "../engine/schema/cql.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

const TERMINAL = new Set(["Filled", "Cancelled", "Rejected"]);

export const ordersTerminal: Invariant = {
  name: "orders-terminal",
  final(a: Audit) {
    const w = a.world;
    const u = w.live.ubscore;
    if (u === null) return;
    for (const o of u.state.orders.values())
      a.report(
        "orders-terminal",
        `order ${o.order_id} (user ${o.user_id}) is still open in UBSCore after the drain`,
        {
          order: o.order_id,
          held: o.held,
        },
      );
    for (const o of a.model.openOrders())
      a.report("orders-terminal", `order ${o.order_id} never reached a terminal state (reference model)`, {
        order: o.order_id,
      });
    for (const [user, assets] of u.state.balances) {
      if (user <= 0) continue;
      for (const [asset, h] of assets)
        if (h.frozen !== 0n)
          a.report(
            "orders-terminal",
            `user ${user} asset ${asset} still has ${h.frozen} frozen after every order ended`,
            {
              user,
              asset: ASSETS.find((x) => x.id === asset)?.code ?? asset,
              frozen: h.frozen,
            },
          );
    }
    const ks = w.config.keyspace;
    for (const row of w.scylla.rows(ks, TABLES.orders)) {
      if (!TERMINAL.has(String(row.status)))
        a.report(
          "orders-terminal",
          `orders table: order ${row.order_id} of user ${row.user_id} ends in state ${row.status}`,
          {
            order: String(row.order_id),
            status: String(row.status),
          },
        );
    }
  },
};
