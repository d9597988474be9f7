/**
 * Frozen = held: each account's frozen equals what its open orders hold (pending withdrawals
 * do not exist in this exchange: a withdrawal is decided at once). After a step, checked for the
 * accounts that step changed; at quiescence for every account, and against the reference model's
 * view of open orders.
 */
import type { Ubscore } from "../engine/ubscore/service.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

/** Σ held by open orders of the given accounts (user → asset → 0n), in one pass over the open orders. */
function addHeld(u: Ubscore, held: Map<number, Map<number, bigint>>): void {
  for (const o of u.state.orders.values()) {
    const assets = held.get(o.user_id);
    const h = assets?.get(o.asset_id);
    if (h !== undefined) assets!.set(o.asset_id, h + o.held);
  }
}

export const frozenHolds: Invariant = {
  name: "frozen-holds",
  step(a: Audit) {
    const u = a.world.live.ubscore;
    if (u === null || u.phase !== "running" || a.feed.balanceEvents.length === 0) return;
    const held = new Map<number, Map<number, bigint>>();
    for (const { msg: e } of a.feed.balanceEvents) {
      if (e.user_id <= 0) continue;
      let assets = held.get(e.user_id);
      if (assets === undefined) held.set(e.user_id, (assets = new Map()));
      assets.set(e.asset_id, 0n);
    }
    if (held.size === 0) return;
    addHeld(u, held);
    for (const [user, assets] of held) {
      for (const [asset, h] of assets) {
        const frozen = u.state.peek(user, asset).frozen;
        if (frozen !== h)
          a.report(
            "frozen-holds",
            `user ${user} asset ${asset}: frozen ${frozen} but open orders hold ${h}`,
            {
              user,
              asset,
              frozen,
              held: h,
            },
          );
      }
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
