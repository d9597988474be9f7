/**
 * Conservation per asset: Σ over users, the fee account and the external account of
 * (avail + frozen) is 0, always. Checked on UBSCore's state after every step (it changes one
 * input at a time, synchronously, so every step boundary is a consistent point), and on the
 * reference model at quiescence.
 */
import { ASSETS } from "../engine/domain/assets.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

export const conservation: Invariant = {
  name: "conservation",
  step(a: Audit) {
    const u = a.world.live.ubscore;
    if (u === null || u.phase !== "running" || a.feed.balanceEvents.length === 0) return;
    for (const asset of ASSETS) {
      const t = u.state.total(asset.id);
      if (t !== 0n)
        a.report(
          "conservation",
          `UBSCore: Σ avail+frozen of ${asset.code} over all accounts is ${t}, not 0`,
          {
            asset: asset.code,
            total: t,
          },
        );
    }
  },
  quiescent(a: Audit) {
    for (const [asset, t] of a.model.totals()) {
      if (t !== 0n)
        a.report("conservation", `reference model: Σ of asset ${asset} is ${t}, not 0`, { asset, total: t });
    }
  },
};
