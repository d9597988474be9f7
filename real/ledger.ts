/**
 * The end state that sim and real runs of one scenario must share: per (user, asset) the latest
 * `balance_ledger` row (seq, avail, frozen), and a hash of it. Real mode reports this hash as its
 * `traceHash` (it has no deterministic event trace); `ledgerHeads` works on rows of either store.
 */
import type { Row } from "../engine/ports/index.ts";

export interface LedgerHead {
  seq: bigint;
  avail: bigint;
  frozen: bigint;
}

function big(v: unknown): bigint {
  return typeof v === "bigint" ? v : BigInt(String(v ?? 0));
}

/** Latest row per `user:asset` of the given `balance_ledger` rows. */
export function ledgerHeads(rows: readonly Row[]): Map<string, LedgerHead> {
  const out = new Map<string, LedgerHead>();
  for (const r of rows) {
    const key = `${big(r.user_id)}:${Number(r.asset_id)}`;
    const seq = big(r.seq);
    const prev = out.get(key);
    if (prev === undefined || seq > prev.seq)
      out.set(key, { seq, avail: big(r.avail), frozen: big(r.frozen) });
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** 64-bit FNV-1a (two 32-bit lanes) of the heads, as 16 hex digits. */
export function ledgerHash(heads: ReadonlyMap<string, LedgerHead>): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  const text = [...heads].map(([k, h]) => `${k}=${h.seq}/${h.avail}/${h.frozen}`).join("\n");
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
