/**
 * A small simulated world for the back-end services' tests: the deterministic scheduler, the
 * simulated Kafka (sim/kafka) and Scylla (sim/scylla), UBSCore, the ME and
 * Settlement as crashable processes, and a feeder process standing in for the gateway: it
 * publishes operations one at a time and waits for each one's verdict on `ubscore.results`, so
 * the outcome of a scenario does not depend on timing (crashes, faults, latencies).
 */
import { ensureTopics } from "../../engine/common/log.ts";
import { sendWithRetry } from "../../engine/common/retry.ts";
import { defaultConfig, type EngineConfig } from "../../engine/config.ts";
import { MatchingService } from "../../engine/me/service.ts";
import type { Logger, Ports } from "../../engine/ports/index.ts";
import {
  type BalanceEvent,
  decodeBalanceEvent,
  decodeEngineOutput,
  decodeResult,
  type EngineOutput,
  encode,
  type Operation,
  type OpResult,
} from "../../engine/protocol/messages.ts";
import { TOPIC_SPECS, TOPICS } from "../../engine/protocol/topics.ts";
import { Settlement } from "../../engine/settlement/service.ts";
import { Ubscore } from "../../engine/ubscore/service.ts";
import { FAULT_NAMES, type FaultName, type FaultRates } from "../../sim/faults/catalog.ts";
import { FaultInjector } from "../../sim/faults/injector.ts";
import { SimKafka } from "../../sim/kafka/index.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { simClock } from "../../sim/ports/clock.ts";
import { simRandom } from "../../sim/ports/random.ts";
import { SimScylla } from "../../sim/scylla/index.ts";

export type Service = "ubscore" | "matching" | "settlement";
export const SERVICES: readonly Service[] = ["ubscore", "matching", "settlement"];

export interface WorldOpts {
  seed: number;
  rates?: Partial<Record<FaultName, number>>;
  config?: EngineConfig;
  /** Virtual ms before a crashed service restarts. */
  restartDelayMs?: number;
}

function rates(r: Partial<Record<FaultName, number>> = {}): FaultRates {
  const out = {} as FaultRates;
  for (const n of FAULT_NAMES) out[n] = r[n] ?? 0;
  return out;
}

const quietLogger = (sink: string[], name: string): Logger => ({
  info: () => {},
  warn: (msg, f) =>
    sink.push(
      `${name} warn ${msg} ${f ? JSON.stringify(f, (_k, v) => (typeof v === "bigint" ? String(v) : v)) : ""}`,
    ),
  error: (msg, f) =>
    sink.push(
      `${name} ERROR ${msg} ${f ? JSON.stringify(f, (_k, v) => (typeof v === "bigint" ? String(v) : v)) : ""}`,
    ),
});

export class World {
  readonly sched: Scheduler;
  readonly faults: FaultInjector;
  readonly kafka: SimKafka;
  readonly scylla: SimScylla;
  readonly config: EngineConfig;
  readonly procs: Record<Service, SimProcess>;
  readonly live: {
    ubscore: Ubscore | null;
    matching: MatchingService | null;
    settlement: Settlement | null;
  } = {
    ubscore: null,
    matching: null,
    settlement: null,
  };
  readonly failures: string[] = [];
  readonly logs: string[] = [];
  readonly crashes: string[] = [];
  feederDone = false;
  private readonly restartDelayMs: number;
  private readonly seenResults = new Map<string, OpResult>();

  constructor(opts: WorldOpts) {
    this.sched = new Scheduler({ seed: opts.seed });
    this.faults = new FaultInjector(this.sched, rates(opts.rates));
    this.kafka = new SimKafka(this.sched, this.faults, {
      onConsumerCrashOpportunity: (proc) => this.crashProc(proc, "consumer-crash-before-commit"),
      onConsumerFailure: (proc, info) =>
        this.failures.push(`${proc.name} consumer failure: ${String(info.error)}`),
    });
    for (const t of TOPIC_SPECS) this.kafka.createTopic(t.topic, t.numPartitions);
    this.scylla = new SimScylla(this.sched, this.faults);
    this.config = opts.config ?? defaultConfig();
    this.restartDelayMs = opts.restartDelayMs ?? 50;
    const onFailure = (p: SimProcess, err: unknown) =>
      this.failures.push(
        `${p.name}: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`,
      );
    this.procs = {
      ubscore: new SimProcess(this.sched, "ubscore", (p) => this.runService(p, "ubscore"), { onFailure }),
      matching: new SimProcess(this.sched, "matching", (p) => this.runService(p, "matching"), { onFailure }),
      settlement: new SimProcess(this.sched, "settlement", (p) => this.runService(p, "settlement"), {
        onFailure,
      }),
    };
  }

  portsFor(proc: SimProcess): Ports {
    return {
      clock: simClock(this.sched, proc),
      random: simRandom(this.sched, proc.name),
      log: this.kafka.client(proc),
      store: this.scylla.client(proc),
      logger: quietLogger(this.logs, proc.name),
    };
  }

  private async runService(proc: SimProcess, name: Service): Promise<void> {
    const ports = this.portsFor(proc);
    if (name === "ubscore") {
      const svc = new Ubscore(ports, this.config);
      this.live.ubscore = svc;
      await svc.run();
    } else if (name === "matching") {
      const svc = new MatchingService(ports, this.config);
      this.live.matching = svc;
      await svc.run();
    } else {
      const svc = new Settlement(ports, this.config);
      this.live.settlement = svc;
      await svc.run();
    }
  }

  startAll(): void {
    for (const s of SERVICES) this.procs[s].start();
  }

  crash(name: Service, restartAfterMs = this.restartDelayMs): void {
    const p = this.procs[name];
    if (!p.alive) return;
    this.crashes.push(`${name}@${this.sched.step}`);
    p.crash();
    this.live[name] = null;
    this.sched.after(restartAfterMs * 1000, `restart ${name}`, () => {
      if (!p.alive) p.start();
    });
  }

  private crashProc(proc: SimProcess, why: string): void {
    const name = SERVICES.find((s) => this.procs[s] === proc);
    this.logs.push(`${why}: ${proc.name}`);
    if (name) this.crash(name);
    else proc.crash();
  }

  /** Publishes `ops` one by one from a feeder process, each after the previous one's verdict. */
  feed(ops: Operation[]): void {
    const feeder = new SimProcess(this.sched, "feeder", async (proc) => {
      const ports = this.portsFor(proc);
      await ensureTopics(ports.log, ports.clock, ports.logger);
      // Verdicts arrive through a consumer (long poll: no busy waiting, no extra steps).
      let wake: (() => void) | null = null;
      const consumer = ports.log.consumer({ groupId: "test-feeder" });
      await consumer.connect();
      await consumer.subscribe({ topics: [TOPICS.results], fromBeginning: true });
      await consumer.run({
        autoCommit: false, // never commits: no crash-before-commit opportunity for the feeder
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const r = decodeResult(m.value);
            this.seenResults.set(`${r.user_id}:${r.request_id}`, r);
          }
          const w = wake;
          wake = null;
          w?.();
        },
      });
      const producer = ports.log.producer();
      await producer.connect();
      for (const op of ops) {
        await sendWithRetry(
          producer,
          { topic: TOPICS.operations, messages: [{ key: String(op.user_id), value: encode(op) }] },
          ports.clock,
          ports.logger,
        );
        const key = `${op.user_id}:${op.request_id}`;
        while (!this.seenResults.has(key)) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      }
      this.feederDone = true;
    });
    feeder.start();
  }

  /** Runs until the feeder is done and every service runs again, then until idle. */
  async settle(maxVirtualMs = 3_600_000): Promise<void> {
    const limit = this.sched.now() + maxVirtualMs * 1000;
    await this.sched.run({
      until: () => this.feederDone && this.allRunning(),
      maxTime: limit,
    });
    await this.sched.run({ maxTime: limit });
  }

  /** Rows of a table of the engine's keyspace. */
  rows(table: string): Array<Record<string, unknown>> {
    return this.scylla.rows(this.config.keyspace, table);
  }

  allRunning(): boolean {
    return (
      this.live.ubscore?.phase === "running" &&
      this.live.matching?.phase === "running" &&
      this.live.settlement?.phase === "running"
    );
  }

  // ---- reading the topics ----

  all<T>(topic: string, decode: (raw: string) => T): T[] {
    const out: T[] = [];
    for (let p = 0; p < this.kafka.partitions(topic); p++)
      for (const r of this.kafka.records(topic, p)) out.push(decode(r.value));
    return out;
  }

  balanceEvents(): BalanceEvent[] {
    return this.all(TOPICS.balanceEvents, decodeBalanceEvent);
  }

  engineOutputs(): EngineOutput[] {
    return this.all(TOPICS.engineOutputs, decodeEngineOutput);
  }

  results(): OpResult[] {
    return this.all(TOPICS.results, decodeResult);
  }
}
