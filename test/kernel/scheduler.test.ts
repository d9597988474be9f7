import { describe, expect, it } from "vitest";
import { SimProcess } from "../../sim/kernel/process.ts";
import { RandomSource } from "../../sim/kernel/random.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { firstDivergence, Trace } from "../../sim/kernel/trace.ts";

/** A small world of processes exchanging pings with seeded delays: enough interleaving to matter. */
async function pingWorld(seed: number, opts: { shuffleTies?: boolean; extraDraw?: boolean } = {}) {
  const sched = new Scheduler({
    seed,
    trace: new Trace({ keepStepHashes: true }),
    shuffleTies: opts.shuffleTies,
  });
  const inbox: number[][] = [[], [], []];
  const procs = [0, 1, 2].map(
    (i) =>
      new SimProcess(sched, `p${i}`, async (self) => {
        const rng = sched.rng(`p${i}`);
        for (let k = 0; k < 20; k++) {
          if (opts.extraDraw && i === 0) sched.rng("p0/extra").float();
          await sched.sleep(rng.range(1, 50), self.guard());
          const to = rng.int(3);
          inbox[to].push(i * 100 + k);
          sched.note(`p${i} -> p${to} ${k}`);
        }
      }),
  );
  for (const p of procs) p.start();
  await sched.run();
  return {
    hash: sched.trace.hash(),
    steps: sched.step,
    stepHashes: sched.trace.stepHashes!,
    inbox,
    now: sched.now(),
  };
}

describe("scheduler", () => {
  it("gives the same trace hash for the same seed, and a different one for another seed", async () => {
    const a = await pingWorld(7);
    const b = await pingWorld(7);
    const c = await pingWorld(8);
    expect(a.hash).toBe(b.hash);
    expect(a.inbox).toEqual(b.inbox);
    expect(firstDivergence(a.stepHashes, b.stepHashes)).toBe(-1);
    expect(c.hash).not.toBe(a.hash);
    expect(firstDivergence(a.stepHashes, c.stepHashes)).toBeGreaterThanOrEqual(0);
  });

  it("is deterministic with seeded tie shuffling too", async () => {
    const a = await pingWorld(3, { shuffleTies: true });
    const b = await pingWorld(3, { shuffleTies: true });
    expect(a.hash).toBe(b.hash);
  });

  it("fires simultaneous events in insertion order, and later events later", async () => {
    const sched = new Scheduler({ seed: 1 });
    const order: string[] = [];
    sched.after(10, "b", () => order.push("b"));
    sched.after(5, "a", () => order.push("a"));
    sched.after(10, "c", () => order.push("c"));
    sched.after(10, "d", () => order.push("d"));
    expect(await sched.run()).toBe("idle");
    expect(order).toEqual(["a", "b", "c", "d"]);
    expect(sched.now()).toBe(10);
  });

  it("resumes awaits only when the scheduler fires them, at the virtual time they were due", async () => {
    const sched = new Scheduler({ seed: 1 });
    const seen: Array<[string, number]> = [];
    const worker = async (name: string, delays: number[]) => {
      for (const d of delays) {
        await sched.sleep(d);
        seen.push([name, sched.now()]);
      }
    };
    void worker("x", [3, 3, 3]);
    void worker("y", [4, 4]);
    await Promise.resolve();
    expect(seen).toEqual([]); // nothing moves until the scheduler runs
    await sched.run();
    expect(seen).toEqual([
      ["x", 3],
      ["y", 4],
      ["x", 6],
      ["y", 8],
      ["x", 9],
    ]);
  });

  it("drops a crashed process's pending waits and restarts it with fresh memory", async () => {
    const sched = new Scheduler({ seed: 1 });
    const log: string[] = [];
    let boots = 0;
    const proc = new SimProcess(sched, "svc", async (self) => {
      const boot = ++boots;
      let counter = 0; // in-memory state, lost on crash
      for (;;) {
        await sched.sleep(10, self.guard());
        counter++;
        log.push(`boot${boot}:${counter}`);
        if (counter === 3) return;
      }
    });
    proc.start();
    sched.after(25, "crash", () => proc.crash());
    sched.after(40, "restart", () => proc.start());
    await sched.run();
    expect(log).toEqual(["boot1:1", "boot1:2", "boot2:1", "boot2:2", "boot2:3"]);
    expect(proc.state).toBe("exited");
  });

  it("reports an engine exception as a process failure, not a crash", async () => {
    const sched = new Scheduler({ seed: 1 });
    const failures: string[] = [];
    const proc = new SimProcess(
      sched,
      "bad",
      async () => {
        await sched.sleep(1);
        throw new Error("boom");
      },
      { onFailure: (p, e) => failures.push(`${p.name}: ${(e as Error).message}`) },
    );
    proc.start();
    await sched.run();
    expect(failures).toEqual(["bad: boom"]);
    expect(proc.state).toBe("failed");
  });

  it("stops at maxSteps, maxTime and until", async () => {
    const sched = new Scheduler({ seed: 1 });
    for (let i = 1; i <= 10; i++) sched.after(i * 10, `e${i}`, () => {});
    expect(await sched.run({ maxSteps: 3 })).toBe("max-steps");
    expect(sched.step).toBe(3);
    expect(await sched.run({ maxTime: 60 })).toBe("max-time");
    expect(sched.now()).toBe(60);
    expect(await sched.run({ until: () => sched.now() >= 80 })).toBe("until");
    expect(await sched.run()).toBe("idle");
    expect(sched.step).toBe(10);
  });
});

describe("random streams", () => {
  it("derive each stream from the seed and its name only", () => {
    const a = new RandomSource(42);
    const b = new RandomSource(42);
    // Extra draws on one stream do not shift another.
    for (let i = 0; i < 100; i++) a.stream("noise").float();
    const xs = Array.from({ length: 5 }, () => a.stream("kafka").int(1000));
    const ys = Array.from({ length: 5 }, () => b.stream("kafka").int(1000));
    expect(xs).toEqual(ys);
    expect(new RandomSource(43).stream("kafka").int(1 << 30)).not.toBe(
      new RandomSource(42).stream("kafka").int(1 << 30),
    );
  });

  it("adding a random choice in one process leaves the others' traces alone", async () => {
    const base = await pingWorld(5);
    const extra = await pingWorld(5, { extraDraw: true });
    expect(extra.inbox).toEqual(base.inbox);
  });

  it("draws bigints uniformly below a bound without floats on the value", () => {
    const rng = new RandomSource(1).stream("money");
    const bound = 10n ** 20n;
    for (let i = 0; i < 1000; i++) {
      const x = rng.bigintBelow(bound);
      expect(x >= 0n && x < bound).toBe(true);
    }
    const seen = new Set(Array.from({ length: 200 }, () => rng.bigintBelow(6n)));
    expect([...seen].sort()).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
  });

  it("picks by weight", () => {
    const rng = new RandomSource(9).stream("w");
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3000; i++) counts[rng.weighted({ a: 1, b: 2, c: 0 })]++;
    expect(counts.c).toBe(0);
    expect(counts.b).toBeGreaterThan(counts.a);
  });
});
