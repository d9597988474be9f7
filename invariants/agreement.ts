/**
 * At quiescence four accounts of every balance agree: the latest ledger row (read with the full
 * partition key, as the gateway must), UBSCore's state, the gateway's answer, and the reference
 * model. Each pair that differs is reported with all four values.
 */

import { parseDecimal } from "../engine/domain/amount.ts";
import { ASSETS } from "../engine/domain/assets.ts";
import { TABLES } from "../engine/schema/cql.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

function show(b: { avail: bigint; frozen: bigint } | null): string {
  return b === null ? "(none)" : `${b.avail}/${b.frozen}`;
}

export const agreement: Invariant = {
  name: "agreement",
  async quiescent(a: Audit) {
    const w = a.world;
    const u = w.live.ubscore;
    if (u === null || !w.allUp()) return;
    const ks = w.config.keyspace;
    const accounts = new Set<number>([0, -1, ...w.credentials.keys()]);
    for (const user of [...accounts].sort((x, y) => x - y)) {
      let gateway: Map<number, { avail: bigint; frozen: bigint }> | null = null;
      if (user > 0) {
        const ans = await w.ask(user, { method: "GET", path: "/api/user/balance", query: { user_id: user } });
        if (ans.kind !== "answer" || ans.envelope.status !== 0) {
          a.report("agreement", `gateway did not answer user ${user}'s balance at quiescence`, {
            answer: ans.kind === "answer" ? `${ans.envelope.status} ${ans.envelope.msg}` : ans.reason,
          });
        } else {
          gateway = new Map();
          for (const row of ans.envelope.data as Array<{ asset: string; avail: string; frozen: string }>) {
            const asset = ASSETS.find((x) => x.code === row.asset);
            if (!asset) continue;
            gateway.set(asset.id, {
              avail: parseDecimal(row.avail, asset.decimals, asset.decimals, {
                allowZero: true,
                allowNegative: true,
              }),
              frozen: parseDecimal(row.frozen, asset.decimals, asset.decimals, {
                allowZero: true,
                allowNegative: true,
              }),
            });
          }
          for (const asset of ASSETS)
            if (!gateway.has(asset.id))
              a.report("agreement", `gateway's balance answer for user ${user} lacks ${asset.code}`);
        }
      }
      for (const asset of ASSETS) {
        const h = u.state.peek(user, asset.id);
        const ubs = { avail: h.avail, frozen: h.frozen };
        const row = w.scylla
          .query(
            `SELECT avail, frozen FROM ${ks}.${TABLES.ledger} WHERE user_id = ? AND asset_id = ? LIMIT 1`,
            [BigInt(user), asset.id],
          )
          .first();
        const ledger = row
          ? { avail: row.avail as bigint, frozen: row.frozen as bigint }
          : { avail: 0n, frozen: 0n };
        const model = a.model.balance(user, asset.id);
        const gw = gateway?.get(asset.id) ?? null;
        const same = (x: { avail: bigint; frozen: bigint }) =>
          x.avail === ubs.avail && x.frozen === ubs.frozen;
        if (!same(ledger) || !same(model) || (gw !== null && !same(gw))) {
          a.report(
            "agreement",
            `user ${user} ${asset.code}: ledger ${show(ledger)}, UBSCore ${show(ubs)}, gateway ${show(gw)}, model ${show(model)} (avail/frozen)`,
            {
              user,
              asset: asset.code,
              ledger: show(ledger),
              ubscore: show(ubs),
              gateway: show(gw),
              model: show(model),
            },
          );
        }
      }
    }
  },
};
