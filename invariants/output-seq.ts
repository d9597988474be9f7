/**
 * `output_seq` strictly increases per symbol in `engine.outputs`, by one: a new message carries
 * the next seq. A repeated seq is allowed only as a duplicate with the same events (a producer
 * retry); a reused seq with different events, a step back or a gap is the "sequence restarts
 * after a crash" / "events dropped" bug.
 */
import type { Audit } from "./auditor.ts";
import type { Invariant } from "./types.ts";

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function outputSeqInvariant(): Invariant {
  const top = new Map<number, bigint>();
  /** Per symbol: seq → hash of its events, to recognise duplicates. */
  const seen = new Map<number, Map<bigint, number>>();
  return {
    name: "output-seq",
    step(a: Audit) {
      for (const { msg: o, partition, offset } of a.feed.outputs) {
        const seq = BigInt(o.output_seq);
        const hash = fnv(JSON.stringify(o.events));
        const at = `engine.outputs/${partition}@${offset}`;
        let bySeq = seen.get(o.symbol_id);
        if (bySeq === undefined) seen.set(o.symbol_id, (bySeq = new Map()));
        const earlier = bySeq.get(seq);
        if (earlier !== undefined) {
          if (earlier !== hash)
            a.report("output-seq", `symbol ${o.symbol_id}: output_seq ${seq} reused for different events`, {
              seq,
              at,
            });
          continue;
        }
        const prev = top.get(o.symbol_id) ?? 0n;
        if (seq !== prev + 1n)
          a.report(
            "output-seq",
            `symbol ${o.symbol_id}: output_seq ${seq} follows ${prev} (expected ${prev + 1n})`,
            {
              previous: prev,
              seq,
              at,
            },
          );
        bySeq.set(seq, hash);
        if (seq > prev) top.set(o.symbol_id, seq);
      }
    },
  };
}
