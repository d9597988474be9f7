/**
 * Test doubles for the gateway's tests, on the real deterministic scheduler:
 *
 * - TestStore: the simulated Scylla (sim/scylla, which parses and validates CQL like Cassandra
 *   5: an unknown keyspace or table, a partition key not fully restricted, a value of the wrong
 *   type are rejected) with the schema of engine/schema/cql.ts, behind a wrapper that logs every
 *   statement the gateway sends and can inject failures (timeouts, no host).
 * - FakeLog: a log port whose producer appends to one list and tells the stub exchange at once,
 *   with injectable send faults (a timeout after appending, a timeout without appending, a broker
 *   that is down). The simulated Kafka (sim/kafka) and the real services are exercised by
 *   world.test.ts; this fake gives the unit tests exact control over every send.
 * - StubExchange: a stand-in for UBSCore + Settlement with UBSCore's verdict contract
 *   (engine/ubscore/state.ts): consumes what the gateway publishes after a virtual delay, applies
 *   each request id once (dedup), and writes the verdict to `requests` (body with order_status,
 *   as Settlement does), balance rows to `balance_ledger` and order rows to `orders`.
 */
import { quoteCost } from "../../engine/domain/money.ts";
import { symbolById } from "../../engine/domain/symbols.ts";
import type {
  BatchStatement,
  Clock,
  Consumer,
  CqlValue,
  Log,
  Logger,
  Ports,
  Producer,
  ProducerRecord,
  QueryOptions,
  RecordMetadata,
  ResultSet,
  Row,
  Store,
} from "../../engine/ports/index.ts";
import { decodeOperation, type Operation } from "../../engine/protocol/messages.ts";
import { DDL, KEYSPACE, TABLES } from "../../engine/schema/cql.ts";
import { PROFILES } from "../../sim/faults/catalog.ts";
import { FaultInjector } from "../../sim/faults/injector.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { simClock } from "../../sim/ports/clock.ts";
import { simRandom } from "../../sim/ports/random.ts";
import { SimScylla } from "../../sim/scylla/index.ts";

// ---------------------------------------------------------------- store

export class FakeStoreError extends Error {
  code?: number;
  constructor(
    name: "ResponseError" | "OperationTimedOutError" | "NoHostAvailableError",
    message: string,
    code?: number,
  ) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

export interface LoggedStatement {
  query: string;
  params: CqlValue[];
}

/**
 * The simulated Scylla (sim/scylla: real CQL parsing and Cassandra's validation) with the schema
 * of engine/schema/cql.ts, plus a statement log and injectable failures in front of each client.
 */
export class TestStore {
  readonly scylla: SimScylla;
  /** The simulated Scylla's fault injector (no faults unless armed: `faults.arm(name)`). */
  readonly faults: FaultInjector;
  readonly log: LoggedStatement[] = [];
  /** Errors to throw from the next statements (any client), in order, before they reach Scylla. */
  readonly failures: FakeStoreError[] = [];

  constructor(sched: Scheduler) {
    this.faults = new FaultInjector(sched, PROFILES.none);
    this.scylla = new SimScylla(sched, this.faults);
    for (const q of DDL) this.scylla.query(q);
  }

  /** The Store port for one process incarnation. */
  client(proc: SimProcess): Store {
    const inner = this.scylla.client(proc);
    const self = this;
    return {
      connect: () => inner.connect(),
      shutdown: () => inner.shutdown(),
      batch: (qs: BatchStatement[], o?: QueryOptions) => inner.batch(qs, o),
      async execute(query: string, params: CqlValue[] = [], options?: QueryOptions): Promise<ResultSet> {
        self.log.push({ query, params });
        const f = self.failures.shift();
        if (f) throw f;
        return inner.execute(query, params, options);
      },
    };
  }

  /** Upserts a row at once (test setup, the stub exchange). */
  put(table: string, row: Row): void {
    const cols = Object.keys(row);
    this.scylla.query(
      `INSERT INTO ${KEYSPACE}.${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
      cols.map((c) => row[c]),
    );
  }

  rows(table: string): Row[] {
    return this.scylla.rows(KEYSPACE, table);
  }

  /** Statements that touched `table` (by name). */
  statementsOn(name: string): LoggedStatement[] {
    return this.log.filter((s) => new RegExp(`\\.${name}\\b`).test(s.query));
  }
}

// ---------------------------------------------------------------- log

export class FakeKafkaError extends Error {
  retriable = true;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export type SendFault = "timeout-appended" | "timeout-lost";

/** A broker shared by every incarnation; `client(sleep)` is one process's Log port. */
export class FakeLog {
  /** Every message appended, in order. */
  readonly appended: Array<{ topic: string; key: string; value: string }> = [];
  readonly faults: SendFault[] = [];
  /** While true, every send fails with a connection error (nothing appended). */
  down = false;
  sendAttempts = 0;
  onAppend: (topic: string, key: string, value: string) => void = () => {};

  client(sleep: (ms: number) => Promise<void>): Log {
    return {
      producer: () => this.producer(sleep),
      consumer: (): Consumer => {
        throw new Error("fake log: no consumers");
      },
      admin: () => {
        throw new Error("fake log: no admin");
      },
    };
  }

  private producer(sleep: (ms: number) => Promise<void>): Producer {
    const p: Producer = {
      connect: async () => {},
      disconnect: async () => {},
      // The gateway sends one topic at a time; a batch is its topics' sends, in order.
      sendBatch: async (b) => {
        const out: RecordMetadata[] = [];
        for (const t of b.topicMessages)
          out.push(...(await p.send({ topic: t.topic, messages: t.messages })));
        return out;
      },
      send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
        this.sendAttempts++;
        await sleep(1);
        if (this.down) throw new FakeKafkaError("KafkaJSConnectionError", "Connection error: ECONNREFUSED");
        const fault = this.faults.shift();
        if (fault === "timeout-lost")
          throw new FakeKafkaError("KafkaJSRequestTimeoutError", "Request Produce timed out");
        for (const m of record.messages) {
          this.appended.push({ topic: record.topic, key: m.key, value: m.value });
          this.onAppend(record.topic, m.key, m.value);
        }
        if (fault === "timeout-appended") {
          throw new FakeKafkaError("KafkaJSRequestTimeoutError", "Request Produce timed out");
        }
        return [{ topicName: record.topic, partition: 0, errorCode: 0 }];
      },
    };
    return p;
  }

  operations(): Operation[] {
    return this.appended.filter((m) => m.topic === "balance.operations").map((m) => decodeOperation(m.value));
  }
}

// ---------------------------------------------------------------- stub exchange

export type Verdictor = (op: Operation) => { status: "accepted" | "rejected"; reason?: string } | null;

/**
 * UBSCore + Settlement in miniature. Balances per (user, asset) with a ledger row per change;
 * deposits credit, withdrawals and places need available funds ("insufficient-balance"), a place
 * freezes its cost and rests as "New", a cancel unfreezes and marks the order "Cancelled".
 * Each (user, request_id) is applied once: a duplicate in the log changes nothing.
 */
export class StubExchange {
  /** Virtual ms between an append and its verdict. */
  delayMs = 3;
  /** While true, nothing is answered (verdicts never arrive). */
  silent = false;
  readonly applied = new Map<string, Operation>();
  readonly duplicatesDropped: string[] = [];
  private readonly balances = new Map<string, { avail: bigint; frozen: bigint; seq: bigint }>();
  private nextOrderId = 100n;
  private readonly orders = new Map<
    string,
    { user_id: number; symbol_id: number; cid: string; frozenAsset: number; frozen: bigint }
  >();

  private readonly sched: Scheduler;
  private readonly store: TestStore;

  constructor(sched: Scheduler, store: TestStore) {
    this.sched = sched;
    this.store = store;
  }

  onAppend = (topic: string, _key: string, value: string): void => {
    if (topic !== "balance.operations" || this.silent) return;
    const op = decodeOperation(value);
    this.sched.after(this.delayMs * 1000, `stub ${op.request_id}`, () => this.apply(op));
  };

  /** Answers every op published while silent (call after clearing `silent`). */
  replay(ops: Operation[]): void {
    for (const op of ops)
      this.sched.after(this.delayMs * 1000, `stub ${op.request_id}`, () => this.apply(op));
  }

  balance(user_id: number, asset_id: number): { avail: bigint; frozen: bigint } {
    const b = this.balances.get(`${user_id}:${asset_id}`);
    return { avail: b?.avail ?? 0n, frozen: b?.frozen ?? 0n };
  }

  private change(
    user_id: number,
    asset_id: number,
    dAvail: bigint,
    dFrozen: bigint,
    cause: string,
    ref: string,
  ) {
    const k = `${user_id}:${asset_id}`;
    const b = this.balances.get(k) ?? { avail: 0n, frozen: 0n, seq: 0n };
    b.avail += dAvail;
    b.frozen += dFrozen;
    b.seq += 1n;
    this.balances.set(k, b);
    this.store.put(TABLES.ledger, {
      user_id: BigInt(user_id),
      asset_id,
      seq: b.seq,
      delta_avail: dAvail,
      delta_frozen: dFrozen,
      avail: b.avail,
      frozen: b.frozen,
      event_type: cause,
      ref_id: ref,
      created_at: 0n,
    });
  }

  private verdict(
    op: Operation,
    status: "accepted" | "rejected",
    reason: string | null,
    order_id: bigint | null,
    body: Record<string, unknown>,
    order_status: string | null = null,
  ) {
    this.store.put(TABLES.requests, {
      user_id: BigInt(op.user_id),
      request_id: op.request_id,
      kind: op.type,
      status,
      reason,
      order_id,
      body: JSON.stringify({ ...body, order_status }),
      created_at: BigInt(op.ts),
    });
  }

  apply(op: Operation) {
    const key = `${op.user_id}:${op.request_id}`;
    if (this.applied.has(key)) {
      this.duplicatesDropped.push(key);
      return;
    }
    this.applied.set(key, op);
    switch (op.type) {
      case "deposit": {
        const body = { asset_id: op.asset_id, amount: op.amount };
        this.change(op.user_id, op.asset_id, BigInt(op.amount), 0n, "deposit", op.request_id);
        return this.verdict(op, "accepted", null, null, body);
      }
      case "withdraw": {
        const body = { asset_id: op.asset_id, amount: op.amount };
        const amount = BigInt(op.amount);
        if (this.balance(op.user_id, op.asset_id).avail < amount) {
          return this.verdict(op, "rejected", "insufficient-balance", null, body);
        }
        this.change(op.user_id, op.asset_id, -amount, 0n, "withdraw", op.request_id);
        return this.verdict(op, "accepted", null, null, body);
      }
      case "place": {
        const sym = symbolById(op.symbol_id);
        const asset = op.side === "Buy" ? sym.quote : sym.base;
        const cost =
          op.side === "Buy"
            ? quoteCost(BigInt(op.price ?? "0"), BigInt(op.qty), sym.base.decimals)
            : BigInt(op.qty);
        const body = {
          cid: op.cid,
          symbol_id: op.symbol_id,
          side: op.side,
          order_type: op.order_type,
          tif: op.tif,
          post_only: op.post_only,
          price: op.price,
          qty: op.qty,
        };
        if (this.balance(op.user_id, asset.id).avail < cost) {
          return this.verdict(op, "rejected", "insufficient-balance", null, body);
        }
        const order_id = this.nextOrderId++;
        this.change(op.user_id, asset.id, -cost, cost, "freeze", op.request_id);
        this.orders.set(String(order_id), {
          user_id: op.user_id,
          symbol_id: op.symbol_id,
          cid: op.cid,
          frozenAsset: asset.id,
          frozen: cost,
        });
        this.verdict(op, "accepted", null, order_id, { ...body, order_id: String(order_id) }, "New");
        this.store.put(TABLES.ordersById, {
          order_id,
          user_id: BigInt(op.user_id),
          symbol_id: op.symbol_id,
          cid: op.cid,
        });
        this.store.put(TABLES.orders, {
          user_id: BigInt(op.user_id),
          symbol_id: op.symbol_id,
          order_id,
          cid: op.cid,
          side: op.side,
          order_type: op.order_type,
          tif: op.tif,
          post_only: op.post_only,
          price: op.price === null ? null : BigInt(op.price),
          qty: BigInt(op.qty),
          filled_qty: 0n,
          status: "New",
          reason: null,
          updated_seq: 1n,
          created_at: BigInt(op.ts),
        });
        return;
      }
      case "cancel": {
        const entry = [...this.orders].find(([id, o]) =>
          op.order_id !== null ? id === op.order_id : o.cid === op.cid && o.user_id === op.user_id,
        );
        const body = { order_id: op.order_id, cid: op.cid };
        // like UBSCore: another user's order is "unknown" (its existence is not revealed)
        if (!entry || entry[1].user_id !== op.user_id) {
          return this.verdict(op, "rejected", "unknown-order", null, body);
        }
        const [id, o] = entry;
        this.orders.delete(id);
        this.change(op.user_id, o.frozenAsset, o.frozen, -o.frozen, "unfreeze", op.request_id);
        this.verdict(op, "accepted", null, BigInt(id), { order_id: id, cid: o.cid }, "Cancelled");
        const row = this.store
          .rows(TABLES.orders)
          .find((r) => r.order_id === BigInt(id) && r.user_id === BigInt(op.user_id));
        if (row) this.store.put(TABLES.orders, { ...row, status: "Cancelled", reason: "user" });
        return;
      }
    }
  }
}

// ---------------------------------------------------------------- world

export const SILENT_LOGGER: Logger = { info() {}, warn() {}, error() {} };

export interface RecordingLogger extends Logger {
  lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>;
}

function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger["lines"] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: "info", msg, fields }),
    warn: (msg, fields) => lines.push({ level: "warn", msg, fields }),
    error: (msg, fields) => lines.push({ level: "error", msg, fields }),
  };
}

export interface World {
  sched: Scheduler;
  proc: SimProcess;
  clock: Clock;
  store: TestStore;
  log: FakeLog;
  exchange: StubExchange;
  logger: RecordingLogger;
  ports: Ports;
  /** Fresh ports for a new gateway incarnation (same store, log and exchange). */
  portsFor(proc: SimProcess): Ports;
}

/** A process whose main never returns, so its clock's sleeps stay live until it crashes. */
export function idleProcess(sched: Scheduler, name: string): SimProcess {
  const p = new SimProcess(sched, name, () => new Promise<void>(() => {}));
  p.start();
  return p;
}

export function makeWorld(seed = 1): World {
  const sched = new Scheduler({ seed });
  const proc = idleProcess(sched, "gateway");
  const clock = simClock(sched, proc);
  const store = new TestStore(sched);
  const log = new FakeLog();
  const exchange = new StubExchange(sched, store);
  log.onAppend = exchange.onAppend;
  const logger = recordingLogger();
  const portsFor = (p: SimProcess): Ports => {
    const c = simClock(sched, p);
    return {
      clock: c,
      random: simRandom(sched, p.name),
      log: log.client((ms) => c.sleep(ms)),
      store: store.client(p),
      logger,
    };
  };
  return { sched, proc, clock, store, log, exchange, logger, ports: portsFor(proc), portsFor };
}

/** Runs the scheduler until `p` settles (also across library macrotasks), then returns it. */
export async function drive<T>(sched: Scheduler, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let i = 0; i < 10_000 && !done; i++) {
    await sched.run({ until: () => done });
    if (!done) await new Promise<void>((r) => setImmediate(r));
  }
  if (!done) throw new Error("drive: the request never completed");
  return p;
}
