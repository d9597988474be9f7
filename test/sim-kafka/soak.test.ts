/**
 * A small pipeline under every Kafka fault at once (profile "all"), over many seeds:
 * producer -> "in" -> relay group (2 processes, eachBatch, 2 partitions at a time, re-publishes
 * with an idempotent producer) -> "out" -> sink group. Consumers crashed by the
 * consumer-crash-before-commit fault, and processes crashed at random moments, are restarted by
 * the world. (Seed 77 once caught two auto-commits of one consumer overtaking each other on the
 * wire; requests on one connection are now ordered, as on a real broker.) Checks at quiescence: nothing acknowledged is
 * lost, every group caught up (at-least-once end to end), the event queue is empty, and the same
 * seed replays to the same trace hash.
 */
import { describe, expect, it } from "vitest";
import { N, pipeline } from "./pipeline.ts";

describe("soak: the pipeline under profile 'all'", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 77]) {
    it(`seed ${seed}: nothing acknowledged is lost, every group catches up, the queue empties`, async () => {
      const p = pipeline(seed);
      const reason = await p.w.sched.run({ maxSteps: 2_000_000 });
      expect(reason).toBe("idle");
      expect(p.w.sched.pending).toBe(0);
      expect(p.w.failures).toEqual([]);
      expect(p.acked.size).toBe(N);
      const inValues = new Set<string>();
      for (let part = 0; part < 4; part++)
        for (const r of p.w.kafka.records("in", part)) inValues.add(r.value);
      for (const v of p.acked) expect(inValues.has(v)).toBe(true);
      expect(p.w.kafka.lag("relay", "in")).toEqual([0, 0, 0, 0]);
      expect(p.w.kafka.lag("sink", "out")).toEqual([0, 0, 0, 0]);
      for (const v of inValues) expect(p.sunk.has(v)).toBe(true);
      const c = p.w.kafka.counts();
      expect(c.records).toBeGreaterThanOrEqual(2 * N);
    });
  }

  it("the same seed replays to the same trace and the same logs; another seed differs", async () => {
    const fingerprint = async (seed: number) => {
      const p = pipeline(seed);
      await p.w.sched.run({ maxSteps: 2_000_000 });
      const logs: string[] = [];
      for (const t of ["in", "out"]) {
        for (let part = 0; part < 4; part++) {
          logs.push(
            p.w.kafka
              .records(t, part)
              .map((r) => `${r.offset}:${r.key}:${r.value}:${r.timestamp}`)
              .join(","),
          );
        }
      }
      return {
        hash: p.w.sched.trace.hash(),
        steps: p.w.sched.step,
        now: p.w.sched.now(),
        logs,
        counts: p.w.kafka.counts(),
        fired: p.w.faults.firedCounts(),
      };
    };
    const a = await fingerprint(42);
    const b = await fingerprint(42);
    const c = await fingerprint(43);
    expect(b).toEqual(a);
    expect(c.hash).not.toBe(a.hash);
    expect(Object.keys(a.fired).length).toBeGreaterThan(1);
  });
});
