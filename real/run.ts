/**
 * Real mode: a scenario against real Kafka and Cassandra, in lock-step. Each step is applied,
 * then the runner waits until the pipeline is quiet (real/quiesce.ts defines it), brings the
 * Audit's copies of the topics and the keyspace up to date, and runs the invariants: the
 * per-step families on everything that step appended, and the quiescent families (when every
 * service is up, and at every `expect`). `async` request steps are the exception: they are sent
 * without waiting, and the next steps race with them until the next synchronous step settles.
 * The end is the simulator's: bring every service back, cancel every open order through the
 * gateway, settle, then the quiescent and final invariants.
 *
 *   const result = await runReal(scenario, { replay: "npx tradesim replay f.json --adapters real" });
 *
 * The result has the simulator's RunResult shape, plus `real` (keyspace, topic namespace,
 * quiescence and restart timings, log counts). Real mode has no virtual time: `virtualMs` is the
 * wall time of the steps, `steps` the number of lock-step observations, and `traceHash` the hash
 * of the final ledger (real/ledger.ts), comparable with a simulator run's ledger.
 */
import { UsageError } from "../cli/usage.ts";
import { LogCollector } from "../engine/adapters/real/logger.ts";
import { GROUPS, TOPIC_SPECS, TOPICS } from "../engine/protocol/topics.ts";
import { TABLES } from "../engine/schema/cql.ts";
import { Audit } from "../invariants/auditor.ts";
import { checkExpect } from "../invariants/expect.ts";
import { ALL_INVARIANTS } from "../invariants/index.ts";
import type { Invariant } from "../invariants/types.ts";
import { engineConfigOf, knobsOf } from "../scenarios/engine-config.ts";
import type { Scenario, Step } from "../scenarios/format.ts";
import { restartCassandra, restartKafka } from "../scripts/services/control.ts";
import { isFaultName, PROFILES } from "../sim/faults/catalog.ts";
import { RandomSource } from "../sim/kernel/random.ts";
import type { Plant } from "../sim/plants/catalog.ts";
import { isRequestStep, isRetryable, requestFor } from "../sim/runner/requests.ts";
import type { RunResult } from "../sim/runner/result.ts";
import type { ClientAnswer } from "../sim/world/client.ts";
import { RealClient } from "./client.ts";
import { filterKafkajsWarning, RealEnv } from "./env.ts";
import { RealExchange, SERVICE_NAMES, type ServiceName } from "./exchange.ts";
import { RealFaults, realActionOf } from "./faults.ts";
import { type LedgerHead, ledgerHash, ledgerHeads } from "./ledger.ts";
import { KafkaMirror } from "./mirror.ts";
import { Quiescence, type QuietOptions } from "./quiesce.ts";
import { StoreSnapshot } from "./snapshot.ts";
import { RealWorldView } from "./view.ts";

export interface RealRunOptions {
  /** The command that replays this run (printed with failures). */
  replay: string;
  seed?: number;
  profile?: string;
  /** A shared environment (tests reuse one keyspace); default: one for this run, dropped at the end. */
  env?: RealEnv;
  invariants?: () => Invariant[];
  /** Client attempts per request step (same request id) before giving up. */
  attempts?: number;
  /** The quiet rule's timing (settle window, give-up time). */
  quiet?: QuietOptions;
  /** Give-up time for the wait after a Kafka or Cassandra restart (ms). */
  restartQuietTimeoutMs?: number;
  /** Quiescent invariants after every step (default, when all services are up) or only at expects and the end. */
  checks?: "every-step" | "expects";
  /** Echo warnings and errors of the services (and kafkajs) to stderr, or to this function. */
  verbose?: boolean | ((line: string) => void);
  /** Keep the run's topics (default: deleted at the end). */
  keepTopics?: boolean;
  /** Planted bugs (sim/plants) active during this run: their code patches and port wrappers. */
  plants?: readonly Plant[];
}

export interface RealRunDetails {
  keyspace: string;
  topicPrefix: string;
  gateway: string;
  /** Waits for quiet: how many, total and longest wait, how many gave up. */
  quiescence: { waits: number; totalMs: number; maxMs: number; timeouts: number };
  /** Incarnations started per service (1 = never restarted). */
  incarnations: Record<ServiceName, number>;
  /** Broker / Cassandra restarts done by fault steps, with their durations (ms). */
  infrastructure: { kafkaRestarts: number[]; cassandraRestarts: number[] };
  /** Fault steps with no real-mode mapping (see real/faults.ts). */
  faultsIgnored: Record<string, number>;
  /** Counts of the services' log lines, and the last warnings/errors. */
  logs: { warn: number; error: number; last: string[] };
  phasesMs: { boot: number; steps: number; drain: number; teardown: number };
  /** Rows per table at the end. */
  rows: Record<string, number>;
}

export type RealRunResult = RunResult & { real: RealRunDetails };

/** What a run leaves behind, for comparisons (the differential test). */
export interface FinalState {
  /** Latest ledger row per `user:asset`. */
  ledger: Map<string, LedgerHead>;
  /** UBSCore's balances at the end, per `user:asset`. */
  balances: Map<string, { avail: bigint; frozen: bigint; seq: bigint }>;
}

export interface RealRunHandle {
  result: RealRunResult;
  final: FinalState;
}

const RETRY_GAP_MS = 200;

function usersOf(s: Scenario): number[] {
  const users = new Set<number>();
  for (const st of s.steps) if ("user" in st) users.add(st.user);
  return [...users].sort((a, b) => a - b);
}

export { filterKafkajsWarning };

export async function runReal(scenario: Scenario, opts: RealRunOptions): Promise<RealRunResult> {
  return (await runRealScenario(scenario, opts)).result;
}

export async function runRealScenario(scenario: Scenario, opts: RealRunOptions): Promise<RealRunHandle> {
  filterKafkajsWarning();
  const t0 = Date.now();
  const echo =
    opts.verbose === true
      ? (line: string) => process.stderr.write(`${line}\n`)
      : typeof opts.verbose === "function"
        ? opts.verbose
        : undefined;
  const logs = new LogCollector({ echo });
  const harnessLog = logs.logger("harness");
  let env = opts.env;
  const ownEnv = env === undefined;
  if (env === undefined) {
    try {
      env = await RealEnv.open({ log: (line) => harnessLog.info(line), logger: logs.logger("observer") });
    } catch (err) {
      // Not a violation: the environment cannot run real mode. The CLI answers it like bad usage
      // (exit 2, one line naming what is missing); tests fail with the same message.
      throw new UsageError(`--adapters real: cannot start Kafka and Cassandra: ${(err as Error).message}`);
    }
  }
  const undo = (opts.plants ?? []).flatMap((p) => (p.patch ? [p.patch()] : []));
  try {
    return await runIn(env, scenario, opts, logs, t0);
  } finally {
    for (const u of undo.reverse()) u();
    if (ownEnv) await env.close();
  }
}

async function runIn(
  env: RealEnv,
  scenario: Scenario,
  opts: RealRunOptions,
  logs: LogCollector,
  t0: number,
): Promise<RealRunHandle> {
  const seed = opts.seed ?? scenario.seed ?? 1;
  const profile = opts.profile ?? scenario.profile ?? "none";
  if (PROFILES[profile] === undefined) throw new Error(`unknown profile ${profile}`);
  const harnessLog = logs.logger("harness");
  await env.beginRun();
  const config = engineConfigOf(scenario, seed, env.keyspace);
  const prefix = env.newTopicPrefix();
  const faults = new RealFaults(new RandomSource(seed).stream("real/write-timeout"));
  const crashes: Array<{ op: number; service: string }> = [];
  let currentOp = 0;
  const exchange = new RealExchange({
    onFaultCrash: (service) => crashes.push({ op: currentOp, service }),
    endpoints: env.endpoints,
    config,
    topicPrefix: prefix,
    logs,
    activity: env.activity,
    faults,
    plants: opts.plants,
  });
  const client = new RealClient(() => exchange.url());
  const observer = env.observer(prefix);
  const admin = observer.admin();
  const mirror = new KafkaMirror(observer, [
    TOPICS.balanceEvents,
    TOPICS.validatedOrders,
    TOPICS.engineOutputs,
    TOPICS.results,
  ]);
  const mirrorGroup = `audit-mirror.${Date.now().toString(36)}`;
  const snapshot = new StoreSnapshot(env.cql, env.keyspace);
  const view = new RealWorldView(String(seed), exchange, client, mirror, snapshot);
  const audit = new Audit(view.asWorld(), (opts.invariants ?? ALL_INVARIANTS)());
  const quiescence = new Quiescence(exchange, admin, client, env.activity);
  const rng = new RandomSource(seed).stream("real/crash");
  const answers = { ok: 0, rejected: 0, unanswered: 0, retries: 0 };
  const expects = { checked: 0, failed: 0 };
  const qstats = { waits: 0, totalMs: 0, maxMs: 0, timeouts: 0 };
  const infra = { kafkaRestarts: [] as number[], cassandraRestarts: [] as number[] };
  const phases = { boot: 0, steps: 0, drain: 0, teardown: 0 };
  const checksEvery = (opts.checks ?? "every-step") === "every-step";
  let stuck = false;
  let ends = new Map<string, bigint[]>();
  let final: FinalState = { ledger: new Map(), balances: new Map() };
  let stepsStart = Date.now();

  const settle = async (what: string, opts2: { quiescent: boolean; timeoutMs?: number }): Promise<void> => {
    if (stuck) return;
    const q = await quiescence.wait({ ...opts.quiet, timeoutMs: opts2.timeoutMs ?? opts.quiet?.timeoutMs });
    qstats.waits++;
    qstats.totalMs += q.ms;
    qstats.maxMs = Math.max(qstats.maxMs, q.ms);
    if (!q.quiet) {
      qstats.timeouts++;
      stuck = true;
      audit.report(
        "liveness",
        `the pipeline was not quiet ${q.ms} ms after ${what}: ${q.pending.slice(0, 6).join("; ")}`,
        {
          pending: q.pending.slice(0, 20).join("; "),
        },
      );
      return;
    }
    ends = q.ends;
    if (!(await mirror.syncTo(q.ends))) {
      stuck = true;
      audit.report("liveness", `the harness's copy of the topics did not catch up after ${what}`);
      return;
    }
    view.sched.step++;
    audit.afterStep();
    if (opts2.quiescent || (checksEvery && exchange.allUp())) {
      await snapshot.refresh();
      await audit.atQuiescence();
    }
  };

  const send = async (index: number, step: Step, background = false): Promise<ClientAnswer | null> => {
    if (!isRequestStep(step)) return null;
    const req = requestFor(step, index);
    const creds = exchange.credentials.get(step.user)!;
    let last: ClientAnswer | null = null;
    for (let attempt = 0; attempt < (opts.attempts ?? 8); attempt++) {
      if (attempt > 0) {
        answers.retries++;
        await new Promise((r) => setTimeout(r, RETRY_GAP_MS));
      }
      const answer = await client.request(creds, req);
      last = answer;
      if (answer.kind === "answer" && !isRetryable(answer.envelope.status)) break;
      if (audit.full || stuck) break;
      audit.coverage.hit("client-retry");
    }
    if (last === null || last.kind === "no-answer" || isRetryable(last.envelope.status)) answers.unanswered++;
    else if (last.envelope.status === 0) answers.ok++;
    else answers.rejected++;
    void background;
    return last;
  };

  const restartInfra = async (which: "kafka" | "cassandra"): Promise<void> => {
    const t = Date.now();
    const log = (line: string) => harnessLog.info(`services: ${line}`);
    if (which === "kafka") await restartKafka({ log });
    else await restartCassandra({ log });
    (which === "kafka" ? infra.kafkaRestarts : infra.cassandraRestarts).push(Date.now() - t);
  };

  const restartTimeout = opts.restartQuietTimeoutMs ?? 180_000;
  try {
    // --- boot ------------------------------------------------------------------------------
    const users = usersOf(scenario);
    const creds = users.map((u) => {
      const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
      return [u, { key: `key-${u}-${prefix.slice(4, -1)}`, secret }] as [
        number,
        { key: string; secret: string },
      ];
    });
    await exchange.bootstrap(creds);
    await admin.connect();
    await Promise.all([exchange.startAll(), mirror.start(mirrorGroup)]);
    phases.boot = Date.now() - t0;
    stepsStart = Date.now();
    await settle("the boot", { quiescent: false });

    // --- steps -----------------------------------------------------------------------------
    const inFlight: Array<Promise<unknown>> = [];
    for (let i = 0; i < scenario.steps.length && !audit.full && !stuck; i++) {
      const step = scenario.steps[i];
      audit.op = i;
      currentOp = i;
      view.sched.note(`op ${i} ${step.op}`);
      let restartTimeoutMs: number | undefined;
      switch (step.op) {
        case "deposit":
        case "withdraw":
        case "place":
        case "cancel": {
          if (step.async) {
            inFlight.push(send(i, step, true));
            continue; // no wait: the next steps race with this one
          }
          const answer = await send(i, step);
          if (step.expect_status !== undefined) {
            expects.checked++;
            const got = answer?.kind === "answer" ? answer.envelope.status : "no answer";
            if (got !== step.expect_status) {
              expects.failed++;
              audit.report(
                "expect",
                `steps[${i}] (${step.op}): gateway answered ${got}, expected status ${step.expect_status}`,
                {
                  expected: step.expect_status,
                  got,
                  msg: answer?.kind === "answer" ? answer.envelope.msg : (answer?.reason ?? ""),
                },
              );
            }
          }
          break;
        }
        case "crash":
          exchange.crash(step.service);
          break;
        case "restart":
          await exchange.restart(step.service);
          break;
        case "fault": {
          if (!isFaultName(step.name)) throw new Error(`unknown fault ${step.name}`);
          const times = step.times ?? 1;
          switch (realActionOf(step.name, step.ms)) {
            case "kafka-restart":
              await restartInfra("kafka");
              faults.count(step.name);
              restartTimeoutMs = restartTimeout;
              break;
            case "cassandra-restart":
              await restartInfra("cassandra");
              faults.count(step.name);
              restartTimeoutMs = restartTimeout;
              break;
            case "random-crash":
              for (let k = 0; k < times; k++) {
                const name = rng.pick(SERVICE_NAMES);
                view.sched.note(`process.crash: ${name}`);
                crashes.push({ op: i, service: name });
                exchange.crash(name);
                await exchange.restart(name);
                faults.count(step.name);
              }
              break;
            case "armed":
              faults.arm(step.name, times);
              break;
            case "no-op":
            case "ignored":
              faults.ignore(step.name);
              break;
          }
          break;
        }
        case "advance":
          await new Promise((r) => setTimeout(r, Math.min(step.ms, 5_000)));
          break;
        case "read": {
          const path = {
            balance: "/api/user/balance",
            orders: "/api/user/order_history",
            trades: "/api/user/trade_history",
          }[step.what];
          const query: Record<string, string | number> = { user_id: step.user };
          if (step.what !== "balance") query.symbol = step.symbol ?? "BTC_USDT";
          const a = await view.ask(step.user, { method: "GET", path, query });
          if (a.kind === "answer" && a.envelope.status !== 0 && !isRetryable(a.envelope.status))
            audit.report(
              "reads",
              `steps[${i}]: GET ${path} for user ${step.user} answered ${a.envelope.status} ${a.envelope.msg}`,
              { status: a.envelope.status, msg: a.envelope.msg },
            );
          break;
        }
        case "expect":
          break;
      }
      await settle(`steps[${i}] (${step.op})`, {
        quiescent: step.op === "expect",
        timeoutMs: restartTimeoutMs,
      });
      if (step.op === "expect" && !stuck) {
        const before = audit.violations.length;
        await checkExpect(view.asWorld(), audit, step, i);
        expects.checked++;
        if (audit.violations.length > before) expects.failed++;
      }
    }
    if (inFlight.length > 0) {
      await Promise.all(inFlight);
      await settle("the last asynchronous requests", { quiescent: false });
    }
    phases.steps = Date.now() - stepsStart;

    // --- drain -----------------------------------------------------------------------------
    const drainStart = Date.now();
    if (!audit.full && !stuck) {
      audit.op = -1;
      currentOp = -1;
      view.sched.note("drain");
      faults.disarm();
      for (const name of ["ubscore", "matching", "settlement", "gateway"] as const)
        if (!exchange.running(name) && exchange.incarnations[name] === null) await exchange.restart(name);
      await settle("the restarts of the drain", { quiescent: false });
      const u = exchange.live.ubscore;
      if (u !== null && !stuck) {
        const open = [...u.state.orders.values()].sort((a, b) =>
          BigInt(a.order_id) < BigInt(b.order_id) ? -1 : 1,
        );
        for (const o of open)
          await send(-1, {
            op: "cancel",
            user: o.user_id,
            order_id: o.order_id,
            request_id: `drain-cancel-${o.order_id}`,
          });
        await settle("the drain's cancels", { quiescent: true });
        if (!stuck) await audit.atEnd();
      }
    }
    phases.drain = Date.now() - drainStart;

    await snapshot.refresh();
    final = {
      ledger: ledgerHeads(snapshot.scylla.rows(env.keyspace, TABLES.ledger)),
      balances: new Map(),
    };
    const u = exchange.live.ubscore;
    if (u !== null)
      for (const [user, assets] of u.state.balances)
        for (const [asset, h] of assets)
          final.balances.set(`${user}:${asset}`, { avail: h.avail, frozen: h.frozen, seq: h.seq });
  } finally {
    const tdStart = Date.now();
    await mirror.stop();
    await exchange.stop();
    await observer.close();
    if (!opts.keepTopics)
      await env.dropTopics(prefix, [GROUPS.ubscore, GROUPS.matching, GROUPS.settlement, mirrorGroup]);
    phases.teardown = Date.now() - tdStart;
  }

  const crashedBeforeCommit = faults.fired["kafka.consumer-crash-before-commit"] ?? 0;
  if (crashedBeforeCommit > 0) audit.coverage.hit("crash-with-uncommitted-input", crashedBeforeCommit);
  let messages = 0;
  for (const { topic } of TOPIC_SPECS) for (const hw of ends.get(topic) ?? []) messages += Number(hw);
  if (mirror.gaps.length > 0)
    audit.report(
      "messages-well-formed",
      `the harness's copy of the topics has gaps: ${mirror.gaps.slice(0, 3).join("; ")}`,
    );
  const result: RealRunResult = {
    name: scenario.name,
    seed,
    profile,
    ops: scenario.steps.length,
    steps: view.sched.step,
    virtualMs: phases.steps,
    traceHash: ledgerHash(final.ledger),
    invariantChecks: audit.checks,
    violations: [
      ...audit.violations,
      ...exchange.failures.map((f) => ({
        invariant: "process-failure",
        step: view.sched.step,
        op: audit.op,
        seed: String(seed),
        message: `${f.service} died of an engine error: ${f.error}`,
        values: {},
      })),
    ],
    knobs: knobsOf(config),
    faults: { ...faults.fired },
    crashes,
    coverage: audit.coverage.counts(),
    expects,
    answers,
    messages,
    replay: opts.replay,
    ok: false,
    elapsedMs: Date.now() - t0,
    real: {
      keyspace: env.keyspace,
      topicPrefix: prefix,
      gateway: `http://127.0.0.1:${exchange.gatewayPort}`,
      quiescence: qstats,
      incarnations: { ...exchange.starts },
      infrastructure: infra,
      faultsIgnored: { ...faults.ignored },
      logs: {
        warn: logs.counts.warn,
        error: logs.counts.error,
        last: logs.lines.slice(-10).map((l) => `${l.source} ${l.level} ${l.text}`.slice(0, 300)),
      },
      phasesMs: phases,
      rows: { ...snapshot.counts },
    },
  };
  result.ok = result.violations.length === 0;
  return { result, final };
}
