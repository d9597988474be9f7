/**
 * Frozen = held: each account's frozen equals what its open orders hold (pending withdrawals
 * do not exist in this exchange: a withdrawal is decided at once). After a step, checked for the
 * accounts that step changed; at quiescence for every account, and against the reference model's
 * view of open orders.
 */
import type { Ubscore } from "../engine/ubscore/service.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

function heldBy(u: Ubscore, user: number, asset: number): bigint {
  let held = 0n;
  for (const o of u.state.orders.values()) if (o.user_id === user && o.asset_id === asset) held += o.held;
  return held;
}

export const frozenHolds: Invariant = {
  name: "frozen-holds",
  step(a: Audit) {
    const u = a.world.live.ubscore;
    if (u === null || u.phase !== "running" || a.feed.balanceEvents.length === 0) return;
    const seen = new Set<string>();
    for (const { msg: e } of a.feed.balanceEvents) {
      if (e.user_id <= 0) continue;
      const key = `${e.user_id}:${e.asset_id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const frozen = u.state.peek(e.user_id, e.asset_id).frozen;
      const held = heldBy(u, e.user_id, e.asset_id);
      if (frozen !== held)
        a.report(
          "frozen-holds",
          `user ${e.user_id} asset ${e.asset_id}: frozen ${frozen} but open orders hold ${held}`,
          {
            user: e.user_id,
            asset: e.asset_id,
            frozen,
            held,
          },
        );
    }
  },
  quiescent(a: Audit) {
    const u = a.world.live.ubscore;
    if (u === null) return;
    const held = u.state.heldByOrders();
    for (const [user, assets] of u.state.balances) {
      if (user <= 0) continue;
      for (const [asset, h] of assets) {
        const hold = held.get(`${user}:${asset}`) ?? 0n;
        if (h.frozen !== hold)
          a.report(
            "frozen-holds",
            `user ${user} asset ${asset}: frozen ${h.frozen} but open orders hold ${hold}`,
            {
              user,
              asset,
              frozen: h.frozen,
              held: hold,
            },
          );
      }
    }
    const engineOpen = new Set(u.state.orders.keys());
    const modelOpen = new Set(a.model.openOrders().map((o) => o.order_id));
    for (const id of modelOpen)
      if (!engineOpen.has(id))
        a.report("frozen-holds", `order ${id} is open in the reference model but not in UBSCore`, {
          order: id,
        });
    for (const id of engineOpen)
      if (!modelOpen.has(id))
        a.report("frozen-holds", `order ${id} is open in UBSCore but not in the reference model`, {
          order: id,
        });
  },
};
