/**
 * A campaign's summary: verdict, failures grouped by invariant (with the first seed's replay
 * command), fault and coverage totals, rare events never reached, and throughput.
 */
import { RARE_EVENTS } from "../../invariants/coverage.ts";
import type { RunResult } from "../runner/result.ts";

export interface InvariantGroup {
  invariant: string;
  runs: number;
  seeds: number[];
  first: { name: string; seed: number; step: number; message: string; replay: string };
}

export interface CampaignSummary {
  runs: number;
  passed: number;
  failed: number;
  errors: Array<{ job: string; error: string }>;
  byInvariant: InvariantGroup[];
  faults: Record<string, number>;
  coverage: Record<string, number>;
  neverReached: string[];
  steps: number;
  ops: number;
  messages: number;
  /** Sum of per-run wall time (ms) and the campaign's own wall time. */
  cpuMs: number;
  wallMs: number;
  messagesPerSecond: number;
}

export function summarize(
  results: RunResult[],
  errors: Array<{ job: string; error: string }>,
  wallMs: number,
): CampaignSummary {
  const groups = new Map<string, InvariantGroup>();
  const faults: Record<string, number> = {};
  const coverage: Record<string, number> = Object.fromEntries(Object.keys(RARE_EVENTS).map((k) => [k, 0]));
  let steps = 0;
  let ops = 0;
  let messages = 0;
  let cpuMs = 0;
  for (const r of results) {
    steps += r.steps;
    ops += r.ops;
    messages += r.messages;
    cpuMs += r.elapsedMs;
    for (const [k, v] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.coverage)) coverage[k] = (coverage[k] ?? 0) + v;
    const seen = new Set<string>();
    for (const v of r.violations) {
      if (seen.has(v.invariant)) continue;
      seen.add(v.invariant);
      const g = groups.get(v.invariant);
      if (g === undefined) {
        groups.set(v.invariant, {
          invariant: v.invariant,
          runs: 1,
          seeds: [r.seed],
          first: { name: r.name, seed: r.seed, step: v.step, message: v.message, replay: r.replay },
        });
      } else {
        g.runs++;
        g.seeds.push(r.seed);
      }
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  return {
    runs: results.length,
    passed: results.length - failed,
    failed,
    errors,
    byInvariant: [...groups.values()].sort(
      (a, b) => b.runs - a.runs || a.invariant.localeCompare(b.invariant),
    ),
    faults,
    coverage,
    neverReached: Object.entries(coverage)
      .filter(([, v]) => v === 0)
      .map(([k]) => k),
    steps,
    ops,
    messages,
    cpuMs,
    wallMs,
    messagesPerSecond: cpuMs > 0 ? Math.round((messages * 1000) / cpuMs) : 0,
  };
}

export function printSummary(s: CampaignSummary): void {
  const verdict =
    s.failed === 0 && s.errors.length === 0
      ? "all runs clean"
      : `${s.failed} failed, ${s.errors.length} errors`;
  console.log(
    `\ncampaign: ${s.runs} runs, ${verdict} (${(s.wallMs / 1000).toFixed(1)} s, ${s.steps.toLocaleString("en-US")} steps, ${s.messages.toLocaleString("en-US")} messages)`,
  );
  for (const g of s.byInvariant) {
    console.log(
      `  ✗ ${g.invariant}: ${g.runs} run(s), seeds ${g.seeds.slice(0, 10).join(", ")}${g.seeds.length > 10 ? ", …" : ""}`,
    );
    console.log(`      first: seed ${g.first.seed} step ${g.first.step}: ${g.first.message}`);
    console.log(`      replay: ${g.first.replay}`);
  }
  for (const e of s.errors.slice(0, 5)) console.log(`  ! ${e.job}: ${e.error.split("\n")[0]}`);
  console.log(
    `  faults fired: ${
      Object.entries(s.faults)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ") || "none"
    }`,
  );
  console.log(
    `  rare events: ${Object.entries(s.coverage)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
  );
  if (s.neverReached.length > 0) console.log(`  never reached: ${s.neverReached.join(", ")}`);
}
