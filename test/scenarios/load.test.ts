import { describe, expect, it } from "vitest";
import { validateScenario } from "../../scenarios/format.ts";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import { LOAD_TICK_MS, openLoop } from "../../scenarios/generate/load.ts";
import { runScenario } from "../../sim/runner/run.ts";

const isRequest = (op: string) => ["deposit", "withdraw", "place", "cancel"].includes(op);

describe("open-loop load shape", () => {
  it("sends every request but the opening deposits without waiting, and advances the clock every k requests", () => {
    const closed = generateScenario({ seed: 2, ops: 400, crashes: false });
    const s = generateScenario({ seed: 2, ops: 400, crashes: false, load: 7 });
    expect(() => validateScenario(s)).not.toThrow();
    // The same requests in the same order: only `async` and the inserted advances differ.
    const strip = (steps: typeof s.steps) =>
      steps
        .filter((x) => !(x.op === "advance" && x.ms === LOAD_TICK_MS))
        .map((x) => ({ ...x, async: undefined }));
    expect(strip(s.steps)).toEqual(strip(closed.steps));
    let sinceAdvance = 0;
    for (const x of s.steps) {
      if (x.op === "deposit" && (x.request_id ?? "").startsWith("seed-")) {
        expect(x.async).toBeUndefined();
        continue;
      }
      if (isRequest(x.op)) {
        expect("async" in x && x.async).toBe(true);
        sinceAdvance++;
        expect(sinceAdvance).toBeLessThanOrEqual(7);
      } else if (x.op === "advance" && sinceAdvance === 7) sinceAdvance = 0;
    }
    expect(generateScenario({ seed: 2, ops: 400, crashes: false, load: 7 })).toEqual(s);
  });

  it("refuses a load that is not a whole number of requests >= 1", () => {
    expect(() => openLoop([], 0)).toThrow(/load: 0 is not a whole number/);
    expect(() => openLoop([], 2.5)).toThrow(/load: 2.5/);
  });

  it("puts many requests in flight at once and still ends clean", async () => {
    const run = (load?: number) =>
      runScenario(generateScenario({ seed: 4, ops: 600, profile: "none", crashes: false, load }), {
        replay: "",
      });
    const perBatch = (w: Awaited<ReturnType<typeof run>>["world"]) =>
      w.kafka.counts().messagesDelivered / w.kafka.counts().batchesDelivered;
    const closed = await run();
    const { result, world } = await runScenario(
      generateScenario({ seed: 4, ops: 600, profile: "none", crashes: false, load: 25 }),
      {
        replay: "",
      },
    );
    expect(result.violations).toEqual([]);
    expect(result.invariantChecks).toBeGreaterThanOrEqual(result.steps);
    expect(result.answers.ok + result.answers.rejected).toBeGreaterThan(500);
    // Open loop: the consumers see bigger batches than in closed loop.
    expect(perBatch(world)).toBeGreaterThan(1.5 * perBatch(closed.world));
  }, 60_000);
});
