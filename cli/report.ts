/** How runs are printed: one JSON object with --json, a short human summary otherwise. */
import type { RunResult } from "../sim/runner/result.ts";

export function toJson(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

export function printRun(r: RunResult, json: boolean): void {
  if (json) {
    console.log(toJson(r));
    return;
  }
  const verdict = r.ok
    ? "ok"
    : `FAILED (${r.violations.length} violation${r.violations.length === 1 ? "" : "s"})`;
  console.log(
    `${r.name}: ${verdict}  seed=${r.seed} profile=${r.profile} ops=${r.ops} steps=${r.steps} checks=${r.invariantChecks} trace=${r.traceHash} (${r.elapsedMs} ms)`,
  );
  const faults = Object.entries(r.faults);
  if (faults.length > 0) console.log(`  faults: ${faults.map(([k, v]) => `${k}=${v}`).join(" ")}`);
  console.log(
    `  answers: ok=${r.answers.ok} rejected=${r.answers.rejected} unanswered=${r.answers.unanswered} retries=${r.answers.retries}`,
  );
  for (const v of r.violations) {
    console.log(`  ✗ [${v.invariant}] step ${v.step} (op ${v.op}): ${v.message}`);
    const vals = Object.entries(v.values);
    if (vals.length > 0) console.log(`      ${vals.map(([k, x]) => `${k}=${x}`).join("  ")}`);
  }
  if (!r.ok) console.log(`  replay: ${r.replay}`);
}
