/** Runs `tradesim conformance ...` as a child process, as a user would. */
import type { ConformanceReport } from "../../conformance/run.ts";
import { type CliResult, runTradesim } from "../support/tradesim-cli.ts";

export type { CliResult } from "../support/tradesim-cli.ts";
export { REPO } from "../support/tradesim-cli.ts";

export function conformance(args: string[], timeoutMs: number): Promise<CliResult> {
  return runTradesim("conformance", args, timeoutMs);
}

export function report(r: CliResult): ConformanceReport {
  try {
    return JSON.parse(r.stdout) as ConformanceReport;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** The disagreements and failures of a report, readable in a failed assertion. */
export function explain(rep: ConformanceReport): string {
  const lines: string[] = [];
  for (const d of rep.disagree) lines.push(`DISAGREE ${d.case}`, ...d.diff.map((l) => `  ${l}`));
  for (const f of rep.failed) lines.push(`FAILED ${f.case} on ${f.side}: ${f.failure}`);
  return lines.join("\n");
}
