/**
 * JUnit XML for CI test views: one test suite for the scenario files (a test case each), one per
 * fault profile for the seeds (a test case per batch of up to 10 consecutive seeds, so a budget
 * run of hundreds of seeds stays readable), and one for the baseline comparison. A failure names
 * the invariant, the scheduler step, the scenario step and the replay command.
 */
import type { GateItem, GateReport } from "../sim/campaign/gate.ts";
import { esc, seconds, seedBatches, seedOf, valuesText, violationLine } from "./text.ts";

export const SEED_BATCH = 10;

interface Case {
  name: string;
  classname: string;
  timeMs: number;
  file?: string;
  failure?: { message: string; type: string; body: string };
  error?: { message: string; body: string };
}

function itemDetail(it: GateItem): string {
  const lines: string[] = [`item: ${it.id} (${it.name})`];
  const r = it.result;
  if (it.error !== undefined) lines.push(`error: ${it.error}`);
  if (r) {
    const v = r.violations[0];
    if (v) {
      lines.push(`invariant: ${v.invariant}`);
      lines.push(
        `step: ${v.step} (scheduler step)${v.op >= 0 ? `, scenario step ${v.op}` : v.op === -1 ? ", end-of-run drain" : ""}`,
      );
      lines.push(`seed: ${r.seed}, profile: ${r.profile}`);
      lines.push(`message: ${v.message}`);
      const vals = valuesText(v);
      if (vals) lines.push(`values: ${vals}`);
      if (r.violations.length > 1) {
        lines.push(`${r.violations.length - 1} more violation(s):`);
        for (const w of r.violations.slice(1, 6)) lines.push(`  ${violationLine(w)}`);
      }
    }
  }
  lines.push(`replay: ${it.replay}`);
  return lines.join("\n");
}

function caseOf(it: GateItem, classname: string): Case {
  const c: Case = {
    name: it.id,
    classname,
    timeMs: it.result?.elapsedMs ?? 0,
    ...(it.spec.kind === "scenario" ? { file: it.spec.file } : {}),
  };
  if (it.error !== undefined) c.error = { message: it.error.split("\n")[0], body: itemDetail(it) };
  else if (!it.ok) {
    const v = it.result!.violations[0];
    c.failure = {
      message: `${violationLine(v)} | replay: ${it.replay}`,
      type: v.invariant,
      body: itemDetail(it),
    };
  }
  return c;
}

function batchCase(profile: string, items: GateItem[], ops: number): Case {
  const seeds = items.map(seedOf);
  const first = seeds[0];
  const last = seeds[seeds.length - 1];
  const c: Case = {
    name: `${first === last ? `seed ${first}` : `seeds ${first}..${last}`} (profile ${profile}, ${ops} ops)`,
    classname: `tradesim.seeds.${profile}`,
    timeMs: items.reduce((n, it) => n + (it.result?.elapsedMs ?? 0), 0),
  };
  const failed = items.filter((it) => !it.ok);
  const errored = failed.filter((it) => it.error !== undefined);
  const violated = failed.filter((it) => it.error === undefined);
  if (violated.length > 0) {
    const v = violated[0].result!.violations[0];
    c.failure = {
      message: `${violated.length} of ${items.length} seed(s) failed; seed ${seedOf(violated[0])}: ${violationLine(v)} | replay: ${violated[0].replay}`,
      type: [...new Set(violated.map((it) => it.result!.violations[0].invariant))].join(","),
      body: violated.map(itemDetail).join("\n\n"),
    };
  }
  if (errored.length > 0)
    c.error = {
      message: `${errored.length} seed(s) could not run: ${errored[0].error!.split("\n")[0]}`,
      body: errored.map(itemDetail).join("\n\n"),
    };
  return c;
}

function suite(name: string, cases: Case[], extra = ""): string {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error && !c.failure).length;
  const time = cases.reduce((n, c) => n + c.timeMs, 0);
  const body = cases
    .map((c) => {
      const attrs = `name="${esc(c.name)}" classname="${esc(c.classname)}" time="${seconds(c.timeMs)}"${c.file ? ` file="${esc(c.file)}"` : ""}`;
      const inner = [
        c.failure
          ? `      <failure message="${esc(c.failure.message)}" type="${esc(c.failure.type)}">${esc(c.failure.body)}</failure>`
          : "",
        c.error && !c.failure
          ? `      <error message="${esc(c.error.message)}" type="error">${esc(c.error.body)}</error>`
          : "",
        c.error && c.failure ? `      <system-err>${esc(c.error.body)}</system-err>` : "",
      ].filter(Boolean);
      return inner.length === 0
        ? `    <testcase ${attrs}/>`
        : `    <testcase ${attrs}>\n${inner.join("\n")}\n    </testcase>`;
    })
    .join("\n");
  return `  <testsuite name="${esc(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(time)}">\n${extra}${body}\n  </testsuite>`;
}

export function renderJunit(r: GateReport): string {
  const suites: Array<{ name: string; cases: Case[]; extra?: string }> = [];
  const scenarios = r.items.filter((it) => it.kind === "scenario");
  suites.push({
    name: "tradesim gate: scenarios",
    cases: scenarios.map((it) => caseOf(it, "tradesim.scenarios")),
    extra: `    <properties>\n      <property name="runId" value="${esc(r.runId)}"/>\n      <property name="verdict" value="${esc(r.verdict)}"/>\n    </properties>\n`,
  });
  const batches = seedBatches(r.items, SEED_BATCH);
  for (const profile of new Set(batches.map((b) => b.profile))) {
    const cases = batches
      .filter((b) => b.profile === profile)
      .map((b) => batchCase(profile, b.items, r.options.ops));
    if (cases.length > 0) suites.push({ name: `tradesim gate: seeds (profile ${profile})`, cases });
  }
  const b = r.baseline;
  if (b !== null) {
    const counts = !r.options.updateBaseline;
    const cases: Case[] = [
      {
        name: "no item that passed in the baseline fails now",
        classname: "tradesim.baseline",
        timeMs: 0,
        ...(counts && b.newFailures.length > 0
          ? {
              failure: {
                message: `${b.newFailures.length} regression(s): ${b.newFailures.slice(0, 10).join(", ")}`,
                type: "regression",
                body: b.newFailures
                  .map((id) => {
                    const it = r.items.find((x) => x.id === id);
                    return it ? itemDetail(it) : id;
                  })
                  .join("\n\n"),
              },
            }
          : {}),
      },
      {
        name: "every rare event reached in the baseline is still reached",
        classname: "tradesim.baseline",
        timeMs: 0,
        ...(counts && b.coverageLost.length > 0
          ? {
              failure: {
                message: `no longer reached: ${b.coverageLost.map((c) => c.event).join(", ")}`,
                type: "coverage",
                body: b.coverageLost
                  .map(
                    (c) =>
                      `${c.event}: ${c.baseline} in the baseline, 0 now (${r.rareEvents[c.event] ?? ""})`,
                  )
                  .join("\n"),
              },
            }
          : {}),
      },
    ];
    suites.push({ name: "tradesim gate: baseline", cases });
  }
  const all = suites.flatMap((s) => s.cases);
  const tests = all.length;
  const failures = all.filter((c) => c.failure).length;
  const errors = all.filter((c) => c.error && !c.failure).length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="tradesim gate ${esc(r.runId)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(r.totals.wallMs)}">`,
    ...suites.map((s) => suite(s.name, s.cases, s.extra)),
    `</testsuites>`,
    "",
  ].join("\n");
}
