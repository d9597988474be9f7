/**
 * The ledger chain. Per (user, asset) partition of `balance_ledger`: seq runs 1..n with no gap,
 * each row's avail/frozen equal the previous row's plus its deltas, and the top seq is UBSCore's.
 * Per step (O(new events)): a (user, asset, seq) published twice must carry the same change — a
 * reused seq is the "ledger rows overwrite each other" bug at its source. At quiescence the
 * stored rows are verified incrementally: only rows above the last verified seq are read.
 */
import { TABLES } from "../engine/schema/cql.ts";
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface Verified {
  seq: bigint;
  avail: bigint;
  frozen: bigint;
}

export function ledgerChainInvariant(): Invariant {
  const published = new Map<string, number>();
  const verified = new Map<string, Verified>();
  return {
    name: "ledger-chain",
    step(a: Audit) {
      for (const { msg: e, partition, offset } of a.feed.balanceEvents) {
        const key = `${e.user_id}:${e.asset_id}:${e.seq}`;
        const h = fnv(`${e.delta_avail}|${e.delta_frozen}|${e.avail}|${e.frozen}|${e.cause}|${e.ref}`);
        const prev = published.get(key);
        if (prev === undefined) published.set(key, h);
        else if (prev !== h)
          a.report(
            "ledger-chain",
            `balance event (user ${e.user_id}, asset ${e.asset_id}, seq ${e.seq}) published twice with different contents`,
            {
              at: `balance.events/${partition}@${offset}`,
              event: `${e.cause} ${e.ref} Δ${e.delta_avail}/${e.delta_frozen} → ${e.avail}/${e.frozen}`,
            },
          );
      }
    },
    quiescent(a: Audit) {
      const u = a.world.live.ubscore;
      if (u === null) return;
      const ks = a.world.config.keyspace;
      for (const [user, assets] of u.state.balances) {
        for (const [asset, holding] of assets) {
          const key = `${user}:${asset}`;
          const from = verified.get(key) ?? { seq: 0n, avail: 0n, frozen: 0n };
          if (holding.seq === from.seq) continue;
          const rows = a.world.scylla.query(
            `SELECT seq, delta_avail, delta_frozen, avail, frozen FROM ${ks}.${TABLES.ledger} WHERE user_id = ? AND asset_id = ? AND seq > ? ORDER BY seq ASC`,
            [BigInt(user), asset, from.seq],
          ).rows;
          let prev = from;
          for (const r of rows) {
            const seq = r.seq as bigint;
            const avail = r.avail as bigint;
            const frozen = r.frozen as bigint;
            if (seq !== prev.seq + 1n) {
              a.report(
                "ledger-chain",
                `ledger (user ${user}, asset ${asset}): seq ${seq} follows ${prev.seq}`,
                { user, asset, previous: prev.seq, seq },
              );
              break;
            }
            if (
              avail !== prev.avail + (r.delta_avail as bigint) ||
              frozen !== prev.frozen + (r.delta_frozen as bigint)
            ) {
              a.report(
                "ledger-chain",
                `ledger (user ${user}, asset ${asset}) seq ${seq}: ${avail}/${frozen} is not the previous ${prev.avail}/${prev.frozen} plus its deltas ${r.delta_avail}/${r.delta_frozen}`,
                {
                  user,
                  asset,
                  seq,
                },
              );
              break;
            }
            prev = { seq, avail, frozen };
          }
          if (prev.seq !== holding.seq) {
            a.report(
              "ledger-chain",
              `ledger (user ${user}, asset ${asset}) ends at seq ${prev.seq}, UBSCore is at seq ${holding.seq}`,
              {
                user,
                asset,
                ledgerSeq: prev.seq,
                ubscoreSeq: holding.seq,
              },
            );
          }
          verified.set(key, prev);
        }
      }
    },
  };
}
