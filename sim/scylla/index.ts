/**
 * The simulated Scylla: one node that parses and evaluates a real CQL subset (see README.md),
 * with Cassandra 5.0's validation and error texts, and hostile behaviour from the fault catalog.
 *
 *   const scylla = new SimScylla(sched, faults);
 *   const store = scylla.client(proc);          // the engine's Store port, bound to a process
 *   scylla.query("SELECT ...", [..])            // synchronous, no latency, no faults (invariants)
 *   scylla.firstRow("trading", "balance_ledger", [1001n, 1])
 *
 * Timing: a statement sent at t reaches the server at t + L/2 and its answer the client at t + L,
 * L drawn per statement from `faults.latencyUs("scylla.latency", ...)`. The server applies it at
 * its arrival whether or not the sender is still alive; the answer is dropped if the sender's
 * incarnation has crashed (its promise never settles).
 */
import type {
  BatchStatement,
  CqlValue,
  QueryOptions,
  ResultSet,
  Row,
  Store,
} from "../../engine/ports/store.ts";
import type { FaultInjector } from "../faults/injector.ts";
import type { SimProcess } from "../kernel/process.ts";
import type { Scheduler } from "../kernel/scheduler.ts";
import { SIM_EPOCH_MS } from "../ports/clock.ts";
import {
  ArgumentError,
  Consistency,
  clientTimeout,
  DRIVER_MSG,
  invalid,
  MSG,
  NoHostAvailableError,
  ResponseError,
  type WriteType,
  writeTimeout,
} from "./errors.ts";
import { Database, type ExecResult, type Mutation, voidResult } from "./evaluate.ts";
import { type Parsed, parse } from "./parser.ts";
import type { TableDef } from "./schema.ts";
import { cellValue, type StoredRow } from "./storage.ts";
import { bindPrepared, decodeBytes, guessBytes, type Value } from "./types.ts";
import { type Prepared, type PreparedWrite, prepare, type Receiver } from "./validate.ts";

export {
  ArgumentError,
  ErrorCode,
  NoHostAvailableError,
  OperationTimedOutError,
  ResponseError,
} from "./errors.ts";

export interface SimScyllaOptions {
  /** Typical round trip of a statement, µs (the base of `faults.latencyUs`). */
  baseLatencyUs?: number;
  /** Longest extra latency of the heavy tail, µs. */
  tailLatencyUs?: number;
  /** Rows per page: a SELECT answers at most this many rows (cassandra-driver's default fetchSize). */
  pageSize?: number;
  /** Server-side write timeout (write_request_timeout), µs: when a WriteTimeout reaches the client. */
  writeTimeoutUs?: number;
  /** Client-side read timeout (socketOptions.readTimeout), µs: when an OperationTimedOutError does. */
  clientTimeoutUs?: number;
  /** The host named in client-side errors. */
  host?: string;
}

/** One applied change, for observers (invariant checkers that follow writes incrementally). */
export interface AppliedWrite {
  keyspace: string;
  table: string;
  /** Partition key values, in partition key order. */
  pk: readonly CqlValue[];
}

export type WriteListener = (w: AppliedWrite) => void;

/** The outcomes of a `scylla.write-timeout`: lost, applied before the error, or applied after it. */
export type TimeoutOutcome = "lost" | "applied" | "applied-late";

/** Distinct query texts kept parsed and prepared (the caches are dropped beyond). */
const MAX_CACHED = 10_000;

class SimResultSet implements ResultSet {
  readonly rows: Row[];
  readonly rowLength: number;
  readonly columns: Array<{ name: string }> | null;

  constructor(r: ExecResult) {
    this.rows = r.rows;
    this.rowLength = r.rows.length;
    this.columns = r.columns === null ? null : r.columns.map((name) => ({ name }));
  }

  first(): Row | null {
    return this.rows.length > 0 ? this.rows[0] : null;
  }

  /** As cassandra-driver: the first row's `[applied]` if it is a boolean, else true. */
  wasApplied(): boolean {
    if (this.rows.length === 0) return true;
    const a = this.rows[0]["[applied]"];
    return typeof a === "boolean" ? a : true;
  }
}

export class SimScylla {
  readonly db = new Database();
  /** @internal */
  readonly sched: Scheduler;
  /** @internal */
  readonly faults: FaultInjector;
  readonly opts: Readonly<Required<SimScyllaOptions>>;
  private readonly parsed = new Map<string, Parsed | ResponseError>();
  /** Prepared plans by keyspace in use ("" for none), then by query text. */
  private readonly prepared = new Map<
    string,
    Map<string, { version: number; p: Prepared | ResponseError }>
  >();
  private preparedCount = 0;
  private lastBallot = 0;
  private lastInternalTs = 0;
  private readonly listeners: WriteListener[] = [];
  /** Counters for reports. */
  readonly stats = {
    statements: 0,
    reads: 0,
    /** Partition mutations applied. */
    writes: 0,
    errors: 0,
    truncatedPages: 0,
    timeouts: { lost: 0, applied: 0, "applied-late": 0 } as Record<TimeoutOutcome, number>,
    lwtOwnRow: 0,
    batchPartial: 0,
  };

  constructor(sched: Scheduler, faults: FaultInjector, opts: SimScyllaOptions = {}) {
    this.sched = sched;
    this.faults = faults;
    this.opts = {
      baseLatencyUs: opts.baseLatencyUs ?? 400,
      tailLatencyUs: opts.tailLatencyUs ?? 20_000,
      pageSize: opts.pageSize ?? 5000,
      writeTimeoutUs: opts.writeTimeoutUs ?? 2_000_000,
      clientTimeoutUs: opts.clientTimeoutUs ?? 12_000_000,
      host: opts.host ?? "127.0.0.1:9042",
    };
  }

  /** The engine's Store port, bound to a process. */
  client(proc: SimProcess, opts: { keyspace?: string } = {}): Store {
    return new SimClient(this, proc, opts.keyspace ?? null);
  }

  /** Subscribes to every applied partition change (also those applied by faults, late or partially). */
  onWrite(listener: WriteListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // --- inspection (no latency, no faults) ---------------------------------------------------------

  /**
   * Runs a statement at once, synchronously, without latency or faults, as a prepared statement
   * (bound values typed by their columns). Throws the error the statement would get. Writes get a
   * server timestamp. SELECTs are not paged (pass `pageSize` to page like the driver). For
   * invariant checkers and test setup.
   */
  query(
    query: string,
    params: readonly unknown[] = [],
    opts: { keyspace?: string; pageSize?: number } = {},
  ): ResultSet {
    const ks = opts.keyspace ?? null;
    const p = this.prepareQuery(query, ks);
    const values = this.bindValues(p, params, true, null, false);
    const ts = this.internalTimestamp();
    let r: ExecResult;
    switch (p.kind) {
      case "ddl":
        r = this.db.ddl(p, ks);
        break;
      case "select":
        // not paged unless asked: a checker wants every row
        r = this.db.select(p, values, opts.pageSize ?? 0);
        break;
      case "batch":
        r = this.writeBatch(
          p.statements.map((pw) => ({ pw, b: values })),
          p.logged,
          ts,
          "",
          "",
          false,
        );
        break;
      default:
        r = this.writeOne(p, values, ts, "", "", false);
    }
    return new SimResultSet(r);
  }

  /** Every live row of a table, in scan order (token order, then clustering order), all columns. */
  rows(keyspace: string, table: string): Row[] {
    const def = this.db.schema.validateTable(keyspace, table);
    const data = this.db.tableData(def);
    const out: Row[] = [];
    for (const p of data.scan()) {
      p.rows.range(null, null, false, (row) => {
        const d = data.rowDeletion(p, row);
        if (data.isLive(row, d)) out.push(this.wholeRow(def, p.pk, row, d));
        return true;
      });
    }
    return out;
  }

  /** The live rows of one partition, in clustering order. */
  partitionRows(keyspace: string, table: string, pk: readonly CqlValue[]): Row[] {
    const def = this.db.schema.validateTable(keyspace, table);
    const data = this.db.tableData(def);
    const p = data.get(data.keyOf(pk as Value[]));
    const out: Row[] = [];
    if (p === undefined) return out;
    p.rows.range(null, null, false, (row) => {
      const d = data.rowDeletion(p, row);
      if (data.isLive(row, d)) out.push(this.wholeRow(def, p.pk, row, d));
      return true;
    });
    return out;
  }

  /**
   * The first live row of a partition in clustering order: the latest row of a DESC-ordered
   * partition such as `balance_ledger`. O(1) unless the head rows are deleted.
   */
  firstRow(keyspace: string, table: string, pk: readonly CqlValue[]): Row | null {
    const def = this.db.schema.validateTable(keyspace, table);
    const data = this.db.tableData(def);
    const p = data.get(data.keyOf(pk as Value[]));
    if (p === undefined) return null;
    let found: Row | null = null;
    p.rows.range(null, null, false, (row) => {
      const d = data.rowDeletion(p, row);
      if (!data.isLive(row, d)) return true;
      found = this.wholeRow(def, p.pk, row, d);
      return false;
    });
    return found;
  }

  /** Partition keys (as rows of the partition key columns) of partitions with live rows, in token order. */
  partitionKeys(keyspace: string, table: string): Row[] {
    const def = this.db.schema.validateTable(keyspace, table);
    const data = this.db.tableData(def);
    const out: Row[] = [];
    for (const p of data.scan()) {
      let live = false;
      p.rows.range(null, null, false, (row) => {
        live = data.isLive(row, data.rowDeletion(p, row));
        return !live;
      });
      if (!live) continue;
      const r: Row = {};
      def.partitionKey.forEach((c, i) => {
        r[c.name] = p.pk[i];
      });
      out.push(r);
    }
    return out;
  }

  /** The table's definition, or undefined. */
  table(keyspace: string, table: string): TableDef | undefined {
    return this.db.schema.table(keyspace, table);
  }

  private wholeRow(def: TableDef, pk: Value[], row: StoredRow, d: number): Row {
    const r: Row = {};
    for (const c of def.partitionKey) r[c.name] = pk[c.position];
    for (const c of def.clustering) r[c.name] = row.ck[c.position];
    for (const c of def.regular) r[c.name] = cellValue(row, c.position, d);
    return r;
  }

  // --- statements ---------------------------------------------------------------------------------

  /** Parses (cached by text) and prepares (cached by keyspace and text, per schema version). */
  prepareQuery(query: string, keyspace: string | null): Prepared {
    const version = this.db.schema.version;
    let cache = this.prepared.get(keyspace ?? "");
    if (cache === undefined) {
      cache = new Map();
      this.prepared.set(keyspace ?? "", cache);
    }
    const hit = cache.get(query);
    if (hit !== undefined && hit.version === version) {
      if (hit.p instanceof ResponseError) throw hit.p;
      return hit.p;
    }
    if (this.preparedCount > MAX_CACHED) {
      // generated query texts (literals inlined) must not grow the caches without bound
      this.prepared.clear();
      this.parsed.clear();
      this.preparedCount = 0;
      cache = new Map();
      this.prepared.set(keyspace ?? "", cache);
    }
    let parsed = this.parsed.get(query);
    if (parsed === undefined) {
      try {
        parsed = parse(query);
      } catch (e) {
        if (!(e instanceof ResponseError)) throw e;
        parsed = e;
      }
      this.parsed.set(query, parsed);
    }
    let p: Prepared | ResponseError;
    if (parsed instanceof ResponseError) p = parsed;
    else {
      try {
        p = prepare(parsed, this.db.schema, keyspace);
      } catch (e) {
        if (!(e instanceof ResponseError)) throw e;
        p = e;
      }
    }
    // DDL plans are not cached: what they check depends on the schema they change
    if (p instanceof ResponseError || p.kind !== "ddl") {
      if (hit === undefined) this.preparedCount++;
      cache.set(query, { version, p });
    }
    if (p instanceof ResponseError) throw p;
    return p;
  }

  /** Bound values of a statement: count check, then typing (prepared) or decoding (unprepared). */
  bindValues(
    p: Prepared,
    params: readonly unknown[],
    prepared: boolean,
    guessed: Array<Uint8Array | null> | null,
    inBatch: boolean,
  ): Value[] {
    const markers: Receiver[] = p.kind === "ddl" ? [] : p.markers;
    const n = markers.length;
    if (params.length !== n) {
      if (inBatch) throw invalid(MSG.bindCountBatch(n, params.length));
      throw invalid(prepared ? MSG.bindCountPrepared(n, params.length) : MSG.bindCountUnprepared());
    }
    const out = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const m = markers[i];
      out[i] = prepared ? bindPrepared(m.type, params[i]) : decodeBytes(m.type, guessed![i]);
    }
    return out;
  }

  private internalTimestamp(): number {
    const now = SIM_EPOCH_MS * 1000 + this.sched.now();
    this.lastInternalTs = now > this.lastInternalTs ? now : this.lastInternalTs + 1;
    return this.lastInternalTs;
  }

  /** A Paxos ballot's timestamp: the server's clock, strictly increasing. */
  private ballot(): number {
    const now = SIM_EPOCH_MS * 1000 + this.sched.now();
    this.lastBallot = now > this.lastBallot ? now : this.lastBallot + 1;
    return this.lastBallot;
  }

  private apply(ms: readonly Mutation[]): void {
    for (const m of ms) {
      this.db.apply(m);
      this.notify(m);
    }
  }

  private notify(m: Mutation): void {
    this.stats.writes++;
    if (this.listeners.length === 0) return;
    const w: AppliedWrite = { keyspace: m.data.def.keyspace, table: m.data.def.name, pk: m.pk };
    for (const l of this.listeners) l(w);
  }

  // --- writes, with their faults --------------------------------------------------------------------

  /**
   * A `scylla.write-timeout` opportunity. When it fires, the write is lost, applied now, or applied
   * after the client got its error (seeded), and the answer is a timeout: a WriteTimeout from the
   * server after `writeTimeoutUs`, or an OperationTimedOutError from the driver after
   * `clientTimeoutUs` (seeded, even odds).
   */
  private maybeTimeout(
    procName: string,
    writeType: WriteType,
    cas: boolean,
    run: () => void,
    what: string,
  ): void {
    if (!this.faults.maybe("scylla.write-timeout", `${procName} ${what}`)) return;
    const rng = this.sched.rng("scylla/write-timeout");
    const outcome = rng.pick<TimeoutOutcome>(["lost", "applied", "applied-late"]);
    const clientSide = rng.chance(0.5);
    const errDelay = clientSide ? this.opts.clientTimeoutUs : this.opts.writeTimeoutUs;
    this.stats.timeouts[outcome]++;
    this.sched.note(
      `scylla write-timeout ${procName}: ${outcome}, ${clientSide ? "client" : "server"} timeout`,
    );
    if (outcome === "applied") run();
    else if (outcome === "applied-late") {
      const later = errDelay + 1 + rng.int(this.opts.tailLatencyUs + 1);
      this.sched.after(later, `scylla late write ${procName}`, () => {
        try {
          run();
        } catch (e) {
          // a late write that no longer validates (its table dropped, say) is lost
          if (!(e instanceof ResponseError)) throw e;
        }
      });
    }
    const err = clientSide
      ? clientTimeout(this.opts.host, Math.round(this.opts.clientTimeoutUs / 1000))
      : writeTimeout(cas ? "CAS" : writeType, cas ? Consistency.serial : Consistency.localOne);
    throw new DelayedAnswer(err, errDelay);
  }

  /** A single INSERT/UPDATE/DELETE, conditional or not. `faulty` is false for `query()`. */
  writeOne(
    p: PreparedWrite,
    values: Value[],
    ts: number,
    procName: string,
    what: string,
    faulty = true,
  ): ExecResult {
    if (p.cas !== null) {
      const run = () => {
        const out = this.db.cas(p, values, this.ballot());
        for (const m of out.mutations) this.notify(m);
        return out.result;
      };
      if (!faulty) return run();
      this.maybeTimeout(procName, "CAS", true, run, what);
      const r = run();
      if (r.applied === true && this.faults.maybe("scylla.lwt-retry-sees-own-row", `${procName} ${what}`)) {
        // applied, yet the coordinator answers a timeout: a retry finds this very row ([applied] = false)
        this.stats.lwtOwnRow++;
        throw new DelayedAnswer(writeTimeout("CAS", Consistency.serial), this.opts.writeTimeoutUs);
      }
      return r;
    }
    const mutations = this.db.mutations(p, values, ts);
    if (faulty)
      this.maybeTimeout(
        procName,
        p.table.isCounter ? "COUNTER" : "SIMPLE",
        false,
        () => this.apply(mutations),
        what,
      );
    this.apply(mutations);
    return voidResult();
  }

  /** A batch (the port's `batch()` or BEGIN BATCH): conditional, logged or unlogged. */
  writeBatch(
    items: ReadonlyArray<{ pw: PreparedWrite; b: readonly Value[] }>,
    logged: boolean,
    ts: number,
    procName: string,
    what: string,
    faulty = true,
  ): ExecResult {
    this.db.validateBatch(
      items.map((x) => x.pw),
      logged,
    );
    if (items.some((x) => x.pw.cas !== null)) {
      const run = () => {
        const out = this.db.casBatch(items, this.ballot());
        for (const m of out.mutations) this.notify(m);
        return out.result;
      };
      if (!faulty) return run();
      this.maybeTimeout(procName, "CAS", true, run, what);
      const r = run();
      if (r.applied === true && this.faults.maybe("scylla.lwt-retry-sees-own-row", `${procName} ${what}`)) {
        this.stats.lwtOwnRow++;
        throw new DelayedAnswer(writeTimeout("CAS", Consistency.serial), this.opts.writeTimeoutUs);
      }
      return r;
    }
    const mutations = this.db.batchMutations(items, ts);
    const counter = items[0].pw.counters.length > 0;
    const writeType: WriteType = logged ? "BATCH" : counter ? "COUNTER" : "UNLOGGED_BATCH";
    if (faulty) {
      this.maybeTimeout(procName, writeType, false, () => this.apply(mutations), what);
      if (
        !logged &&
        mutations.length >= 2 &&
        this.faults.maybe("scylla.batch-partial", `${procName} ${what}`)
      ) {
        // the coordinator fails part way: a non-empty proper subset of the partitions is written
        const rng = this.sched.rng("scylla/batch-partial");
        const order = rng.shuffle(mutations.map((_, i) => i));
        const k = 1 + rng.int(mutations.length - 1);
        const keep = new Set(order.slice(0, k));
        this.apply(mutations.filter((_, i) => keep.has(i)));
        this.stats.batchPartial++;
        this.sched.note(`scylla batch-partial ${procName}: ${k} of ${mutations.length} partitions written`);
        throw new DelayedAnswer(writeTimeout(writeType), this.opts.writeTimeoutUs);
      }
    }
    this.apply(mutations);
    return voidResult();
  }

  // --- the network ------------------------------------------------------------------------------------

  /**
   * @internal Sends one request: it reaches the server after half the drawn latency, where `work`
   * runs (whether or not the sender is still alive), and its answer reaches the sender after the
   * other half (never, if the sender's incarnation has crashed). A `work` that is already an Error
   * was rejected by the driver before sending.
   */
  send(proc: SimProcess, work: (() => ExecResult) | Error, labels: Labels): Promise<ResultSet> {
    this.stats.statements++;
    const d = this.sched.deferred<ResultSet>();
    const live = proc.guard();
    if (work instanceof Error) {
      this.stats.errors++;
      this.sched.after(0, labels.rejected, () => d.reject(work), live);
      return d.promise;
    }
    const total = this.faults.latencyUs("scylla.latency", this.opts.baseLatencyUs, this.opts.tailLatencyUs);
    const there = total >> 1;
    this.sched.after(there, labels.exec, () => {
      let answer: ExecResult | Error;
      let delay = total - there;
      try {
        answer = work();
      } catch (e) {
        if (e instanceof DelayedAnswer) {
          answer = e.error;
          delay = e.delayUs;
        } else if (e instanceof ResponseError || e instanceof ArgumentError) {
          answer = e;
        } else throw e;
      }
      if (answer instanceof Error) this.stats.errors++;
      else if (answer.truncated) {
        this.stats.truncatedPages++;
        this.sched.note(
          `${labels.exec}: SELECT answered with its first page (${this.opts.pageSize} rows) only`,
        );
      }
      const a = answer;
      this.sched.after(
        delay,
        labels.reply,
        () => {
          if (a instanceof Error) d.reject(a);
          else d.resolve(new SimResultSet(a));
        },
        live,
      );
    });
    return d.promise;
  }
}

/** Trace labels of one client's events (built once). */
interface Labels {
  exec: string;
  reply: string;
  rejected: string;
}

/** An answer that comes later than a normal reply (a timeout). */
class DelayedAnswer extends Error {
  readonly error: Error;
  readonly delayUs: number;

  constructor(error: Error, delayUs: number) {
    super(error.message);
    this.error = error;
    this.delayUs = delayUs;
  }
}

/** The Store port of one process: cassandra-driver's Client, simulated. */
class SimClient implements Store {
  private readonly s: SimScylla;
  private readonly proc: SimProcess;
  private keyspace: string | null;
  private lastTs = 0;
  private closed = false;
  private readonly label: Labels;

  constructor(s: SimScylla, proc: SimProcess, keyspace: string | null) {
    this.s = s;
    this.proc = proc;
    this.keyspace = keyspace;
    this.label = {
      exec: `scylla ${proc.name} exec`,
      reply: `scylla ${proc.name} reply`,
      rejected: `scylla ${proc.name} rejected`,
    };
  }

  /** cassandra-driver's client-side MonotonicTimestampGenerator, on virtual time (µs since the epoch). */
  private nextTimestamp(): number {
    const now = SIM_EPOCH_MS * 1000 + this.s.sched.now();
    this.lastTs = now > this.lastTs ? now : this.lastTs + 1;
    return this.lastTs;
  }

  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new NoHostAvailableError(DRIVER_MSG.afterShutdown()));
    if (!this.proc.alive) return new Promise<void>(() => {});
    return this.s.send(this.proc, voidResult, this.label).then(() => undefined);
  }

  shutdown(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  execute(query: string, params: CqlValue[] = [], options: QueryOptions = {}): Promise<ResultSet> {
    if (this.closed) return Promise.reject(new NoHostAvailableError(DRIVER_MSG.afterShutdown()));
    if (!this.proc.alive) return new Promise<ResultSet>(() => {});
    const s = this.s;
    const prepared = options.prepare === true;
    let guessed: Array<Uint8Array | null> | null = null;
    if (!prepared) {
      try {
        guessed = params.map(guessBytes);
      } catch (e) {
        return s.send(this.proc, e as Error, this.label);
      }
    }
    const ts = options.timestamp !== undefined ? Number(options.timestamp) : this.nextTimestamp();
    const ks = this.keyspace;
    const procName = this.proc.name;
    return s.send(
      this.proc,
      () => {
        const p = s.prepareQuery(query, ks);
        const values = s.bindValues(p, params, prepared, guessed, false);
        switch (p.kind) {
          case "ddl": {
            const r = s.db.ddl(p, ks);
            if (r.keyspace !== undefined) this.keyspace = r.keyspace;
            return r;
          }
          case "select":
            s.stats.reads++;
            return s.db.select(p, values, s.opts.pageSize);
          case "batch": {
            let bts = ts;
            if (p.timestamp !== null) {
              const v = p.timestamp.k === "v" ? p.timestamp.v : values[p.timestamp.i];
              if (v === null) throw invalid(MSG.nullTimestamp());
              bts = Number(v);
            }
            const items = p.statements.map((pw) => ({ pw, b: values }));
            return s.writeBatch(items, p.logged, bts, procName, "BEGIN BATCH");
          }
          default:
            return s.writeOne(p, values, ts, procName, p.label);
        }
      },
      this.label,
    );
  }

  batch(queries: BatchStatement[], options: QueryOptions = {}): Promise<ResultSet> {
    if (this.closed) return Promise.reject(new NoHostAvailableError(DRIVER_MSG.afterShutdown()));
    if (!this.proc.alive) return new Promise<ResultSet>(() => {});
    const s = this.s;
    if (!Array.isArray(queries) || queries.length === 0)
      return s.send(this.proc, new ArgumentError(DRIVER_MSG.emptyBatch()), this.label);
    const prepared = options.prepare === true;
    const guessed: Array<Array<Uint8Array | null> | null> = [];
    for (const q of queries) {
      if (prepared) guessed.push(null);
      else {
        try {
          guessed.push((q.params ?? []).map(guessBytes));
        } catch (e) {
          return s.send(this.proc, e as Error, this.label);
        }
      }
    }
    const logged = options.logged !== false;
    const ts = options.timestamp !== undefined ? Number(options.timestamp) : this.nextTimestamp();
    const ks = this.keyspace;
    const procName = this.proc.name;
    return s.send(
      this.proc,
      () => {
        const items: Array<{ pw: PreparedWrite; b: readonly Value[] }> = [];
        for (let i = 0; i < queries.length; i++) {
          const p = s.prepareQuery(queries[i].query, ks);
          if (p.kind !== "insert" && p.kind !== "update" && p.kind !== "delete")
            throw invalid(MSG.invalidBatchStatement());
          items.push({ pw: p, b: s.bindValues(p, queries[i].params ?? [], prepared, guessed[i], true) });
        }
        return s.writeBatch(items, logged, ts, procName, `batch of ${queries.length}`);
      },
      this.label,
    );
  }
}
