/** The human form of a conformance report: one line per case, the disagreements, a summary. */
import type { ConformanceReport, SideResult } from "./run.ts";

function side(r: SideResult | undefined): string {
  if (r === undefined) return "-";
  return `${r.ok ? "ran" : "FAILED"} ${r.ms} ms`;
}

export function formatTable(report: ConformanceReport): string {
  const rows = report.results.map((r) => [r.case, side(r.sim), side(r.real), r.verdict.toUpperCase()]);
  const head = ["case", "sim", "real", "verdict"];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(width[i]))
      .join("  ")
      .trimEnd();
  const out = [line(head), line(width.map((w) => "-".repeat(w))), ...rows.map(line)];
  for (const d of report.disagree) {
    out.push("", `DISAGREE ${d.case}`);
    for (const l of d.diff) out.push(`  ${l.replaceAll("\n", "\n  ")}`);
  }
  for (const f of report.failed) out.push("", `FAILED ${f.case} on ${f.side}: ${f.failure}`);
  out.push(
    "",
    `${report.cases} cases on ${report.sides.join(" and ")}: ${report.agree} ${report.sides.length === 1 ? "ran" : "agree"}, ` +
      `${report.disagree.length} disagree, ${report.failed.length === 0 ? "none" : report.failed.length} failed ` +
      `(${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  if (report.sides.length === 1)
    out.push(`(one side, nothing compared: "ran" = the case reached its end with every check holding)`);
  return out.join("\n");
}
