/** Shrinks a failing run and writes the result to scenarios/regressions/ (or another folder). */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pinned } from "../../scenarios/engine-config.ts";
import type { Scenario, Step, StepOf } from "../../scenarios/format.ts";
import { shrinkScenario } from "../../scenarios/shrink.ts";
import type { Plant } from "../../sim/plants/catalog.ts";
import type { RunResult } from "../../sim/runner/result.ts";
import { runScenario } from "../../sim/runner/run.ts";

export interface ShrinkSaveOptions {
  profile: string;
  dir?: string;
  maxRuns?: number;
  log?: (msg: string) => void;
  plants?: readonly Plant[];
}

/** Returns the path of the regression file written. */
export async function shrinkAndSave(
  scenario: Scenario,
  failed: RunResult,
  opts: ShrinkSaveOptions,
): Promise<string> {
  const target = failed.violations[0].invariant;
  // The knobs the failing run drew from its seed are pinned, so the file means the same run
  // even if the knobs' draw changes.
  const start: Scenario = {
    ...scenario,
    seed: failed.seed,
    profile: opts.profile,
    config: { ...scenario.config, ...pinned(failed.knobs) },
  };
  // Random crashes are the hardest thing to shrink around (they move when steps go): first try
  // the same scenario with each crash made an explicit step and the faults off.
  const explicit = materializeCrashes(start, failed);
  let origin = start;
  if (explicit !== null) {
    const { result } = await runScenario(explicit, { replay: "", plants: opts.plants });
    if (result.violations.some((v) => v.invariant === target)) origin = explicit;
  }
  const res = await shrinkScenario(origin, {
    maxRuns: opts.maxRuns,
    log: opts.log,
    fails: async (cand) => {
      const { result } = await runScenario(cand, { replay: "", plants: opts.plants });
      return result.violations.some((v) => v.invariant === target);
    },
  });
  const dir = opts.dir ?? join(import.meta.dirname, "../../scenarios/regressions");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${target}-seed${failed.seed}-${res.to}steps.json`);
  const out: Scenario = {
    ...res.scenario,
    name: `regression: ${target} (seed ${failed.seed}, shrunk from ${res.from} to ${res.to} steps)`,
    description: `Found by \`${failed.replay}\`: ${failed.violations[0].message}. Shrunk in ${res.runs} runs.`,
  };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  return file;
}

/** The scenario with each fault-caused crash as explicit crash + restart steps after its op, faults off. */
function materializeCrashes(s: Scenario, failed: RunResult): Scenario | null {
  const crashes = failed.crashes.filter((c) => c.op >= 0);
  if (crashes.length === 0) return null;
  const steps: Step[] = [];
  s.steps.forEach((step, i) => {
    steps.push(step);
    for (const c of crashes.filter((x) => x.op === i)) {
      const service = c.service as StepOf<"crash">["service"];
      steps.push({ op: "crash", service }, { op: "restart", service });
    }
  });
  return { ...s, profile: "none", steps };
}
