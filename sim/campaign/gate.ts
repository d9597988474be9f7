/**
 * The CI correctness gate (`tradesim gate`): replays every scenario file (authored, regressions,
 * extra folders), then seeded generated runs under each fault profile, over the worker pool;
 * re-runs each failure in-process for forensics; compares with the committed baseline; and
 * assembles one `GateReport`, from which every report format is rendered (report/).
 *
 * Seeds: with a range (`--seeds A..B`) the gate is deterministic: each seed under every profile,
 * plus (unless `--load 0`) once more under the last profile as open-loop load, where cancels,
 * retries and fills race hardest.
 * With a budget (`--budget 2m`) it keeps starting seeds A, A+1, … (each under every profile,
 * both always together) until the time is spent: which seeds ran depends on the machine's speed,
 * but each seed's result does not, and the report names the range that ran.
 */

import { createHash } from "node:crypto";
import { RARE_EVENTS } from "../../invariants/coverage.ts";
import { loadScenario, type Scenario } from "../../scenarios/format.ts";
import { runCommand } from "../../scenarios/generate/command.ts";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import { plantByName } from "../plants/catalog.ts";
import type { RunResult } from "../runner/result.ts";
import { type Baseline, type BaselineComparison, compareBaseline } from "./baseline.ts";
import { type Forensics, investigate } from "./forensics.ts";
import { runPoolFrom } from "./pool.ts";
import { type CampaignSummary, summarize } from "./summary.ts";
import type { Job } from "./worker.ts";

export interface GateConfig {
  /** Scenario files (already validated), in the order they are reported. */
  scenarioFiles: string[];
  /** First seed, and last (null: unbounded, only with a budget). */
  seeds: { from: number; to: number | null };
  /** Stop starting new seeds after this many ms (null: run the whole range). */
  budgetMs: number | null;
  ops: number;
  users: number;
  profiles: string[];
  /** Also run each seed as open-loop load (requests per 5 ms) under the last profile; 0 = not. */
  load: number;
  workers: number;
  plants: string[];
  onProgress?: (p: GateProgress) => void;
}

export interface GateProgress {
  done: number;
  failed: number;
  /** Known only for a seed range. */
  total: number | null;
  last: string;
}

export type ItemSpec =
  | { kind: "scenario"; file: string }
  | { kind: "seed"; seed: number; ops: number; users: number; profile: string; load?: number };

export interface GateItem {
  /** Stable across runs: the scenario's path, or `seed/<profile>/<seed>` (`<profile>+load<L>` under load). */
  id: string;
  kind: "scenario" | "seed";
  name: string;
  spec: ItemSpec;
  ok: boolean;
  /** The run could not complete (a worker died, a scenario the engine rejected): a failure. */
  error?: string;
  result?: RunResult;
  replay: string;
}

export interface GateRun {
  items: GateItem[];
  wallMs: number;
  seedsRun: { from: number; to: number; count: number } | null;
  budgetSpent: boolean;
}

/** A seeded run's profile, with its load shape if open-loop ("all+load20"). */
export function shapeOf(spec: { profile: string; load?: number }): string {
  return spec.load === undefined ? spec.profile : `${spec.profile}+load${spec.load}`;
}

export function seedItemId(profile: string, seed: number, load?: number): string {
  return `seed/${shapeOf({ profile, load })}/${seed}`;
}

function replayFor(spec: ItemSpec, plants: string[]): string {
  const suffix = plants.length > 0 ? ` --plant ${plants.join(",")}` : "";
  if (spec.kind === "scenario") return `npx tradesim replay ${spec.file}${suffix}`;
  return runCommand(spec) + suffix;
}

export function scenarioFor(spec: ItemSpec): Scenario {
  return spec.kind === "scenario"
    ? loadScenario(spec.file)
    : generateScenario({
        seed: spec.seed,
        ops: spec.ops,
        users: spec.users,
        profile: spec.profile,
        load: spec.load,
      });
}

/** Runs every scenario file and the seeds over the worker pool; items come back in a fixed order. */
export async function runGate(cfg: GateConfig): Promise<GateRun> {
  const t0 = performance.now();
  const deadline = cfg.budgetMs === null ? Number.POSITIVE_INFINITY : t0 + cfg.budgetMs;
  const specs: ItemSpec[] = [];
  const jobOf = (spec: ItemSpec): Job => {
    specs.push(spec);
    const id = specs.length - 1;
    return spec.kind === "scenario"
      ? { kind: "file", id, file: spec.file, plants: cfg.plants }
      : {
          kind: "seed",
          id,
          seed: spec.seed,
          ops: spec.ops,
          profile: spec.profile,
          users: spec.users,
          load: spec.load,
          plants: cfg.plants,
        };
  };
  const queue: Job[] = cfg.scenarioFiles.map((file) => jobOf({ kind: "scenario", file }));
  let seed = cfg.seeds.from;
  let lastSeed: number | null = null;
  let budgetSpent = false;
  const next = (): Job | undefined => {
    const j = queue.shift();
    if (j !== undefined) return j;
    if (cfg.seeds.to !== null && seed > cfg.seeds.to) return undefined;
    // The first seed always starts, however small the budget.
    if (lastSeed !== null && performance.now() >= deadline) {
      budgetSpent = true;
      return undefined;
    }
    // A seed's profiles are queued together, so no seed is ever half-run.
    for (const profile of cfg.profiles)
      queue.push(jobOf({ kind: "seed", seed, ops: cfg.ops, users: cfg.users, profile }));
    if (cfg.load > 0) {
      const profile = cfg.profiles[cfg.profiles.length - 1];
      queue.push(jobOf({ kind: "seed", seed, ops: cfg.ops, users: cfg.users, profile, load: cfg.load }));
    }
    lastSeed = seed++;
    return queue.shift();
  };
  const total =
    cfg.seeds.to === null || cfg.budgetMs !== null
      ? null
      : cfg.scenarioFiles.length +
        (cfg.seeds.to - cfg.seeds.from + 1) * (cfg.profiles.length + (cfg.load > 0 ? 1 : 0));
  const results = new Map<number, { result?: RunResult; error?: string }>();
  let failed = 0;
  await runPoolFrom(next, cfg.workers, (r) => {
    if ("error" in r) results.set(r.id, { error: r.error });
    else results.set(r.id, { result: r.result });
    if ("error" in r || !r.result.ok) failed++;
    const spec = specs[r.id];
    cfg.onProgress?.({
      done: results.size,
      failed,
      total,
      last: spec.kind === "scenario" ? spec.file : seedItemId(spec.profile, spec.seed, spec.load),
    });
  });
  const items: GateItem[] = specs.map((spec, id) => {
    const r = results.get(id) ?? { error: "not run" };
    const itemId = spec.kind === "scenario" ? spec.file : seedItemId(spec.profile, spec.seed, spec.load);
    const name =
      spec.kind === "scenario" ? (r.result?.name ?? spec.file) : `seed ${spec.seed} (${shapeOf(spec)})`;
    return {
      id: itemId,
      kind: spec.kind,
      name,
      spec,
      ok: r.result?.ok === true && r.error === undefined,
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.result ? { result: r.result } : {}),
      replay: r.result?.replay ?? replayFor(spec, cfg.plants),
    };
  });
  return {
    items,
    wallMs: Math.round(performance.now() - t0),
    seedsRun:
      lastSeed === null ? null : { from: cfg.seeds.from, to: lastSeed, count: lastSeed - cfg.seeds.from + 1 },
    budgetSpent,
  };
}

/** Re-runs up to `max` failing items in this process for their forensics. */
export async function gateForensics(
  items: GateItem[],
  plants: string[],
  max: number,
  onItem?: (id: string) => void,
): Promise<Forensics[]> {
  const out: Forensics[] = [];
  for (const it of items.filter((i) => !i.ok && i.result !== undefined).slice(0, max)) {
    onItem?.(it.id);
    out.push(
      await investigate({
        itemId: it.id,
        scenario: scenarioFor(it.spec),
        replay: it.replay,
        expectedTraceHash: it.result!.traceHash,
        plants: plants.map(plantByName),
      }),
    );
  }
  return out;
}

export interface GateReport {
  tool: "tradesim gate";
  version: 1;
  /** A hash of what ran and how it ended (not of the time): the same run gives the same id. */
  runId: string;
  verdict: "pass" | "fail";
  exitCode: 0 | 1;
  /** Why the gate failed (empty when it passed). */
  reasons: string[];
  options: {
    seeds: string | null;
    budget: string | null;
    ops: number;
    users: number;
    profiles: string[];
    workers: number;
    plants: string[];
    scenarioDirs: string[];
    baseline: string | null;
    updateBaseline: boolean;
  };
  seedsRun: GateRun["seedsRun"];
  budgetSpent: boolean;
  items: GateItem[];
  totals: {
    items: number;
    passed: number;
    failed: number;
    errors: number;
    scenarios: { total: number; failed: number };
    seeds: { total: number; failed: number };
    steps: number;
    ops: number;
    messages: number;
    invariantChecks: number;
    cpuMs: number;
    wallMs: number;
    messagesPerSecond: number;
  };
  byInvariant: CampaignSummary["byInvariant"];
  faults: Record<string, number>;
  coverage: Record<string, number>;
  rareEvents: Record<string, string>;
  neverReached: string[];
  forensics: Forensics[];
  /** Failing items without forensics (more than the cap). */
  forensicsOmitted: number;
  baseline: BaselineComparison | null;
  /** Set when --update-baseline wrote the baseline. */
  baselineWritten: string | null;
}

export function runIdOf(
  run: GateRun,
  cfg: Pick<GateConfig, "ops" | "users" | "profiles" | "plants">,
): string {
  const h = createHash("sha256");
  h.update(
    JSON.stringify({
      ops: cfg.ops,
      users: cfg.users,
      profiles: cfg.profiles,
      plants: cfg.plants,
      items: run.items.map((i) => [i.id, i.result?.traceHash ?? i.error ?? "", i.ok]),
    }),
  );
  return `gate-${h.digest("hex").slice(0, 12)}`;
}

export interface AssembleOptions {
  cfg: GateConfig;
  options: GateReport["options"];
  run: GateRun;
  forensics: Forensics[];
  baseline: { file: string; data: Baseline } | null;
}

export function assembleReport(o: AssembleOptions): GateReport {
  const { run, cfg } = o;
  const results = run.items.flatMap((i) => (i.result ? [i.result] : []));
  const errors = run.items.filter((i) => i.error !== undefined).map((i) => ({ job: i.id, error: i.error! }));
  const s = summarize(results, errors, run.wallMs);
  const runId = runIdOf(run, cfg);
  const failedItems = run.items.filter((i) => !i.ok);
  const comparison =
    o.baseline === null
      ? null
      : compareBaseline(o.baseline.file, o.baseline.data, {
          ops: cfg.ops,
          users: cfg.users,
          plants: cfg.plants,
          items: run.items.map((i) => ({
            id: i.id,
            kind: i.kind,
            ok: i.ok,
            traceHash: i.result?.traceHash ?? "",
          })),
          coverage: s.coverage,
          messagesPerSecond: s.messagesPerSecond,
        });
  const reasons: string[] = [];
  const violated = failedItems.filter((i) => i.error === undefined).length;
  if (violated > 0) reasons.push(`${violated} item(s) violated an invariant or an expect`);
  if (errors.length > 0) reasons.push(`${errors.length} item(s) could not run`);
  if (comparison && !o.options.updateBaseline) {
    if (comparison.newFailures.length > 0)
      reasons.push(`${comparison.newFailures.length} item(s) passed in the baseline and fail now`);
    if (comparison.coverageLost.length > 0)
      reasons.push(
        `rare event(s) reached in the baseline are no longer reached: ${comparison.coverageLost.map((c) => c.event).join(", ")}`,
      );
  }
  const scen = run.items.filter((i) => i.kind === "scenario");
  const seeds = run.items.filter((i) => i.kind === "seed");
  return {
    tool: "tradesim gate",
    version: 1,
    runId,
    verdict: reasons.length === 0 ? "pass" : "fail",
    exitCode: reasons.length === 0 ? 0 : 1,
    reasons,
    options: o.options,
    seedsRun: run.seedsRun,
    budgetSpent: run.budgetSpent,
    items: run.items,
    totals: {
      items: run.items.length,
      passed: run.items.length - failedItems.length,
      failed: failedItems.length,
      errors: errors.length,
      scenarios: { total: scen.length, failed: scen.filter((i) => !i.ok).length },
      seeds: { total: seeds.length, failed: seeds.filter((i) => !i.ok).length },
      steps: s.steps,
      ops: s.ops,
      messages: s.messages,
      invariantChecks: results.reduce((n, r) => n + r.invariantChecks, 0),
      cpuMs: s.cpuMs,
      wallMs: s.wallMs,
      messagesPerSecond: s.messagesPerSecond,
    },
    byInvariant: s.byInvariant,
    faults: s.faults,
    coverage: s.coverage,
    rareEvents: { ...RARE_EVENTS },
    neverReached: s.neverReached,
    forensics: o.forensics,
    forensicsOmitted: Math.max(0, failedItems.filter((i) => i.result).length - o.forensics.length),
    baseline: comparison,
    baselineWritten: null,
  };
}
