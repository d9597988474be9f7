/**
 * The short Markdown summary, for a CI step summary ($GITHUB_STEP_SUMMARY) or a PR comment:
 * the verdict, the failures with their replay commands, what changed since the baseline.
 */
import type { GateReport } from "../sim/campaign/gate.ts";
import { num, pct, seedsText } from "./text.ts";

/** Text safe inside a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Inline code that survives backticks in the text. */
function code(s: string): string {
  const t = cell(s);
  return t.includes("`") ? `\`\` ${t} \`\`` : `\`${t}\``;
}

export function renderMarkdown(r: GateReport, reportPath: string): string {
  const out: string[] = [];
  const t = r.totals;
  out.push(
    `## ${r.verdict === "pass" ? "✅" : "❌"} tradesim gate: ${r.verdict === "pass" ? "pass" : "FAIL"}`,
  );
  out.push("");
  for (const reason of r.reasons) out.push(`> ${reason}`);
  if (r.reasons.length > 0) out.push("");
  out.push(
    `**${num(t.items)} runs**: ${t.scenarios.total} scenario file(s), ${num(t.seeds.total)} seeded run(s) (${seedsText(r)}${r.options.budget ? `, budget ${r.options.budget}` : ""}) · **${t.failed} failed** · ${num(t.steps)} steps · ${num(t.invariantChecks)} invariant checks · ${num(t.messagesPerSecond)} msg/s · run \`${r.runId}\`${r.options.plants.length ? ` · planted: ${r.options.plants.join(", ")}` : ""}`,
  );
  out.push("");
  const failed = r.items.filter((it) => !it.ok);
  if (failed.length > 0) {
    out.push("### Failures");
    out.push("");
    out.push("| run | invariant | step | what | replay |");
    out.push("|---|---|---|---|---|");
    for (const it of failed.slice(0, 25)) {
      const v = it.result?.violations[0];
      const step = v
        ? `${v.step}${v.op >= 0 ? ` (scenario step ${v.op})` : v.op === -1 ? " (drain)" : ""}`
        : "–";
      const what = v ? v.message : (it.error ?? "").split("\n")[0];
      out.push(
        `| ${code(it.id)} | ${v ? v.invariant : "error"} | ${step} | ${cell(what.length > 160 ? `${what.slice(0, 157)}…` : what)} | ${code(it.replay)} |`,
      );
    }
    if (failed.length > 25) out.push(`| … ${failed.length - 25} more | | | | |`);
    out.push("");
  }
  const b = r.baseline;
  out.push("### Since the baseline");
  out.push("");
  if (b === null) out.push("No baseline to compare with (write one with `tradesim gate --update-baseline`).");
  else {
    out.push(`Compared with \`${b.file}\` (run \`${b.baselineRunId}\`):`);
    out.push("");
    const list = (xs: string[]) =>
      xs
        .slice(0, 10)
        .map((x) => code(x))
        .join(", ") + (xs.length > 10 ? `, … (${xs.length})` : "");
    out.push(
      `- ${b.newFailures.length > 0 ? "🔴" : "⚪"} new failures: ${b.newFailures.length ? list(b.newFailures) : "none"}`,
    );
    out.push(`- ${b.fixed.length > 0 ? "🟢" : "⚪"} fixed: ${b.fixed.length ? list(b.fixed) : "none"}`);
    if (b.stillFailing.length) out.push(`- still failing: ${list(b.stillFailing)}`);
    out.push(
      `- rare events: ${b.coverageLost.length ? `🔴 no longer reached: ${b.coverageLost.map((c) => code(c.event)).join(", ")}` : "none lost"}${b.coverageGained.length ? `; 🟢 newly reached: ${b.coverageGained.map((c) => code(c.event)).join(", ")}` : ""}`,
    );
    out.push(
      `- throughput: ${num(b.throughput.baseline)} → ${num(b.throughput.now)} msg/s (${pct(b.throughput.changePct)})`,
    );
    if (b.traceChanged > 0)
      out.push(`- ${b.traceChanged} passing run(s) have a different trace than in the baseline`);
    if (b.added.length) out.push(`- not in the baseline: ${b.added.length} run(s)`);
    if (b.notRun.length) out.push(`- in the baseline but not run now: ${b.notRun.length} run(s)`);
    for (const n of b.notes) out.push(`- note: ${n}`);
  }
  out.push("");
  out.push("### Rare events");
  out.push("");
  const events = Object.keys(r.coverage);
  out.push(
    r.neverReached.length === 0
      ? `All ${events.length} reached.`
      : `${events.length - r.neverReached.length} of ${events.length} reached; never reached: ${r.neverReached.map(code).join(", ")}`,
  );
  out.push("");
  out.push(`Full report: \`${reportPath}\``);
  out.push("");
  return out.join("\n");
}
