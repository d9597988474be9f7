/**
 * The harness is judged by the bugs it catches. Each planted bug (sim/plants) is a mistake of a
 * DOMAIN.md bug class put into the engine for a run; every one must be found by some invariant.
 * For one of them the whole loop is shown through the CLI: a campaign finds it, shrinks it to a
 * handful of steps, writes a regression file, and `replay` reproduces the failure (and passes
 * once the bug is gone).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import { PLANTS } from "../../sim/plants/catalog.ts";
import { runScenario } from "../../sim/runner/run.ts";

const root = join(import.meta.dirname, "../..");

function tradesim(args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [join(root, "bin/tradesim.js"), ...args], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, out: err.stdout };
  }
}

describe("planted bugs", () => {
  it.each(PLANTS.map((p) => [p.name, p]))(
    "%s is caught by an invariant",
    async (_name, plant) => {
      // The first seed that catches it, within a few: each plant needs a crash or a read to show.
      let found: string[] = [];
      for (let seed = 1; seed <= 4 && found.length === 0; seed++) {
        const { result } = await runScenario(generateScenario({ seed, ops: 120 }), {
          replay: "",
          plants: [plant],
        });
        found = result.violations.map((v) => v.invariant);
      }
      expect(found.length).toBeGreaterThan(0);
      // And without the plant the same runs are clean.
      const { result } = await runScenario(generateScenario({ seed: 1, ops: 120 }), { replay: "" });
      expect(result.violations).toEqual([]);
    },
    120_000,
  );

  it("a campaign finds me-seq-reset, shrinks it to a handful of steps, and the regression replays it", () => {
    const dir = mkdtempSync(join(tmpdir(), "tradesim-regressions-"));
    const campaign = tradesim([
      "campaign",
      "--seeds",
      "1..4",
      "--ops",
      "120",
      "--plant",
      "me-seq-reset",
      "--regressions",
      dir,
      "--json",
    ]);
    expect(campaign.code).toBe(1);
    const summary = JSON.parse(campaign.out) as {
      failed: number;
      byInvariant: Array<{ invariant: string }>;
      regressions: string[];
    };
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.byInvariant.map((g) => g.invariant)).toContain("output-seq");
    const files = readdirSync(dir).filter((f) => f.startsWith("output-seq"));
    expect(files).toHaveLength(1);
    const file = join(dir, files[0]);
    const shrunk = JSON.parse(readFileSync(file, "utf8")) as { steps: unknown[] };
    expect(shrunk.steps.length).toBeLessThanOrEqual(12);
    const replayed = tradesim(["replay", file, "--plant", "me-seq-reset", "--json"]);
    expect(replayed.code).toBe(1);
    expect(
      (JSON.parse(replayed.out) as { violations: Array<{ invariant: string }> }).violations.map(
        (v) => v.invariant,
      ),
    ).toContain("output-seq");
    // Without the bug, the same regression scenario passes.
    expect(tradesim(["replay", file, "--json"]).code).toBe(0);
  }, 600_000);
});
