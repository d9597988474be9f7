/**
 * Every request id takes effect exactly once: one verdict per (user, request id) — repeated
 * verdicts must agree — and an accepted deposit or withdrawal moves the user's balance exactly
 * once (one balance event with that cause and ref), a rejected one never. Checked per step on
 * the new verdicts and balance events; completeness (accepted ⇒ exactly one effect) at quiescence.
 */
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

export function requestIdsInvariant(): Invariant {
  /** `${user}:${request_id}` → the first verdict seen. */
  const verdicts = new Map<string, { status: string; order_id: string | null; kind: string }>();
  /** `${user}:${request_id}` → distinct seqs of user-side transfer effects. */
  const effects = new Map<string, Set<string>>();
  return {
    name: "request-ids",
    step(a: Audit) {
      for (const { msg: r } of a.feed.results) {
        const key = `${r.user_id}:${r.request_id}`;
        const prev = verdicts.get(key);
        if (prev === undefined) {
          verdicts.set(key, { status: r.status, order_id: r.order_id, kind: r.kind });
        } else if (prev.status !== r.status || prev.order_id !== r.order_id) {
          a.report("request-ids", `request ${key} got two different verdicts`, {
            first: `${prev.status} ${prev.order_id ?? ""}`,
            second: `${r.status} ${r.order_id ?? ""}`,
          });
        }
        if (r.status === "rejected" && effects.has(key))
          a.report("request-ids", `request ${key} was rejected but moved the balance`, { request: key });
      }
      for (const { msg: e } of a.feed.balanceEvents) {
        if (e.user_id <= 0 || (e.cause !== "deposit" && e.cause !== "withdraw")) continue;
        const key = `${e.user_id}:${e.ref}`;
        let seqs = effects.get(key);
        if (seqs === undefined) effects.set(key, (seqs = new Set()));
        seqs.add(`${e.asset_id}:${e.seq}`);
        if (seqs.size > 1)
          a.report("request-ids", `request ${key} moved user ${e.user_id}'s balance ${seqs.size} times`, {
            request: key,
            events: [...seqs].join(","),
          });
        if (verdicts.get(key)?.status === "rejected")
          a.report("request-ids", `request ${key} was rejected but moved the balance`, { request: key });
      }
    },
    quiescent(a: Audit) {
      for (const [key, v] of verdicts) {
        if (v.status !== "accepted" || (v.kind !== "deposit" && v.kind !== "withdraw")) continue;
        const n = effects.get(key)?.size ?? 0;
        if (n !== 1)
          a.report("request-ids", `accepted ${v.kind} ${key} took effect ${n} times`, {
            request: key,
            effects: n,
          });
      }
    },
  };
}
