/**
 * The Store port over cassandra-driver 4.x (real mode), against Cassandra 5.0 (the stand-in for
 * ScyllaDB: same CQL, same driver).
 *
 * Client options: `localDataCenter: "datacenter1"`, native protocol v4 at most (the driver's
 * maximum; skips the failed v5 handshake), `encoding: {useBigIntAsLong, useBigIntAsVarint}` so
 * CQL bigint/counter/varint are native `bigint` as the port says, and a constant 500 ms
 * reconnection delay (the default exponential policy would wait up to minutes after a Cassandra
 * restart).
 *
 * Translation to the port:
 * - rows become plain records; `timestamp` columns (Date) become bigint epoch ms, uuids, inet
 *   addresses, dates, times and decimals their text, blobs `0x…` hex, Long (if any) bigint,
 *   collections JSON text (the engine's schema has none of these, but nothing foreign crosses);
 * - `prepare` is honoured as cassandra-driver does (the engine always prepares statements with
 *   parameters; unprepared, the driver guesses types from JS values, and the simulator models
 *   that guessing: `tradesim conformance` checks both sides agree); batches are always prepared;
 * - `timestamp` (µs, number or bigint) goes to the driver as a Long; `logged: false` makes an
 *   UNLOGGED batch; `wasApplied()` is the driver's (`[applied]`, true for plain statements);
 * - errors keep cassandra-driver's names (ResponseError with its `code`, OperationTimedOutError,
 *   NoHostAvailableError, ArgumentError); the driver's own encoding failures (TypeError,
 *   RangeError, SyntaxError) are named ArgumentError, and BusyConnectionError (every connection
 *   at its request limit) NoHostAvailableError, as the simulator names them.
 *
 * With a `life` (see life.ts), a killed incarnation's statements never settle and its client is
 * shut down; with an `activity`, every statement is counted until the driver settles it.
 */
import { createRequire } from "node:module";
import cassandra from "cassandra-driver";
import type { BatchStatement, CqlValue, QueryOptions, ResultSet, Row, Store } from "../../ports/index.ts";
import type { Activity } from "./activity.ts";
import { Life } from "./life.ts";

const { types } = cassandra;

/**
 * cassandra-driver 4.10, patched in memory: a connection's heartbeat timer (`_idleTimeout`, 30 s)
 * keeps the process alive although a heartbeat has nothing to do for a connection whose socket is
 * gone; after a Cassandra restart, connections dropped by the node keep re-arming it, and a
 * process that is done (the CLI after a run) lingers for a minute. An open socket keeps the
 * process alive by itself, so the heartbeat timer is unref'd: it never holds the process up.
 */
type DriverConnection = { _idleTimeout?: { unref?: () => void } | null };
{
  const require = createRequire(import.meta.url);
  const { prototype: conn } = require("cassandra-driver/lib/connection.js") as {
    prototype: DriverConnection & {
      _setIdleTimeout(): void;
      _idleTimeoutHandler(): void;
      __tradesimPatched?: boolean;
    };
  };
  if (!conn.__tradesimPatched) {
    for (const name of ["_setIdleTimeout", "_idleTimeoutHandler"] as const) {
      const original = conn[name];
      conn[name] = function (this: DriverConnection) {
        original.call(this);
        this._idleTimeout?.unref?.();
      };
    }
    conn.__tradesimPatched = true;
  }
}

export interface StoreFaultHooks {
  /**
   * Called before each write (INSERT, UPDATE, DELETE, BATCH): "lost" answers OperationTimedOutError
   * without sending it; "applied" sends it and answers OperationTimedOutError once it is applied
   * (the two outcomes of a write timeout the client cannot tell apart).
   */
  onWrite?(query: string): "lost" | "applied" | undefined;
}

export interface CassandraStoreOptions {
  contactPoints: string[];
  localDataCenter?: string;
  /** Session keyspace (the engine names its keyspace in every statement, so usually none). */
  keyspace?: string;
  life?: Life;
  activity?: Activity;
  hooks?: StoreFaultHooks;
  /** Per-request read timeout of the driver (ms, default 12 000). */
  readTimeout?: number;
}

const WRITE = /^\s*(INSERT|UPDATE|DELETE|BEGIN)\b/i;

function toCql(v: unknown): CqlValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "string":
    case "number":
    case "bigint":
    case "boolean":
      return v;
  }
  if (v instanceof Date) return BigInt(v.getTime());
  if (v instanceof types.Long) return BigInt(v.toString());
  if (v instanceof types.Integer) return BigInt(v.toString());
  if (Buffer.isBuffer(v)) return `0x${v.toString("hex")}`;
  if (
    v instanceof types.Uuid ||
    v instanceof types.InetAddress ||
    v instanceof types.LocalDate ||
    v instanceof types.LocalTime ||
    v instanceof types.BigDecimal ||
    v instanceof types.Duration
  )
    return v.toString();
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

function plainRow(r: cassandra.types.Row): Row {
  const out: Row = {};
  for (const k of Object.keys(r)) out[k] = toCql((r as unknown as Record<string, unknown>)[k]);
  return out;
}

function wrap(rs: cassandra.types.ResultSet): ResultSet {
  const rows = (rs.rows ?? []).map(plainRow);
  const columns = rs.columns ? rs.columns.map((c) => ({ name: c.name })) : null;
  const applied = rs.wasApplied();
  return {
    rows,
    rowLength: rows.length,
    columns,
    first: () => rows[0] ?? null,
    wasApplied: () => applied,
  };
}

function mapError(e: unknown): unknown {
  if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) {
    const err = new Error(e.message) as Error & { driverErrorName: string };
    err.name = "ArgumentError";
    err.driverErrorName = e.name;
    return err;
  }
  if (e instanceof Error && e.name === "BusyConnectionError") {
    const err = new Error(e.message) as Error & { driverErrorName: string };
    err.name = "NoHostAvailableError";
    err.driverErrorName = e.name;
    return err;
  }
  return e;
}

function timedOut(query: string, applied: boolean): Error {
  const e = new Error(
    `Operation timed out (injected; the write was ${applied ? "applied" : "not sent"}): ${query.slice(0, 80)}`,
  );
  e.name = "OperationTimedOutError";
  return e;
}

function driverOptions(options: QueryOptions | undefined, forcePrepare: boolean): cassandra.QueryOptions {
  const o: cassandra.QueryOptions = { prepare: forcePrepare || options?.prepare === true };
  if (options?.timestamp !== undefined) o.timestamp = types.Long.fromString(String(options.timestamp));
  if (options?.logged !== undefined) o.logged = options.logged;
  return o;
}

type DriverPool = { on(event: "open", cb: () => void): void; shutdown(): Promise<void> };
type DriverHost = { pool?: DriverPool };
const seenHosts = new WeakMap<cassandra.Client, Set<DriverHost>>();

/** Remembers the hosts (and so the connection pools) a client has now. */
function noteHosts(client: cassandra.Client): void {
  const hosts = (client as unknown as { hosts?: { values(): DriverHost[] } }).hosts;
  if (hosts === undefined) return;
  let seen = seenHosts.get(client);
  if (seen === undefined) seenHosts.set(client, (seen = new Set()));
  for (const h of hosts.values()) seen.add(h);
}

/**
 * Keeps track of a client's hosts from its first connection on (see closeClient). Call it on
 * every client the harness or the adapter creates.
 */
export function trackClient(client: cassandra.Client): cassandra.Client {
  client.on("connected", () => noteHosts(client));
  client.on("hostAdd", () => noteHosts(client));
  client.on("hostUp", () => noteHosts(client));
  return client;
}

/**
 * Shuts a cassandra-driver 4.10 client down for good, working around two of its quirks:
 * - `shutdown()` returns at once for a client that is still connecting, and the connection it
 *   then completes stays open: wait for the attempt to end first;
 * - after the node restarted, the client may replace its Host objects, and the old ones' pools
 *   keep reconnecting, outside the client's host map, so shutdown() never reaches them (the
 *   process then never exits). Every host the client ever had (trackClient) is shut down, and
 *   shut down again whenever its pool opens a connection afterwards.
 */
export async function closeClient(client: cassandra.Client): Promise<void> {
  const state = client as unknown as { connecting?: boolean };
  if (state.connecting === true)
    await new Promise<void>((resolve) => client.once("connected", () => resolve()));
  noteHosts(client);
  await client.shutdown();
  for (const h of seenHosts.get(client) ?? []) {
    const pool = h.pool;
    if (pool === undefined) continue;
    pool.on("open", () => {
      pool.shutdown().catch(() => {});
    });
    await pool.shutdown().catch(() => {});
  }
}

export class RealStore implements Store {
  readonly client: cassandra.Client;
  readonly life: Life;
  private readonly opts: CassandraStoreOptions;

  constructor(opts: CassandraStoreOptions) {
    this.opts = opts;
    this.life = opts.life ?? new Life("cassandra");
    this.client = new cassandra.Client({
      contactPoints: opts.contactPoints,
      localDataCenter: opts.localDataCenter ?? "datacenter1",
      keyspace: opts.keyspace,
      protocolOptions: { maxVersion: 4 },
      encoding: { useBigIntAsLong: true, useBigIntAsVarint: true },
      socketOptions: { readTimeout: opts.readTimeout ?? 12_000, connectTimeout: 3_000 },
      policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(500) },
    });
    trackClient(this.client);
    this.life.whenDead(() => {
      this.close().catch(() => {});
    });
  }

  /**
   * Shuts the client down, also when it is still connecting: cassandra-driver 4.10's shutdown()
   * returns at once for a client that is not connected yet, and the connection it then completes
   * stays open for good. So wait for the connection attempt to end first.
   */
  close(): Promise<void> {
    return closeClient(this.client);
  }

  connect(): Promise<void> {
    return this.life.guard(() => this.client.connect().catch((e: unknown) => Promise.reject(mapError(e))));
  }

  shutdown(): Promise<void> {
    return this.life.guard(() => this.client.shutdown());
  }

  execute(query: string, params: CqlValue[] = [], options?: QueryOptions): Promise<ResultSet> {
    return this.life.guard(async () => {
      const fault = WRITE.test(query) ? this.opts.hooks?.onWrite?.(query) : undefined;
      if (fault === "lost") throw timedOut(query, false);
      const work = this.client.execute(query, params, driverOptions(options, false));
      let rs: cassandra.types.ResultSet;
      try {
        rs = await this.track(work);
      } catch (e) {
        throw mapError(e);
      }
      if (fault === "applied") throw timedOut(query, true);
      return wrap(rs);
    });
  }

  batch(queries: BatchStatement[], options?: QueryOptions): Promise<ResultSet> {
    return this.life.guard(async () => {
      const fault = this.opts.hooks?.onWrite?.("BATCH");
      if (fault === "lost") throw timedOut("BATCH", false);
      const work = this.client.batch(
        queries.map((q) => ({ query: q.query, params: q.params ?? [] })),
        // A batch is always prepared statement by statement (the driver needs types for numbers).
        { ...driverOptions(options, true), logged: options?.logged ?? true },
      );
      let rs: cassandra.types.ResultSet;
      try {
        rs = await this.track(work);
      } catch (e) {
        throw mapError(e);
      }
      if (fault === "applied") throw timedOut("BATCH", true);
      return wrap(rs);
    });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    return this.opts.activity ? this.opts.activity.track("statement", p) : p;
  }
}

/** The Store port on cassandra-driver (see the module comment). */
export function cassandraStore(opts: CassandraStoreOptions): RealStore {
  return new RealStore(opts);
}
