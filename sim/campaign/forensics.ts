/**
 * Forensics for a failing run: re-runs it in this process with the trace kept, and extracts what
 * a person needs to understand the failure without replaying it: the trace around the failing
 * step, a timeline of the scenario's ops, faults, crashes and violations, the balances over time
 * of the users the violation names (from `balance.events`, each event tagged with the scheduler
 * step that appended it) and the ledger rows (`balance_ledger`) of the partitions it names, with
 * the rows where the chain breaks marked. The gate (`tradesim gate`) puts this in its reports.
 *
 * The re-run is the same seed and scenario, so it is the same run: its trace hash is compared
 * with the original's and a mismatch is reported (`reproduced: false`), never hidden.
 */
import { formatAmount } from "../../engine/domain/amount.ts";
import { ASSETS, type AssetInfo, assetByCode, assetById } from "../../engine/domain/assets.ts";
import { TABLES } from "../../engine/schema/cql.ts";
import { ALL_INVARIANTS } from "../../invariants/index.ts";
import type { Invariant, Violation } from "../../invariants/types.ts";
import type { Scenario } from "../../scenarios/format.ts";
import type { TraceEntry } from "../kernel/trace.ts";
import type { Plant } from "../plants/catalog.ts";
import { SIM_EPOCH_MS } from "../ports/clock.ts";
import { runScenario } from "../runner/run.ts";

export type TimelineKind = "op" | "fault" | "crash" | "restart" | "failure" | "violation" | "world" | "drain";

export interface TraceLine {
  step: number;
  /** Virtual time, milliseconds since the run began. */
  ms: number;
  text: string;
  kind?: TimelineKind;
  /** At the failing step. */
  failing?: boolean;
}

export interface BalancePoint {
  step: number;
  ms: number;
  seq: string;
  /** Whole units ("8999.99"), as the API shows them. */
  avail: string;
  frozen: string;
  cause: string;
  ref: string;
}

export interface BalanceSeries {
  user: number;
  asset: number;
  assetCode: string;
  points: BalancePoint[];
}

export interface LedgerRow {
  seq: string;
  event: string;
  ref: string;
  deltaAvail: string;
  deltaFrozen: string;
  avail: string;
  frozen: string;
  /** Virtual ms of `created_at`. */
  ms: number;
  /** Why the chain breaks at this row (seq gap, or balance not previous plus deltas). */
  broken?: string;
}

export interface LedgerPartition {
  user: number;
  asset: number;
  assetCode: string;
  rows: LedgerRow[];
  /** Rows not shown (the partition had more than the cap; the ones nearest a break are kept). */
  omitted: number;
  breaks: number;
  /** The query failed (a planted bug may have broken the table): the error. */
  error?: string;
}

export interface Forensics {
  itemId: string;
  replay: string;
  /** The re-run gave the original's trace hash. */
  reproduced: boolean;
  traceHash: string;
  expectedTraceHash: string;
  /** The first violation (the failing step is its step). */
  violation: Violation;
  failingStep: number;
  failingMs: number;
  /** The scenario step being executed then (index and JSON), if any. */
  failingOp: number;
  failingOpText: string | null;
  lastStep: number;
  lastMs: number;
  /** Notable trace entries: the scenario's ops, faults, crashes, restarts, violations. */
  timeline: TraceLine[];
  timelineOmitted: number;
  /** Every trace entry in a window around the failing step. */
  window: TraceLine[];
  /** The users whose balances are shown, and whether the violation named them. */
  users: number[];
  usersFrom: "violation" | "the most active users (the violation names none)";
  balances: BalanceSeries[];
  ledger: LedgerPartition[];
  notes: string[];
}

export interface InvestigateOptions {
  itemId: string;
  scenario: Scenario;
  replay: string;
  expectedTraceHash: string;
  plants?: readonly Plant[];
  /** Most balance series (partitions) charted (default 4) and ledger partitions shown (3). */
  maxSeries?: number;
  maxLedgers?: number;
  /** Most timeline entries (default 600) and trace entries around the failing step (120). */
  maxTimeline?: number;
  windowBefore?: number;
  windowAfter?: number;
  maxLedgerRows?: number;
}

const NOTABLE: Array<[RegExp, TimelineKind]> = [
  [/^op \d+ /, "op"],
  [/^fault /, "fault"],
  [/^crash /, "crash"],
  [/^start \w+#([2-9]|\d\d+)/, "restart"],
  [/^failed /, "failure"],
  [/^violation /, "violation"],
  [/^world: /, "world"],
  [/^drain$/, "drain"],
];

export function classify(text: string): TimelineKind | undefined {
  for (const [re, kind] of NOTABLE) if (re.test(text)) return kind;
  return undefined;
}

function ms(us: number): number {
  return Math.round(us / 1000);
}

function assetOf(x: string | undefined): AssetInfo | undefined {
  if (x === undefined) return undefined;
  const t = x.replace(/^"|"$/g, "");
  try {
    return /^\d+$/.test(t) ? assetById(Number(t)) : assetByCode(t);
  } catch {
    return undefined;
  }
}

/** The (user, asset?) partitions a violation names, in its values or its message. */
export function partitionsNamed(v: Violation): Array<{ user: number; asset?: number }> {
  const users: number[] = [];
  const add = (u: number) => {
    if (Number.isSafeInteger(u) && u > 0 && !users.includes(u)) users.push(u);
  };
  for (const key of ["user", "user_id"]) {
    const x = v.values[key];
    if (x !== undefined && /^\d+$/.test(x)) add(Number(x));
  }
  for (const m of v.message.matchAll(/\buser (\d+)/g)) add(Number(m[1]));
  let asset = assetOf(v.values.asset) ?? assetOf(v.values.asset_id);
  if (asset === undefined) {
    const m = /\basset (\d+|[A-Z]{2,6})\b/.exec(v.message);
    asset = assetOf(m?.[1]);
  }
  if (asset === undefined) {
    const m = new RegExp(`\\b(${ASSETS.map((a) => a.code).join("|")})\\b`).exec(v.message);
    asset = assetOf(m?.[1]);
  }
  return users.map((user) => (asset ? { user, asset: asset.id } : { user }));
}

/** Records each balance event with the scheduler step that appended it (reads only). */
function balanceRecorder(out: Array<{ step: number; us: number; e: BalanceEventLike }>): Invariant {
  return {
    name: "forensics/balance-recorder",
    step(a) {
      for (const { msg } of a.feed.balanceEvents) out.push({ step: a.step, us: a.world.sched.now(), e: msg });
    },
  };
}

interface BalanceEventLike {
  user_id: number;
  asset_id: number;
  seq: string;
  avail: string;
  frozen: string;
  cause: string;
  ref: string;
}

function fmt(minor: string | bigint, asset: number): string {
  try {
    return formatAmount(BigInt(minor), assetById(asset));
  } catch {
    return String(minor);
  }
}

/** Re-runs a failing item with the trace kept and extracts the forensics. */
export async function investigate(o: InvestigateOptions): Promise<Forensics> {
  const events: Array<{ step: number; us: number; e: BalanceEventLike }> = [];
  const { result, world } = await runScenario(o.scenario, {
    replay: o.replay,
    keepTraceEntries: true,
    plants: o.plants,
    invariants: () => [...ALL_INVARIANTS(), balanceRecorder(events)],
  });
  const notes: string[] = [];
  const reproduced = result.traceHash === o.expectedTraceHash;
  if (!reproduced)
    notes.push(
      `the re-run's trace hash ${result.traceHash} differs from the gate run's ${o.expectedTraceHash}: the run is not deterministic, and what is shown may not be what failed`,
    );
  const entries: readonly TraceEntry[] = world.sched.trace.entries ?? [];
  const violation: Violation = result.violations[0] ?? {
    invariant: "(none)",
    step: result.steps,
    op: -1,
    seed: String(result.seed),
    message: "the re-run did not fail",
    values: {},
  };
  if (result.violations.length === 0) notes.push("the re-run found no violation");
  const failingStep = violation.step;
  const last = entries[entries.length - 1];
  let failingUs = 0;
  for (const e of entries) {
    if (e.step > failingStep) break;
    failingUs = e.time;
  }
  const line = (e: TraceEntry, kind?: TimelineKind): TraceLine => ({
    step: e.step,
    ms: ms(e.time),
    text: e.text,
    ...(kind ? { kind } : {}),
    ...(e.step === failingStep ? { failing: true } : {}),
  });

  // Timeline: the notable entries, the ones nearest the failing step if there are too many.
  let timeline: TraceLine[] = [];
  for (const e of entries) {
    const kind = classify(e.text);
    if (kind) timeline.push(line(e, kind));
  }
  const maxTimeline = o.maxTimeline ?? 600;
  const timelineOmitted = Math.max(0, timeline.length - maxTimeline);
  if (timelineOmitted > 0) {
    const keep = new Set(
      timeline
        .map((t, i) => ({ i, d: t.kind === "violation" ? -1 : Math.abs(t.step - failingStep) }))
        .sort((a, b) => a.d - b.d || a.i - b.i)
        .slice(0, maxTimeline)
        .map((x) => x.i),
    );
    timeline = timeline.filter((_, i) => keep.has(i));
  }

  // The trace around the failing step: `before` entries before it, all of it, `after` after.
  const firstAt = entries.findIndex((e) => e.step >= failingStep);
  const from = Math.max(0, (firstAt === -1 ? entries.length : firstAt) - (o.windowBefore ?? 60));
  let to = firstAt === -1 ? entries.length : firstAt;
  while (to < entries.length && entries[to].step <= failingStep) to++;
  to = Math.min(entries.length, to + (o.windowAfter ?? 20));
  const window = entries.slice(from, to).map((e) => line(e, classify(e.text)));

  // Whose balances: the partitions the violations name; else the most active users.
  const named: Array<{ user: number; asset?: number }> = [];
  for (const v of result.violations.slice(0, 5))
    for (const p of partitionsNamed(v))
      if (!named.some((n) => n.user === p.user && n.asset === p.asset)) named.push(p);
  const byPartition = new Map<string, BalancePoint[]>();
  const activity = new Map<number, number>();
  for (const { step, us, e } of events) {
    const key = `${e.user_id}:${e.asset_id}`;
    let pts = byPartition.get(key);
    if (pts === undefined) byPartition.set(key, (pts = []));
    pts.push({
      step,
      ms: ms(us),
      seq: e.seq,
      avail: fmt(e.avail, e.asset_id),
      frozen: fmt(e.frozen, e.asset_id),
      cause: e.cause,
      ref: e.ref,
    });
    if (e.user_id > 0) activity.set(e.user_id, (activity.get(e.user_id) ?? 0) + 1);
  }
  const partitionsOf = (user: number, asset?: number): Array<{ user: number; asset: number }> =>
    asset !== undefined
      ? [{ user, asset }]
      : ASSETS.filter((a) => byPartition.has(`${user}:${a.id}`)).map((a) => ({ user, asset: a.id }));
  let usersFrom: Forensics["usersFrom"] = "violation";
  let wanted = named.flatMap((n) => partitionsOf(n.user, n.asset));
  if (named.length === 0) {
    usersFrom = "the most active users (the violation names none)";
    const top = [...activity.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 2);
    wanted = top.flatMap(([user]) => {
      const ps = partitionsOf(user);
      // Their most active asset only: the chart is about the shape, not every holding.
      ps.sort(
        (a, b) =>
          (byPartition.get(`${user}:${b.asset}`)?.length ?? 0) -
          (byPartition.get(`${user}:${a.asset}`)?.length ?? 0),
      );
      return ps.slice(0, 1);
    });
  }
  const seen = new Set<string>();
  wanted = wanted.filter((p) => {
    const k = `${p.user}:${p.asset}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const balances: BalanceSeries[] = wanted.slice(0, o.maxSeries ?? 4).map((p) => ({
    user: p.user,
    asset: p.asset,
    assetCode: assetById(p.asset).code,
    points: byPartition.get(`${p.user}:${p.asset}`) ?? [],
  }));
  if (wanted.length > balances.length)
    notes.push(
      `${wanted.length - balances.length} more partition(s) named by the violations are not charted`,
    );

  const ledgerKeys = usersFrom === "violation" ? wanted.slice(0, o.maxLedgers ?? 3) : [];
  if (usersFrom !== "violation")
    notes.push("the violation names no ledger partition, so no ledger rows are shown");
  const ledger = ledgerKeys.map((p) =>
    ledgerPartition(world, p.user, p.asset, violation, o.maxLedgerRows ?? 200),
  );

  return {
    itemId: o.itemId,
    replay: o.replay,
    reproduced,
    traceHash: result.traceHash,
    expectedTraceHash: o.expectedTraceHash,
    violation,
    failingStep,
    failingMs: ms(failingUs),
    failingOp: violation.op,
    failingOpText:
      violation.op >= 0 && violation.op < o.scenario.steps.length
        ? JSON.stringify(o.scenario.steps[violation.op])
        : violation.op === -1
          ? "(the end-of-run drain: every open order cancelled, final checks)"
          : null,
    lastStep: last?.step ?? result.steps,
    lastMs: ms(last?.time ?? 0),
    timeline,
    timelineOmitted,
    window,
    users: [...new Set(balances.map((b) => b.user))],
    usersFrom,
    balances,
    ledger,
    notes,
  };
}

type WorldLike = Awaited<ReturnType<typeof runScenario>>["world"];

function ledgerPartition(
  world: WorldLike,
  user: number,
  asset: number,
  v: Violation,
  cap: number,
): LedgerPartition {
  const code = assetById(asset).code;
  const out: LedgerPartition = { user, asset, assetCode: code, rows: [], omitted: 0, breaks: 0 };
  let raw: Array<Record<string, unknown>>;
  try {
    raw = world.scylla.query(
      `SELECT seq, delta_avail, delta_frozen, avail, frozen, event_type, ref_id, created_at FROM ${world.config.keyspace}.${TABLES.ledger} WHERE user_id = ? AND asset_id = ? ORDER BY seq ASC`,
      [BigInt(user), asset],
    ).rows as Array<Record<string, unknown>>;
  } catch (e) {
    out.error = (e as Error).message;
    return out;
  }
  let prev = { seq: 0n, avail: 0n, frozen: 0n };
  const rows: LedgerRow[] = raw.map((r) => {
    const seq = BigInt(r.seq as bigint);
    const avail = BigInt(r.avail as bigint);
    const frozen = BigInt(r.frozen as bigint);
    const da = BigInt(r.delta_avail as bigint);
    const df = BigInt(r.delta_frozen as bigint);
    let broken: string | undefined;
    if (seq !== prev.seq + 1n) broken = `seq ${seq} follows ${prev.seq}`;
    else if (avail !== prev.avail + da || frozen !== prev.frozen + df)
      broken = `${fmt(avail, asset)}/${fmt(frozen, asset)} is not the previous ${fmt(prev.avail, asset)}/${fmt(prev.frozen, asset)} plus ${fmt(da, asset)}/${fmt(df, asset)}`;
    prev = { seq, avail, frozen };
    return {
      seq: String(seq),
      event: String(r.event_type ?? ""),
      ref: String(r.ref_id ?? ""),
      deltaAvail: fmt(da, asset),
      deltaFrozen: fmt(df, asset),
      avail: fmt(avail, asset),
      frozen: fmt(frozen, asset),
      ms: Number(BigInt((r.created_at as bigint | null) ?? 0n) - BigInt(SIM_EPOCH_MS)),
      ...(broken ? { broken } : {}),
    };
  });
  out.breaks = rows.filter((r) => r.broken).length;
  if (rows.length <= cap) out.rows = rows;
  else {
    // Keep the rows nearest the first break (or the seq the violation names, or the end).
    let at = rows.findIndex((r) => r.broken);
    if (at === -1 && v.values.seq !== undefined) at = rows.findIndex((r) => r.seq === v.values.seq);
    if (at === -1) at = rows.length - 1;
    const start = Math.max(0, Math.min(rows.length - cap, at - Math.floor(cap / 2)));
    out.rows = rows.slice(start, start + cap);
    out.omitted = rows.length - cap;
  }
  return out;
}
