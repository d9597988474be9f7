/**
 * The conformance runner: every behaviour case of the simulated Kafka (conformance/cases/kafka.ts)
 * and Scylla (test/sim-scylla/cases.ts) on the sides asked for, and, with both sides, a step by
 * step comparison of their normalised transcripts (normalise.ts).
 *
 * Verdicts: with both sides a case agrees when both ran to the end and their transcripts are
 * equal, disagrees when anything differs (an answer, an error, a failed check on one side only);
 * a case that failed the same way on both sides is `failed`. With one side there is nothing to
 * compare: a case `ran` when it reached its end with every check holding (the report's `agree`
 * counts these), and is `failed` otherwise.
 *
 * Order: the simulator first (fast, deterministic), then the real suites, Kafka and Scylla at
 * the same time (independent services); within a suite one case at a time.
 */

import { CASES as STORE_CASES } from "../test/sim-scylla/cases.ts";
import type { ConformanceCase } from "../test/sim-scylla/conformance.ts";
import { KAFKA_CASES, type LogCase } from "./cases/kafka.ts";
import { runLogCaseSim } from "./kafka/sim.ts";
import { type NormaliseContext, normaliseFailure, normaliseSteps } from "./normalise.ts";
import { runStoreCaseSim } from "./scylla/sim.ts";
import type { CaseInfo, Json, Outcome, Side, Step, Suite } from "./types.ts";

export const ADAPTERS = ["sim", "real", "both"] as const;
export type Adapters = (typeof ADAPTERS)[number];
export const SUITES = ["kafka", "scylla"] as const satisfies readonly Suite[];

/** Per-case limit on the real side (a consumer group that never balances, a hung statement). */
const REAL_CASE_TIMEOUT_MS = 180_000;
/** The simulator's keyspace when there is no real side to borrow the name from. */
const SIM_KEYSPACE = "conformance";

export interface ConformanceOptions {
  adapters: Adapters;
  only?: Suite;
  /** Only cases whose id contains this text. */
  filter?: string;
  /** Progress lines (services, cases); default none. */
  log?: (line: string) => void;
}

export interface SideResult {
  ok: boolean;
  ms: number;
  steps: number;
  failure?: string;
}

export type Verdict = "agree" | "disagree" | "ran" | "failed";

export interface CaseResult {
  case: string;
  suite: Suite;
  verdict: Verdict;
  sim?: SideResult;
  real?: SideResult;
}

/** Where the two sides part: the differing steps of each (normalised), and a readable diff. */
export interface Disagreement {
  case: string;
  sim: Json;
  real: Json;
  diff: string[];
}

export interface ConformanceReport {
  cases: number;
  agree: number;
  disagree: Disagreement[];
  failed: Array<{ case: string; side: Side; failure: string }>;
  sides: Side[];
  durationMs: number;
  results: CaseResult[];
  /** What the real side used (names unique to this run, removed at its end). */
  real?: { topicPrefix?: string; keyspace?: string };
}

type AnyCase = CaseInfo & ({ suite: "kafka"; body: LogCase } | { suite: "scylla"; body: ConformanceCase });

function allCases(only?: Suite): AnyCase[] {
  const out: AnyCase[] = [];
  if (only !== "scylla")
    for (const c of KAFKA_CASES) out.push({ id: `kafka/${c.name}`, suite: "kafka", name: c.name, body: c });
  if (only !== "kafka")
    for (const c of STORE_CASES) out.push({ id: `scylla/${c.name}`, suite: "scylla", name: c.name, body: c });
  return out;
}

/** Every case id (`kafka/…`, `scylla/…`), of one suite or both. */
export function caseIds(only?: Suite): string[] {
  return allCases(only).map((c) => c.id);
}

function sideResult(o: Outcome): SideResult {
  const r: SideResult = { ok: o.failure === undefined, ms: o.ms, steps: o.steps.length };
  if (o.failure !== undefined) r.failure = o.failure;
  return r;
}

/** Compares two normalised outcomes step by step; null when they are equal. */
export function compareOutcomes(
  id: string,
  sim: { steps: Step[]; failure?: string },
  real: { steps: Step[]; failure?: string },
): Disagreement | null {
  const simSteps: Json[] = [];
  const realSteps: Json[] = [];
  const diff: string[] = [];
  const shown = (i: number, s: Step | undefined): Json => ({
    step: i,
    ...(s === undefined ? { missing: true } : (s as unknown as Record<string, Json>)),
  });
  const n = Math.max(sim.steps.length, real.steps.length);
  for (let i = 0; i < n; i++) {
    const a = sim.steps[i];
    const b = real.steps[i];
    const x = a === undefined ? undefined : JSON.stringify(a);
    const y = b === undefined ? undefined : JSON.stringify(b);
    if (x === y) continue;
    simSteps.push(shown(i, a));
    realSteps.push(shown(i, b));
    diff.push(
      `step ${i} (${(a ?? b)!.call}):\n  sim  ${x ?? "(no such step)"}\n  real ${y ?? "(no such step)"}`,
    );
  }
  if (sim.failure !== real.failure) {
    const f = (s: string | undefined) => (s === undefined ? "ran to the end" : `failed: ${s}`);
    simSteps.push({ failure: sim.failure ?? null });
    realSteps.push({ failure: real.failure ?? null });
    diff.push(`outcome:\n  sim  ${f(sim.failure)}\n  real ${f(real.failure)}`);
  }
  return diff.length === 0 ? null : { case: id, sim: simSteps, real: realSteps, diff };
}

async function runAll(
  cases: AnyCase[],
  side: Side,
  out: Map<string, Outcome>,
  log: (line: string) => void,
  run: (c: AnyCase) => Promise<Outcome>,
): Promise<void> {
  for (const c of cases) {
    const o = await run(c);
    out.set(c.id, o);
    log(`${side.padEnd(4)} ${c.id}: ${o.failure === undefined ? "ran" : `FAILED ${o.failure}`} (${o.ms} ms)`);
  }
}

function judge(
  c: AnyCase,
  s: Outcome | undefined,
  r: Outcome | undefined,
  ctx: NormaliseContext,
): { result: CaseResult; disagreement?: Disagreement; failed: ConformanceReport["failed"] } {
  const result: CaseResult = { case: c.id, suite: c.suite, verdict: s && r ? "agree" : "ran" };
  const failed: ConformanceReport["failed"] = [];
  if (s) result.sim = sideResult(s);
  if (r) result.real = sideResult(r);
  if (s && r) {
    const d = compareOutcomes(
      c.id,
      { steps: normaliseSteps(s.steps, ctx), failure: normaliseFailure(s.failure, ctx) },
      { steps: normaliseSteps(r.steps, ctx), failure: normaliseFailure(r.failure, ctx) },
    );
    if (d) return { result: { ...result, verdict: "disagree" }, disagreement: d, failed };
    if (s.failure !== undefined) {
      failed.push(
        { case: c.id, side: "sim", failure: s.failure },
        { case: c.id, side: "real", failure: r.failure! },
      );
      result.verdict = "failed";
    }
  } else {
    const [side, o] = s ? (["sim", s] as const) : (["real", r!] as const);
    if (o.failure !== undefined) {
      failed.push({ case: c.id, side, failure: o.failure });
      result.verdict = "failed";
    }
  }
  return { result, failed };
}

export async function runConformance(opts: ConformanceOptions): Promise<ConformanceReport> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const sides: Side[] = opts.adapters === "both" ? ["sim", "real"] : [opts.adapters];
  const selected = allCases(opts.only).filter((c) => opts.filter === undefined || c.id.includes(opts.filter));
  const suites = SUITES.filter((s) => selected.some((c) => c.suite === s));

  const simOut = new Map<string, Outcome>();
  const realOut = new Map<string, Outcome>();
  const onSim = (ks: string) => (c: AnyCase) =>
    c.suite === "kafka" ? runLogCaseSim(c.body) : runStoreCaseSim(c.body, ks);
  let ctx: NormaliseContext = { prefixes: [] };
  let realInfo: ConformanceReport["real"];

  if (sides.includes("real")) {
    const { openReal } = await import("./real.ts");
    const env = await openReal(suites, log);
    ctx = { prefixes: env.kafka ? [env.kafka.prefix] : [], keyspace: env.scylla?.keyspace };
    realInfo = { topicPrefix: env.kafka?.prefix, keyspace: env.scylla?.keyspace };
    const onReal = (c: AnyCase): Promise<Outcome> =>
      c.suite === "kafka"
        ? env.kafka!.run(c.body, REAL_CASE_TIMEOUT_MS)
        : env.scylla!.run(c.body, REAL_CASE_TIMEOUT_MS);
    try {
      // the simulator names its keyspace like the real side's: messages naming it then compare
      if (sides.includes("sim"))
        await runAll(selected, "sim", simOut, log, onSim(env.scylla?.keyspace ?? SIM_KEYSPACE));
      await Promise.all(
        suites.map((suite) =>
          runAll(
            selected.filter((c) => c.suite === suite),
            "real",
            realOut,
            log,
            onReal,
          ),
        ),
      );
    } finally {
      log("cleaning up the real side (topics, groups, keyspaces)");
      await env.close();
    }
  } else {
    await runAll(selected, "sim", simOut, log, onSim(SIM_KEYSPACE));
  }

  const results: CaseResult[] = [];
  const disagree: Disagreement[] = [];
  const failed: ConformanceReport["failed"] = [];
  for (const c of selected) {
    const j = judge(c, simOut.get(c.id), realOut.get(c.id), ctx);
    results.push(j.result);
    if (j.disagreement) disagree.push(j.disagreement);
    failed.push(...j.failed);
  }
  return {
    cases: selected.length,
    agree: results.filter((r) => r.verdict === "agree" || r.verdict === "ran").length,
    disagree,
    failed,
    sides,
    durationMs: Math.round(performance.now() - t0),
    results,
    ...(realInfo ? { real: realInfo } : {}),
  };
}
