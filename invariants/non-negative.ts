/**
 * No negative avail or frozen, ever, for users and the fee account (the external account is the
 * outside world's mirror and goes negative by design). Checked on every balance event as it is
 * published (O(new events) per step), which covers every change UBSCore makes.
 */
import { EXTERNAL_ACCOUNT } from "../engine/protocol/messages.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

export const nonNegative: Invariant = {
  name: "non-negative",
  step(a: Audit) {
    for (const { msg: e, partition, offset } of a.feed.balanceEvents) {
      if (e.user_id === EXTERNAL_ACCOUNT) continue;
      if (BigInt(e.avail) < 0n || BigInt(e.frozen) < 0n) {
        a.report(
          "non-negative",
          `user ${e.user_id} asset ${e.asset_id} went negative (seq ${e.seq}, ${e.cause} ${e.ref})`,
          {
            user: e.user_id,
            asset: e.asset_id,
            avail: e.avail,
            frozen: e.frozen,
            at: `balance.events/${partition}@${offset}`,
          },
        );
      }
    }
  },
};
