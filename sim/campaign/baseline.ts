/**
 * The gate's baseline (`reports/baseline.json`, committed): per scenario and seed, whether it
 * passed (and its trace hash), the rare-event coverage totals and the throughput of the run that
 * wrote it. A later gate run is compared with it: an item that passed and now fails, or a rare
 * event that was reached and no longer is, is a regression; fixes, coverage and throughput
 * changes are shown but do not fail the gate.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

export const BASELINE_VERSION = 1;

const baselineSchema = z.strictObject({
  version: z.literal(BASELINE_VERSION),
  tool: z.literal("tradesim gate"),
  runId: z.string(),
  /** How the seeded items were generated: seeds are comparable only with the same ops/users. */
  ops: z.int().min(1),
  users: z.int().min(1),
  profiles: z.array(z.string()),
  plants: z.array(z.string()),
  items: z.record(z.string(), z.strictObject({ ok: z.boolean(), traceHash: z.string() })),
  coverage: z.record(z.string(), z.number().min(0)),
  throughput: z.strictObject({
    messages: z.number().min(0),
    cpuMs: z.number().min(0),
    messagesPerSecond: z.number().min(0),
  }),
});

export type Baseline = z.infer<typeof baselineSchema>;

export class BaselineError extends Error {
  override name = "BaselineError";
}

/** Reads and validates a baseline file; a BaselineError names the file and what is wrong. */
export function loadBaseline(file: string): Baseline {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (e) {
    throw new BaselineError(`${file}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    throw new BaselineError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const r = baselineSchema.safeParse(doc);
  if (!r.success) {
    const problems = r.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    throw new BaselineError(
      `${file}: not a tradesim gate baseline (write one with \`tradesim gate --update-baseline\`): ${problems.join("; ")}`,
    );
  }
  return r.data;
}

/** What a gate run contributes to a baseline. */
export interface BaselineInput {
  runId: string;
  ops: number;
  users: number;
  profiles: string[];
  plants: string[];
  items: Array<{ id: string; ok: boolean; traceHash: string }>;
  coverage: Record<string, number>;
  throughput: { messages: number; cpuMs: number; messagesPerSecond: number };
}

export function makeBaseline(x: BaselineInput): Baseline {
  const items: Baseline["items"] = {};
  for (const it of [...x.items].sort((a, b) => a.id.localeCompare(b.id)))
    items[it.id] = { ok: it.ok, traceHash: it.traceHash };
  const coverage: Record<string, number> = {};
  for (const k of Object.keys(x.coverage).sort()) coverage[k] = x.coverage[k];
  return {
    version: BASELINE_VERSION,
    tool: "tradesim gate",
    runId: x.runId,
    ops: x.ops,
    users: x.users,
    profiles: x.profiles,
    plants: x.plants,
    items,
    coverage,
    throughput: x.throughput,
  };
}

export interface CoverageChange {
  event: string;
  baseline: number;
  now: number;
}

export interface BaselineComparison {
  file: string;
  baselineRunId: string;
  /** Passed in the baseline, fail now: regressions. */
  newFailures: string[];
  /** Failed in the baseline, pass now. */
  fixed: string[];
  stillFailing: string[];
  /** Run now, not in the baseline (new scenarios, seeds beyond the baseline's). */
  added: string[];
  /** In the baseline, not run now (a shorter --budget, a removed scenario). */
  notRun: string[];
  /** Passed in both, with a different trace: the engine's behaviour changed (not a failure). */
  traceChanged: number;
  /** Reached in the baseline, never now: regressions. */
  coverageLost: CoverageChange[];
  /** Never reached in the baseline, reached now. */
  coverageGained: CoverageChange[];
  /** Every event whose count changed. */
  coverageChanged: CoverageChange[];
  throughput: { baseline: number; now: number; changePct: number | null };
  /** Why some items were not compared (a different --ops, say). */
  notes: string[];
  regressed: boolean;
}

export interface CurrentRun {
  ops: number;
  users: number;
  plants: string[];
  items: Array<{ id: string; kind: "scenario" | "seed"; ok: boolean; traceHash: string }>;
  coverage: Record<string, number>;
  messagesPerSecond: number;
}

export function compareBaseline(file: string, base: Baseline, now: CurrentRun): BaselineComparison {
  const notes: string[] = [];
  const seedsComparable = base.ops === now.ops && base.users === now.users;
  if (!seedsComparable)
    notes.push(
      `the baseline's seeds ran with --ops ${base.ops} (${base.users} users), this run with --ops ${now.ops} (${now.users} users): seeds are not compared, scenarios are`,
    );
  if (base.plants.join(",") !== now.plants.join(","))
    notes.push(
      `planted bugs differ: baseline [${base.plants.join(", ") || "none"}], now [${now.plants.join(", ") || "none"}]`,
    );
  const c: BaselineComparison = {
    file,
    baselineRunId: base.runId,
    newFailures: [],
    fixed: [],
    stillFailing: [],
    added: [],
    notRun: [],
    traceChanged: 0,
    coverageLost: [],
    coverageGained: [],
    coverageChanged: [],
    throughput: {
      baseline: base.throughput.messagesPerSecond,
      now: now.messagesPerSecond,
      changePct:
        base.throughput.messagesPerSecond > 0
          ? Math.round(
              ((now.messagesPerSecond - base.throughput.messagesPerSecond) * 1000) /
                base.throughput.messagesPerSecond,
            ) / 10
          : null,
    },
    notes,
    regressed: false,
  };
  const seen = new Set<string>();
  for (const it of now.items) {
    seen.add(it.id);
    const b = base.items[it.id];
    if (b === undefined || (it.kind === "seed" && !seedsComparable)) {
      c.added.push(it.id);
      continue;
    }
    if (b.ok && !it.ok) c.newFailures.push(it.id);
    else if (!b.ok && it.ok) c.fixed.push(it.id);
    else if (!b.ok && !it.ok) c.stillFailing.push(it.id);
    else if (b.traceHash !== it.traceHash) c.traceChanged++;
  }
  for (const id of Object.keys(base.items))
    if (!seen.has(id) && (seedsComparable || !id.startsWith("seed/"))) c.notRun.push(id);
  const events = [...new Set([...Object.keys(base.coverage), ...Object.keys(now.coverage)])].sort();
  for (const event of events) {
    const b = base.coverage[event] ?? 0;
    const n = now.coverage[event] ?? 0;
    if (b === n) continue;
    const ch = { event, baseline: b, now: n };
    c.coverageChanged.push(ch);
    if (b > 0 && n === 0) c.coverageLost.push(ch);
    if (b === 0 && n > 0) c.coverageGained.push(ch);
  }
  c.regressed = c.newFailures.length > 0 || c.coverageLost.length > 0;
  return c;
}
