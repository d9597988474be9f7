/**
 * Conformance machinery: a case is a sequence of store calls against any `Store` (the simulated
 * one or cassandra-driver against a real Cassandra); a Recorder turns the answers into a JSON
 * transcript (rows, columns, `[applied]`, or the error's name, code and message), so that the
 * same case run on both sides can be compared, and golden transcripts recorded from a real
 * Cassandra 5.0 can be checked against the simulator in CI.
 */
import type { BatchStatement, CqlValue, QueryOptions, Store } from "../../engine/ports/store.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface StepRecord {
  /** The call, with `{ks}` left as written. */
  call: string;
  params?: Json;
  options?: Json;
  ok?: { columns: string[] | null; rows: Json[]; applied: boolean };
  error?: { name: string; code: number | null; message: string };
  /** "code": compare only the error's name and code (syntax error texts are ANTLR's). */
  compare?: "code";
  note?: string;
}

export interface CallOptions extends QueryOptions {
  compare?: "code";
}

/** JSON form of a value: bigint as "123n", everything else as is. */
export function jsonValue(v: unknown): Json {
  if (typeof v === "bigint") return `${v}n`;
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v !== null && typeof v === "object") {
    const o: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) o[k] = jsonValue(x);
    return o;
  }
  return v as Json;
}

export class Recorder {
  readonly ks: string;
  readonly steps: StepRecord[] = [];
  private readonly store: Store;

  constructor(store: Store, ks: string) {
    this.store = store;
    this.ks = ks;
  }

  private sub(q: string): string {
    return q.replaceAll("{ks}", this.ks);
  }

  private norm(message: string): string {
    // the keyspace name varies between runs; messages name it
    return message.split(this.ks).join("{ks}");
  }

  private async record(step: StepRecord, call: () => Promise<unknown>): Promise<void> {
    try {
      const rs = (await call()) as {
        rows?: Array<Record<string, unknown>>;
        columns?: Array<{ name: string }> | null;
        wasApplied(): boolean;
      };
      step.ok = {
        columns: rs.columns ? rs.columns.map((c) => c.name) : null,
        rows: (rs.rows ?? []).map((r) => jsonValue({ ...r })),
        applied: rs.wasApplied(),
      };
    } catch (e) {
      const err = e as { name?: string; code?: unknown; message?: string };
      step.error = {
        name: String(err.name),
        code: typeof err.code === "number" ? err.code : null,
        message: this.norm(String(err.message)),
      };
    }
    this.steps.push(step);
  }

  /** store.execute, recorded. */
  exec(query: string, params?: CqlValue[], options?: CallOptions): Promise<void> {
    const { compare, ...opts } = options ?? {};
    const step: StepRecord = { call: query };
    if (params !== undefined) step.params = jsonValue(params);
    if (Object.keys(opts).length > 0) step.options = jsonValue(opts);
    if (compare !== undefined) step.compare = compare;
    return this.record(step, () => this.store.execute(this.sub(query), params, opts));
  }

  /** store.batch, recorded. */
  batch(queries: BatchStatement[], options?: CallOptions): Promise<void> {
    const { compare, ...opts } = options ?? {};
    const texts = queries.map((q) => q.query);
    const same = texts.length > 1 && texts.every((t) => t === texts[0]);
    const step: StepRecord = {
      call: same ? `BATCH ${texts.length} × ${texts[0]}` : `BATCH ${texts.join(" ; ")}`,
    };
    const params = queries.map((q) => q.params ?? null);
    if (params.some((p) => p !== null)) step.params = jsonValue(params);
    if (Object.keys(opts).length > 0) step.options = jsonValue(opts);
    if (compare !== undefined) step.compare = compare;
    const subbed = queries.map((q) => ({ ...q, query: this.sub(q.query) }));
    return this.record(step, () => this.store.batch(subbed, opts));
  }

  /** Records a value computed by the case itself. */
  note(label: string, value: unknown): void {
    this.steps.push({ call: `note ${label}`, note: JSON.stringify(jsonValue(value)) });
  }
}

export interface ConformanceCase {
  name: string;
  /** DDL run before the case (with `{ks}`), not recorded. */
  setup: string[];
  run(r: Recorder): Promise<void>;
}

/** Runs one case against a store (setup included) and returns its transcript. */
export async function runCase(c: ConformanceCase, store: Store, ks: string): Promise<StepRecord[]> {
  for (const q of c.setup) await store.execute(q.replaceAll("{ks}", ks));
  const r = new Recorder(store, ks);
  await c.run(r);
  return r.steps;
}

/** Differences between two transcripts of a case (empty: they agree). */
export function diffTranscripts(expected: StepRecord[], actual: StepRecord[]): string[] {
  const out: string[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === undefined || a === undefined) {
      out.push(`step ${i}: ${e === undefined ? "extra" : "missing"} step ${JSON.stringify(e ?? a)}`);
      continue;
    }
    const loose = e.compare === "code" || a.compare === "code";
    const strip = (s: StepRecord) => {
      const { compare: _c, ...rest } = s;
      if (loose && rest.error)
        return { ...rest, error: { name: rest.error.name, code: rest.error.code, message: "" } };
      return rest;
    };
    const x = JSON.stringify(strip(e));
    const y = JSON.stringify(strip(a));
    if (x !== y) out.push(`step ${i} (${e.call}):\n  expected ${x}\n  actual   ${y}`);
  }
  return out;
}
