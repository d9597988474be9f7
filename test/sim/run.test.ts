import { describe, expect, it } from "vitest";
import { loadScenario } from "../../scenarios/format.ts";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import { firstDivergence } from "../../sim/kernel/trace.ts";
import { runScenario } from "../../sim/runner/run.ts";

describe("a seeded run", () => {
  it("replays the design brief's example with its expect met and every invariant holding", async () => {
    const { result } = await runScenario(loadScenario("scenarios/authored/design-example.json"), {
      replay: "x",
    });
    expect(result.violations).toEqual([]);
    expect(result.expects).toEqual({ checked: 1, failed: 0 });
    expect(result.invariantChecks).toBeGreaterThanOrEqual(result.steps);
  });

  it("gives the same trace hash for the same seed, and another for another seed", async () => {
    const run = async (seed: number) =>
      runScenario(generateScenario({ seed, ops: 80 }), { replay: "", keepStepHashes: true });
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(a.result.violations).toEqual([]);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    expect(firstDivergence(a.world.sched.trace.stepHashes!, b.world.sched.trace.stepHashes!)).toBe(-1);
    expect(c.result.traceHash).not.toBe(a.result.traceHash);
  });

  it("keeps every invariant under the `all` fault profile", async () => {
    const { result } = await runScenario(generateScenario({ seed: 3, ops: 120, profile: "all" }), {
      replay: "",
    });
    expect(result.violations).toEqual([]);
    expect(Object.keys(result.faults).length).toBeGreaterThan(4);
  });
});

describe("engine knobs drawn from the seed", () => {
  it("draws the snapshot spacing from the seed, varies it across seeds, and takes the scenario's when set", async () => {
    const knobOf = async (seed: number, snapshot_every?: number) => {
      const s = generateScenario({ seed, ops: 30, profile: "none" });
      if (snapshot_every !== undefined) s.config = { snapshot_every };
      return (await runScenario(s, { replay: "" })).result.knobs.snapshotEvery;
    };
    const drawn = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => knobOf(seed)));
    expect(new Set(drawn).size).toBeGreaterThan(2);
    expect(await knobOf(3)).toBe(drawn[2]);
    expect(await knobOf(3, 7)).toBe(7);
  });

  it("recovers from snapshots when they are frequent, and says so in the coverage", async () => {
    const s = generateScenario({ seed: 5, ops: 300, profile: "none" });
    s.config = { snapshot_every: 2 };
    const { result } = await runScenario(s, { replay: "" });
    expect(result.violations).toEqual([]);
    expect(result.coverage["recovered-from-snapshot"]).toBeGreaterThan(0);
    s.config = { snapshot_every: 0 };
    const never = await runScenario(s, { replay: "" });
    expect(never.result.violations).toEqual([]);
    expect(never.result.coverage["recovered-from-snapshot"]).toBe(0);
  });
});
