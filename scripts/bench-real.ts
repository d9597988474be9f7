/**
 * Real-mode benchmark: deposits and orders through real Kafka to rows in Cassandra.
 *
 *   npx node scripts/bench-real.ts [--mode pipeline|gateway|ceilings|both] [--users 200] [--orders 10000]
 *                                  [--batch 500] [--concurrency 64] [--json]
 *
 * The whole exchange runs in this process on the real adapters (real/exchange.ts), in a fresh
 * keyspace and topic namespace. Two measurements:
 *
 * - **pipeline**: operations are produced straight into `balance.operations` (as the gateway
 *   would, `--batch` per send) and followed through UBSCore, the matching engine and Settlement
 *   until their verdict row is in Cassandra. Latency of an operation = from handing it to the
 *   producer to Settlement's `requests` write being acknowledged (the row is then visible: one
 *   node, consistency ONE). Throughput = operations / (first hand-over .. last verdict row).
 * - **gateway**: `--concurrency` clients send signed HTTP requests to the gateway (127.0.0.1) and
 *   wait for its answer, which is the verdict read back from Cassandra. Latency = request to
 *   answer; throughput = answered / wall time.
 *
 * - **ceilings**: the servers alone (plain and conditional Cassandra inserts, Kafka sends), the
 *   capacity the engine works within on this machine.
 *
 * Operations: one deposit of BTC and one of USDT per user, then `--orders` limit orders in
 * crossing pairs (user 2k sells 0.001 BTC @ 50000, user 2k+1 buys it: every pair trades).
 * `--settlement-concurrency N` sets Settlement's statements in flight per batch (engine default 16);
 * `--settlement-batch P,M` its most rows per single-partition batch and per mixed batch (engine
 * default 64,10; `1,1` writes every row on its own); `--settlement-partitions N` the Kafka partitions
 * it handles at once (engine default: PARTITIONS_IN_PARALLEL); `--snapshot-every N` UBSCore's and
 * the ME's snapshot spacing (engine default; 0 = no snapshots).
 * Where the time goes: every service's ports are instrumented (batches handled and their
 * duration, sends, statements), with the process's CPU use and the machine's load average.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { LogCollector } from "../engine/adapters/real/logger.ts";
import { defaultConfig } from "../engine/config.ts";
import { signRequest } from "../engine/gateway/signing.ts";
import type {
  Consumer,
  ConsumerRunConfig,
  CqlValue,
  Log,
  Ports,
  Producer,
  Store,
} from "../engine/ports/index.ts";
import { encode, type Operation } from "../engine/protocol/messages.ts";
import { GROUPS, TOPICS } from "../engine/protocol/topics.ts";
import { Settlement } from "../engine/settlement/service.ts";
import { RealEnv } from "../real/env.ts";
import { RealExchange } from "../real/exchange.ts";
import { pidFile } from "../scripts/services/layout.ts";
import type { Plant } from "../sim/plants/catalog.ts";

const { values: args } = parseArgs({
  options: {
    mode: { type: "string", default: "both" },
    users: { type: "string", default: "200" },
    orders: { type: "string", default: "10000" },
    batch: { type: "string", default: "500" },
    concurrency: { type: "string", default: "64" },
    "gateway-ops": { type: "string", default: "3000" },
    "settlement-concurrency": { type: "string" },
    "settlement-batch": { type: "string" },
    "settlement-partitions": { type: "string" },
    "snapshot-every": { type: "string" },
    rate: { type: "string", default: "0" },
    json: { type: "boolean", default: false },
  },
});
const USERS = Number(args.users);
const ORDERS = Number(args.orders);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);
const GATEWAY_OPS = Number(args["gateway-ops"]);
const MODE = args.mode ?? "both";
/** Offered load of the pipeline run (ops/s); 0 = everything at once (the throughput ceiling). */
const RATE = Number(args.rate);

/** CPU seconds (user + system) used so far by the Kafka and Cassandra JVMs (from /proc). */
function jvmCpu(): Record<"kafka" | "cassandra", number> {
  const out = { kafka: Number.NaN, cassandra: Number.NaN };
  for (const name of ["kafka", "cassandra"] as const) {
    try {
      const pid = readFileSync(pidFile(name), "utf8").trim();
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      out[name] = (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
    } catch {
      // not ours to read: leave NaN
    }
  }
  return out;
}

const now = () => performance.now();

// ---- instrumentation: every service's ports, wrapped --------------------------------------------

interface ServiceStats {
  batches: number;
  messages: number;
  batchMs: number;
  /** Wall time with at least one batch in progress (batches of several partitions may overlap). */
  busyMs: number;
  inBatch: number;
  busySince: number;
  sends: number;
  sentMessages: number;
  sendMs: number;
  statements: number;
  statementMs: number;
  lwt: number;
  lwtMs: number;
  /** Statements that were batches, and rows written (in batches or alone). */
  batchStatements: number;
  rows: number;
}

const stats = new Map<string, ServiceStats>();
const statsOf = (name: string): ServiceStats => {
  let s = stats.get(name);
  if (s === undefined)
    stats.set(
      name,
      (s = {
        batches: 0,
        messages: 0,
        batchMs: 0,
        busyMs: 0,
        inBatch: 0,
        busySince: 0,
        sends: 0,
        sentMessages: 0,
        sendMs: 0,
        statements: 0,
        statementMs: 0,
        lwt: 0,
        lwtMs: 0,
        batchStatements: 0,
        rows: 0,
      }),
    );
  return s;
};

/** Zeroes every counter in place (the wrappers hold on to their objects). */
function resetStats(): void {
  for (const s of stats.values()) {
    for (const k of Object.keys(s) as Array<keyof ServiceStats>) if (k !== "inBatch") s[k] = 0;
    s.busySince = now(); // a batch in progress counts from here
  }
  ledgerRows = 0;
}

/** request id → time its verdict row was acknowledged by Cassandra. */
const verdictAt = new Map<string, number>();
/** Request ids of the pipeline run whose verdict row has not landed yet (a set: polling it is O(1)). */
const awaiting = new Set<string>();
let ledgerRows = 0;
/** When Settlement's latest row was acknowledged. */
let lastRowAt = 0;

function instrument(service: string, ports: Ports): Ports {
  const st = statsOf(service);
  const log: Log = {
    producer: (o) => {
      const p = ports.log.producer(o);
      /** Counts one send of `messages` and its duration. */
      const timed = async <T>(messages: number, work: () => Promise<T>): Promise<T> => {
        const t = now();
        try {
          return await work();
        } finally {
          st.sends++;
          st.sentMessages += messages;
          st.sendMs += now() - t;
        }
      };
      const wrapped: Producer = {
        connect: () => p.connect(),
        disconnect: () => p.disconnect(),
        send: (r) => timed(r.messages.length, () => p.send(r)),
        sendBatch: (b) =>
          timed(
            b.topicMessages.reduce((n, tm) => n + tm.messages.length, 0),
            () => p.sendBatch(b),
          ),
      };
      return wrapped;
    },
    consumer: (o) => {
      const c = ports.log.consumer(o);
      const wrapped: Consumer = {
        connect: () => c.connect(),
        disconnect: () => c.disconnect(),
        subscribe: (s) => c.subscribe(s),
        stop: () => c.stop(),
        commitOffsets: (x) => c.commitOffsets(x),
        seek: (x) => c.seek(x),
        assignment: () => c.assignment(),
        run: (config: ConsumerRunConfig) => {
          const each = config.eachBatch;
          if (each === undefined || !(Object.values(GROUPS) as string[]).includes(o.groupId))
            return c.run(config);
          return c.run({
            ...config,
            eachBatch: async (payload) => {
              const t = now();
              if (st.inBatch++ === 0) st.busySince = t;
              try {
                await each(payload);
              } finally {
                const end = now();
                st.batches++;
                st.messages += payload.batch.messages.length;
                st.batchMs += end - t;
                if (--st.inBatch === 0) st.busyMs += end - st.busySince;
              }
            },
          });
        },
      };
      return wrapped;
    },
    admin: () => ports.log.admin(),
  };
  const timed = async <T>(lwt: boolean, work: () => Promise<T>): Promise<T> => {
    const t = now();
    try {
      return await work();
    } finally {
      const ms = now() - t;
      st.statements++;
      st.statementMs += ms;
      if (lwt) {
        st.lwt++;
        st.lwtMs += ms;
      }
    }
  };
  /** Settlement's rows, once acknowledged: verdict rows (their time) and ledger rows. */
  const landed = (q: string, p: CqlValue[] | undefined) => {
    if (service !== "settlement") return;
    st.rows++;
    lastRowAt = now();
    if (q.includes(".requests ") && typeof p?.[1] === "string" && !verdictAt.has(p[1])) {
      verdictAt.set(p[1], now());
      awaiting.delete(p[1]);
    } else if (q.includes(".balance_ledger ")) ledgerRows++;
  };
  const store: Store = {
    connect: () => ports.store.connect(),
    shutdown: () => ports.store.shutdown(),
    batch: async (qs, o) => {
      st.batchStatements++;
      const rs = await timed(false, () => ports.store.batch(qs, o));
      for (const x of qs) landed(x.query, x.params);
      return rs;
    },
    execute: async (q, p, o) => {
      const rs = await timed(/ IF /.test(q), () => ports.store.execute(q, p, o));
      landed(q, p);
      return rs;
    },
  };
  return { ...ports, log, store };
}

const instrumentation: Plant = {
  name: "bench-instrumentation",
  bugClass: "(none: measurement)",
  does: "times every service's batches, sends and statements",
  wrapPorts: (service, ports) => instrument(service, ports),
};

// ---- the operations ------------------------------------------------------------------------------

const BTC = 100_000_000n;
const PRICE = (50_000n * 100_000_000n).toString(); // 50000 USDT in minor units per whole BTC
const QTY = (BTC / 1000n).toString(); // 0.001 BTC

function operations(tag: string, users: number[], orders: number): Operation[] {
  const ts = Date.now();
  const ops: Operation[] = [];
  for (const u of users) {
    ops.push({
      type: "deposit",
      v: 1,
      request_id: `${tag}-d-${u}-1`,
      user_id: u,
      asset_id: 1,
      amount: "1000000000",
      ts,
    });
    ops.push({
      type: "deposit",
      v: 1,
      request_id: `${tag}-d-${u}-2`,
      user_id: u,
      asset_id: 2,
      amount: "100000000000000",
      ts,
    });
  }
  for (let i = 0; i < orders; i++) {
    const pair = Math.floor(i / 2) % Math.floor(users.length / 2);
    const seller = users[2 * pair];
    const buyer = users[2 * pair + 1];
    const sell = i % 2 === 0;
    const cid = `${tag}-o${i}`;
    ops.push({
      type: "place",
      v: 1,
      request_id: `order:${cid}`,
      user_id: sell ? seller : buyer,
      cid,
      symbol_id: 0,
      side: sell ? "Sell" : "Buy",
      order_type: "Limit",
      tif: "GTC",
      post_only: false,
      price: PRICE,
      qty: QTY,
      ts,
    });
  }
  return ops;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Measured {
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
  cpu: number;
}

function summarize(latencies: number[], ops: number, ms: number, cpuMicros: number): Measured {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    ops,
    seconds: ms / 1000,
    opsPerSec: Math.round(ops / (ms / 1000)),
    p50ms: Math.round(percentile(sorted, 50) * 10) / 10,
    p99ms: Math.round(percentile(sorted, 99) * 10) / 10,
    maxMs: Math.round(sorted[sorted.length - 1] ?? 0),
    cpu: Math.round((cpuMicros / 1000 / ms) * 100) / 100,
  };
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

// ---- main ----------------------------------------------------------------------------------------

/** Raw capacity of the servers on this machine, without the engine: the ceilings the engine works under. */
async function ceilings(env: RealEnv, prefix: string): Promise<Record<string, number>> {
  const res: Record<string, number> = {};
  const ks = env.keyspace;
  const insert = `INSERT INTO ${ks}.balance_ledger (user_id, asset_id, seq, avail, frozen) VALUES (?, ?, ?, ?, ?)`;
  const lwt = `INSERT INTO ${ks}.requests (user_id, request_id, kind, status) VALUES (?, ?, ?, ?) IF NOT EXISTS`;
  const rate = async (n: number, inFlight: number, one: (i: number) => Promise<unknown>) => {
    let next = 0;
    const t = now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let i = next++; i < n; i = next++) await one(i);
      }),
    );
    return Math.round(n / ((now() - t) / 1000));
  };
  for (const inFlight of [16, 128]) {
    res[`cassandra plain inserts/s, ${inFlight} in flight`] = await rate(8000, inFlight, (i) =>
      env.cql.execute(insert, [BigInt(9_000_000 + (i % 500)), 1, BigInt(i), 1n, 0n], { prepare: true }),
    );
  }
  res["cassandra LWT inserts/s, 128 in flight"] = await rate(3000, 128, (i) =>
    env.cql.execute(lwt, [BigInt(9_000_000 + (i % 500)), `r${i}`, "deposit", "accepted"], { prepare: true }),
  );
  const log = env.observer(prefix);
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "bench.raw", numPartitions: 4 }], waitForLeaders: true });
  const p = log.producer({ idempotent: true });
  await p.connect();
  res["kafka idempotent sends/s, 1 message each, one after the other"] = await rate(1000, 1, () =>
    p.send({ topic: "bench.raw", messages: [{ key: "k", value: "x".repeat(300) }] }),
  );
  const msgs = Array.from({ length: 500 }, (_, i) => ({ key: String(i), value: "x".repeat(300) }));
  res["kafka messages/s in sends of 500, one after the other"] =
    (await rate(100, 1, () => p.send({ topic: "bench.raw", messages: msgs }))) * 500;
  await log.close();
  return res;
}

const out = (line: string) => {
  if (!args.json) console.log(line);
};
const load0 = loadavg();
out(`bench-real: ${cpus().length} cores, load average ${load0.map((x) => x.toFixed(2)).join(" ")}`);
const env = await RealEnv.open({ log: (l) => out(`  [services] ${l}`) });
const prefix = env.newTopicPrefix();
const logs = new LogCollector();
const exchange = new RealExchange({
  endpoints: env.endpoints,
  config: defaultConfig({
    keyspace: env.keyspace,
    ...(args["snapshot-every"] !== undefined ? { snapshotEvery: Number(args["snapshot-every"]) } : {}),
  }),
  topicPrefix: prefix,
  logs,
  activity: env.activity,
  plants: [instrumentation],
});
// Settlement's tuning knobs, set on every incarnation before it starts consuming (the engine's
// defaults otherwise): statements in flight, rows per batch ("1,1": no batches), partitions at once.
{
  const start = Settlement.prototype.start;
  Settlement.prototype.start = function (this: Settlement) {
    if (args["settlement-concurrency"] !== undefined)
      this.concurrency = Number(args["settlement-concurrency"]);
    if (args["settlement-batch"] !== undefined) {
      const [partitionRows, mixedRows] = args["settlement-batch"].split(",").map(Number);
      this.batchLimits = { partitionRows, mixedRows };
    }
    if (args["settlement-partitions"] !== undefined) this.partitions = Number(args["settlement-partitions"]);
    return start.call(this);
  };
}
const users = Array.from({ length: USERS - (USERS % 2) }, (_, i) => 1_000_001 + i);
const results: Record<string, unknown> = {};
try {
  const creds = users.map((u) => [u, { key: `bench-${u}-${prefix.slice(4, -1)}`, secret: `s${u}` }] as const);
  await exchange.bootstrap(
    MODE === "pipeline" ? [] : creds.map(([u, c]) => [u, { ...c }] as [number, typeof c]),
  );
  await exchange.startAll();
  out(`  exchange up (keyspace ${env.keyspace}, topics ${prefix}*)`);

  if (MODE === "pipeline" || MODE === "both") {
    const ops = operations("p", users, ORDERS);
    const feeder = env.observer(prefix).producer({ idempotent: true });
    await feeder.connect();
    resetStats();
    const sentAt = new Map<string, number>();
    for (const op of ops) awaiting.add(op.request_id);
    const cpu0 = process.cpuUsage();
    const jvm0 = jvmCpu();
    const t0 = now();
    for (let i = 0; i < ops.length; i += BATCH) {
      const chunk = ops.slice(i, i + BATCH);
      if (RATE > 0) {
        const due = t0 + (i / RATE) * 1000;
        if (due > now()) await new Promise((r) => setTimeout(r, due - now()));
      }
      const t = now();
      for (const op of chunk) sentAt.set(op.request_id, t);
      await feeder.send({
        topic: TOPICS.operations,
        messages: chunk.map((op) => ({ key: String(op.user_id), value: encode(op) })),
      });
    }
    const sendMs = now() - t0;
    const done = await waitFor(() => awaiting.size === 0, 600_000);
    let last = 0;
    const lat: number[] = [];
    for (const [id, t] of sentAt) {
      const v = verdictAt.get(id);
      if (v === undefined) continue;
      lat.push(v - t);
      if (v > last) last = v;
    }
    const cpu = process.cpuUsage(cpu0);
    const jvm1 = jvmCpu();
    const m = summarize(lat, lat.length, last - t0, cpu.user + cpu.system);
    const jvmCores = {
      kafka: Math.round(((jvm1.kafka - jvm0.kafka) / ((last - t0) / 1000)) * 100) / 100,
      cassandra: Math.round(((jvm1.cassandra - jvm0.cassandra) / ((last - t0) / 1000)) * 100) / 100,
    };
    const services = snapshotStats(last - t0);
    // The last verdicts can land before the ledger rows of the last trades: wait until Settlement
    // has written nothing for a second, and say when its last row landed.
    await waitFor(() => now() - lastRowAt > 1000, 60_000);
    const allRowsSeconds = (lastRowAt - t0) / 1000;
    results.pipeline = {
      ...m,
      rate: RATE,
      complete: done,
      produceSeconds: sendMs / 1000,
      ledgerRows,
      allRowsSeconds,
      jvmCores,
      services,
    };
    out(
      `pipeline: ${m.ops} ops (${USERS} users x 2 deposits + ${ORDERS} orders, ${ORDERS / 2} trades) in ${m.seconds.toFixed(2)} s` +
        ` = ${m.opsPerSec} op/s${RATE > 0 ? ` (offered ${RATE} op/s)` : " (offered all at once)"}; latency to the verdict row p50 ${m.p50ms} ms, p99 ${m.p99ms} ms, max ${m.maxMs} ms` +
        `; CPU cores used: Node ${m.cpu}, Kafka ${jvmCores.kafka}, Cassandra ${jvmCores.cassandra}${done ? "" : "  (INCOMPLETE: not every verdict arrived)"}`,
    );
    out(
      `          every row written (${ledgerRows} ledger rows) after ${allRowsSeconds.toFixed(2)} s = ${Math.round(m.ops / allRowsSeconds)} op/s counted to the last row`,
    );
    printStats(last - t0, services);
    await feeder.disconnect();
  }

  if (MODE === "ceilings" || MODE === "both") {
    const c = await ceilings(env, prefix);
    results.ceilings = c;
    out("ceilings (the servers alone, no engine):");
    for (const [k, v] of Object.entries(c)) out(`    ${k}: ${v}`);
  }

  if (MODE === "gateway" || MODE === "both") {
    const base = exchange.url()!;
    const credOf = new Map(creds);
    const ops = operations("g", users, Math.max(0, GATEWAY_OPS - 2 * users.length)).slice(0, GATEWAY_OPS);
    resetStats();
    const lat: number[] = [];
    let failed = 0;
    let next = 0;
    const cpu0 = process.cpuUsage();
    const jvm0 = jvmCpu();
    const t0 = now();
    // Deposits first (orders need the funds), then the orders, each phase with CONCURRENCY clients.
    const firstOrder = ops.findIndex((o) => o.type === "place");
    const phases = firstOrder < 0 ? [ops] : [ops.slice(0, firstOrder), ops.slice(firstOrder)];
    for (const phase of phases) {
      next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (;;) {
            const op = phase[next++];
            if (op === undefined) return;
            const c = credOf.get(op.user_id)!;
            const body =
              op.type === "deposit"
                ? {
                    request_id: op.request_id,
                    user_id: op.user_id,
                    asset: op.asset_id === 1 ? "BTC" : "USDT",
                    amount: op.asset_id === 1 ? "10" : "1000000",
                  }
                : op.type === "place"
                  ? {
                      cid: op.cid,
                      symbol: "BTC_USDT",
                      side: op.side,
                      price: "50000",
                      quantity: "0.001",
                      order_type: "Limit",
                    }
                  : null;
            const path = op.type === "deposit" ? "/api/v1/transfer_in" : "/api/orders";
            const s = signRequest({
              method: "POST",
              path,
              body,
              key: c.key,
              secret: c.secret,
              timestamp: Date.now(),
            });
            const t = now();
            try {
              const res = await fetch(base + s.url, { method: "POST", headers: s.headers, body: s.body });
              const env = (await res.json()) as { status: number };
              if (env.status !== 0) failed++;
              else lat.push(now() - t);
            } catch {
              failed++;
            }
          }
        }),
      );
    }
    const ms = now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const jvm1 = jvmCpu();
    const m = summarize(lat, lat.length, ms, cpu.user + cpu.system);
    const jvmCores = {
      kafka: Math.round(((jvm1.kafka - jvm0.kafka) / (ms / 1000)) * 100) / 100,
      cassandra: Math.round(((jvm1.cassandra - jvm0.cassandra) / (ms / 1000)) * 100) / 100,
    };
    results.gateway = { ...m, failed, concurrency: CONCURRENCY, jvmCores, services: snapshotStats(ms) };
    out(
      `gateway: ${m.ops} requests answered ok (${failed} not) by ${CONCURRENCY} HTTP clients in ${m.seconds.toFixed(2)} s` +
        ` = ${m.opsPerSec} op/s; latency request→verdict answered p50 ${m.p50ms} ms, p99 ${m.p99ms} ms, max ${m.maxMs} ms` +
        `; CPU cores used: Node ${m.cpu}, Kafka ${jvmCores.kafka}, Cassandra ${jvmCores.cassandra}`,
    );
    printStats(ms);
  }
} finally {
  await exchange.stop();
  await env.dropTopics(prefix, Object.values(GROUPS));
  await env.close();
}
const load1 = loadavg();
out(`load average at the end ${load1.map((x) => x.toFixed(2)).join(" ")}`);
results.load = { before: load0, after: load1, cores: cpus().length };
if (args.json) console.log(JSON.stringify(results, null, 2));

function snapshotStats(wallMs: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [name, s] of stats) o[name] = { ...s, busy: Math.round((s.busyMs / wallMs) * 100) / 100 };
  return o;
}

/** Prints each service's counters (`frozen`: a snapshot taken earlier, else the live ones). */
function printStats(wallMs: number, frozen?: Record<string, unknown>): void {
  const all = frozen ? (Object.entries(frozen) as Array<[string, ServiceStats]>) : [...stats];
  for (const [name, s] of all.sort()) {
    const parts: string[] = [];
    if (s.batches > 0)
      parts.push(
        `${s.batches} batches, ${(s.messages / s.batches).toFixed(1)} msgs/batch, ${(s.batchMs / s.batches).toFixed(1)} ms/batch, busy ${Math.round((s.busyMs / wallMs) * 100)}%`,
      );
    if (s.sends > 0)
      parts.push(
        `${s.sends} sends (${(s.sentMessages / s.sends).toFixed(1)} msgs each, ${(s.sendMs / s.sends).toFixed(2)} ms each)`,
      );
    if (s.statements > 0)
      parts.push(
        `${s.statements} statements (${(s.statementMs / s.statements).toFixed(2)} ms each${s.batchStatements > 0 ? `, ${s.batchStatements} of them batches` : ""}${s.lwt > 0 ? `; ${s.lwt} LWT ${(s.lwtMs / s.lwt).toFixed(2)} ms each` : ""}${s.rows > 0 ? `; ${s.rows} rows` : ""})`,
      );
    if (parts.length > 0) out(`    ${name.padEnd(10)} ${parts.join("; ")}`);
  }
}
