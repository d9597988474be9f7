/**
 * Every hand-written scenario (scenarios/authored/) and every saved regression
 * (scenarios/regressions/) replays with no violation and every `expect` met. Authored scenarios
 * carry expectations computed by hand from the documented rules (see each file's description),
 * so they must also have checked at least one; a regression may consist of invariants only.
 * New files are picked up automatically: none is skipped.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../scenarios/format.ts";
import { runScenario } from "../../sim/runner/run.ts";

const SCENARIO_FILE = /\.(json|ya?ml)$/i;
/** The repository root, so the folders are found whatever the working directory. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The scenario files of a folder (relative to the root, sorted); none if the folder is absent. */
function scenarioFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(ROOT, dir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return names
    .filter((n) => SCENARIO_FILE.test(n))
    .sort()
    .map((n) => join(dir, n));
}

const AUTHORED = scenarioFiles("scenarios/authored");
const REGRESSIONS = scenarioFiles("scenarios/regressions");

async function replay(file: string) {
  const { result } = await runScenario(loadScenario(join(ROOT, file)), {
    replay: `npx tradesim replay ${file}`,
  });
  return result;
}

function describeViolations(vs: ReadonlyArray<{ invariant: string; message: string }>): string[] {
  return vs.map((v) => `[${v.invariant}] ${v.message}`);
}

describe("authored scenarios", () => {
  it("exist", () => {
    expect(AUTHORED.length).toBeGreaterThanOrEqual(20);
  });

  it.each(AUTHORED)("%s replays with every invariant and expect holding", async (file) => {
    const result = await replay(file);
    expect(describeViolations(result.violations)).toEqual([]);
    expect(result.expects.failed).toBe(0);
    expect(result.expects.checked).toBeGreaterThan(0);
    expect(result.ok).toBe(true);
  });
});

describe("regression scenarios", () => {
  // An empty folder is fine (it.each over [] registers nothing); every file there must load.
  it("are valid scenario files", () => {
    for (const f of REGRESSIONS) expect(() => loadScenario(join(ROOT, f))).not.toThrow();
  });

  it.each(REGRESSIONS)("%s replays with every invariant and expect holding", async (file) => {
    const result = await replay(file);
    expect(describeViolations(result.violations)).toEqual([]);
    expect(result.expects.failed).toBe(0);
    expect(result.ok).toBe(true);
  });
});
