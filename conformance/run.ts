/**
 * The conformance runner: every behaviour case of the simulated Kafka (conformance/cases/kafka.ts)
 * and Scylla (test/sim-scylla/cases.ts) on the sides asked for, and, with both sides, a step by
 * step comparison of their normalised transcripts (normalise.ts).
 *
 * Verdicts: with both sides a case agrees when both ran to the end and their transcripts are
 * equal, disagrees when anything differs (an answer, an error, a failed check on one side only);
 * a case that failed the same way on both sides is `failed`. With one side, a case that ran to
 * its end (every check held) counts as agreeing; one that did not is `failed`.
 *
 * Order: the simulator first (fast, deterministic), then the real suites, Kafka and Scylla at
 * the same time (independent services); within a suite one case at a time.
 */
import { CASES as STORE_CASES } from "../test/sim-scylla/cases.ts";
import { KAFKA_CASES } from "./cases/kafka.ts";
import { runLogCaseSim } from "./kafka/sim.ts";
import { type NormaliseContext, normaliseFailure, normaliseSteps } from "./normalise.ts";
import { runStoreCaseSim } from "./scylla/sim.ts";
import type { CaseInfo, Json, Outcome, Side, Step, Suite } from "./types.ts";

export const ADAPTERS = ["sim", "real", "both"] as const;
export type Adapters = (typeof ADAPTERS)[number];
export const SUITES = ["kafka", "scylla"] as const;

/** Per-case limit on the real side (a consumer group that never balances, a hung statement). */
const REAL_CASE_TIMEOUT_MS = 180_000;
/** The keyspace name of sim-only runs (the sim is private to the run). */
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

export type Verdict = "agree" | "disagree" | "failed";

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

interface RunnableCase extends CaseInfo {
  sim(): Promise<Outcome>;
  real?: () => Promise<Outcome>;
}

export function caseIds(only?: Suite): string[] {
  const ids: string[] = [];
  if (only !== "scylla") for (const c of KAFKA_CASES) ids.push(`kafka/${c.name}`);
  if (only !== "kafka") for (const c of STORE_CASES) ids.push(`scylla/${c.name}`);
  return ids;
}

function sideResult(o: Outcome): SideResult {
  const r: SideResult = { ok: o.failure === undefined, ms: o.ms, steps: o.steps.length };
  if (o.failure !== undefined) r.failure = o.failure;
  return r;
}

/** Compares two normalised outcomes step by step. */
export function compareOutcomes(
  id: string,
  sim: { steps: Step[]; failure?: string },
  real: { steps: Step[]; failure?: string },
): Disagreement | null {
  const simSteps: Json[] = [];
  const realSteps: Json[] = [];
  const diff: string[] = [];
  const n = Math.max(sim.steps.length, real.steps.length);
  for (let i = 0; i < n; i++) {
    const a = sim.steps[i];
    const b = real.steps[i];
    const x = a === undefined ? undefined : JSON.stringify(a);
    const y = b === undefined ? undefined : JSON.stringify(b);
    if (x === y) continue;
    const call = (a ?? b)!.call;
    simSteps.push({
      step: i,
      ...(a === undefined ? { missing: true } : (a as unknown as Record<string, Json>)),
    });
    realSteps.push({
      step: i,
      ...(b === undefined ? { missing: true } : (b as unknown as Record<string, Json>)),
    });
    diff.push(`step ${i} (${call}):\n  sim  ${x ?? "(no such step)"}\n  real ${y ?? "(no such step)"}`);
  }
  if (sim.failure !== real.failure) {
    const f = (s: string | undefined) => (s === undefined ? "ran to the end" : `failed: ${s}`);
    simSteps.push({ failure: sim.failure ?? null });
    realSteps.push({ failure: real.failure ?? null });
    diff.push(`outcome:\n  sim  ${f(sim.failure)}\n  real ${f(real.failure)}`);
  }
  if (diff.length === 0) return null;
  return { case: id, sim: simSteps, real: realSteps, diff };
}

export async function runConformance(opts: ConformanceOptions): Promise<ConformanceReport> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const sides: Side[] = opts.adapters === "both" ? ["sim", "real"] : [opts.adapters];
  const suites = SUITES.filter((s) => opts.only === undefined || opts.only === s);
  const wanted = (id: string) => opts.filter === undefined || id.includes(opts.filter);

  const all: RunnableCase[] = [];
  if (suites.includes("kafka"))
    for (const c of KAFKA_CASES)
      all.push({ id: `kafka/${c.name}`, suite: "kafka", name: c.name, sim: () => runLogCaseSim(c) });
  if (suites.includes("scylla"))
    for (const c of STORE_CASES)
      all.push({
        id: `scylla/${c.name}`,
        suite: "scylla",
        name: c.name,
        sim: () => runStoreCaseSim(c, SIM_KEYSPACE),
      });
  const selected = all.filter((c) => wanted(c.id));
  const usedSuites = suites.filter((s) => selected.some((c) => c.suite === s));

  const simOut = new Map<string, Outcome>();
  const realOut = new Map<string, Outcome>();
  let ctx: NormaliseContext = { prefixes: [] };
  let realInfo: ConformanceReport["real"];

  if (sides.includes("real")) {
    const { openReal } = await import("./real.ts");
    const env = await openReal(usedSuites, log);
    ctx = { prefixes: env.kafka ? [env.kafka.prefix] : [], keyspace: env.scylla?.keyspace };
    realInfo = { topicPrefix: env.kafka?.prefix, keyspace: env.scylla?.keyspace };
    // the simulator uses the real side's keyspace name too, so that messages naming it compare
    if (env.scylla) {
      const ks = env.scylla.keyspace;
      for (const c of selected)
        if (c.suite === "scylla") {
          const sc = STORE_CASES.find((x) => `scylla/${x.name}` === c.id)!;
          c.sim = () => runStoreCaseSim(sc, ks);
        }
    }
    try {
      if (sides.includes("sim")) await runAll(selected, "sim", simOut, log);
      await Promise.all(
        usedSuites.map((suite) =>
          runAll(
            selected.filter((c) => c.suite === suite),
            "real",
            realOut,
            log,
            (c) =>
              suite === "kafka"
                ? env.kafka!.run(KAFKA_CASES.find((x) => `kafka/${x.name}` === c.id)!, REAL_CASE_TIMEOUT_MS)
                : env.scylla!.run(
                    STORE_CASES.find((x) => `scylla/${x.name}` === c.id)!,
                    REAL_CASE_TIMEOUT_MS,
                  ),
          ),
        ),
      );
    } finally {
      log("cleaning up the real side (topics, groups, keyspaces)");
      await env.close();
    }
  } else {
    await runAll(selected, "sim", simOut, log);
  }

  const results: CaseResult[] = [];
  const disagree: Disagreement[] = [];
  const failed: ConformanceReport["failed"] = [];
  let agree = 0;
  for (const c of selected) {
    const s = simOut.get(c.id);
    const r = realOut.get(c.id);
    const result: CaseResult = { case: c.id, suite: c.suite, verdict: "agree" };
    if (s) result.sim = sideResult(s);
    if (r) result.real = sideResult(r);
    if (s && r) {
      const ns = { steps: normaliseSteps(s.steps, ctx), failure: normaliseFailure(s.failure, ctx) };
      const nr = { steps: normaliseSteps(r.steps, ctx), failure: normaliseFailure(r.failure, ctx) };
      const d = compareOutcomes(c.id, ns, nr);
      if (d) {
        result.verdict = "disagree";
        disagree.push(d);
      } else if (s.failure !== undefined) {
        result.verdict = "failed";
        failed.push({ case: c.id, side: "sim", failure: s.failure });
        failed.push({ case: c.id, side: "real", failure: r.failure! });
      }
    } else {
      const only = (s ?? r)!;
      if (only.failure !== undefined) {
        result.verdict = "failed";
        failed.push({ case: c.id, side: s ? "sim" : "real", failure: only.failure });
      }
    }
    if (result.verdict === "agree") agree++;
    results.push(result);
  }
  return {
    cases: selected.length,
    agree,
    disagree,
    failed,
    sides,
    durationMs: Math.round(performance.now() - t0),
    results,
    ...(realInfo ? { real: realInfo } : {}),
  };
}

async function runAll(
  cases: RunnableCase[],
  side: Side,
  out: Map<string, Outcome>,
  log: (line: string) => void,
  run: (c: RunnableCase) => Promise<Outcome> = (c) => c.sim(),
): Promise<void> {
  for (const c of cases) {
    const o = await run(c);
    out.set(c.id, o);
    log(`${side.padEnd(4)} ${c.id}: ${o.failure === undefined ? "ran" : `FAILED ${o.failure}`} (${o.ms} ms)`);
  }
}
