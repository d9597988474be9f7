/**
 * The simulated world: the whole exchange (engine/) on the deterministic kernel, with the
 * simulated Kafka and Scylla, one process per service, the fault injector, and a client. It owns
 * wiring only: what runs (a scenario), what is checked (invariants) and what is reported live in
 * sim/runner and invariants/.
 */
import type { FastifyInstance } from "fastify";
import { ensureTopics, forever } from "../../engine/common/log.ts";
import { ensureSchema } from "../../engine/common/schema.ts";
import type { EngineConfig } from "../../engine/config.ts";
import { buildGateway } from "../../engine/gateway/app.ts";
import { provisionApiKey } from "../../engine/gateway/auth.ts";
import { MatchingService } from "../../engine/me/service.ts";
import type { Ports } from "../../engine/ports/index.ts";
import { TABLES } from "../../engine/schema/cql.ts";
import { Settlement } from "../../engine/settlement/service.ts";
import { Ubscore } from "../../engine/ubscore/service.ts";
import type { FaultRates } from "../faults/catalog.ts";
import { FaultInjector } from "../faults/injector.ts";
import { SimKafka } from "../kafka/index.ts";
import { SimProcess } from "../kernel/process.ts";
import { Scheduler } from "../kernel/scheduler.ts";
import { Trace } from "../kernel/trace.ts";
import type { Plant } from "../plants/catalog.ts";
import { simClock } from "../ports/clock.ts";
import { simRandom } from "../ports/random.ts";
import { SimScylla } from "../scylla/index.ts";
import { type ClientAnswer, type ClientRequest, type Credentials, SimClient } from "./client.ts";
import { traceLogger } from "./logger.ts";

export const KAFKA_REQUEST_TIMEOUT_MS = 5_000;

export const SERVICE_NAMES = ["gateway", "ubscore", "matching", "settlement"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface WorldOptions {
  seed: number | string;
  rates: FaultRates;
  config: EngineConfig;
  /** Users to provision API keys for. */
  users: readonly number[];
  keepTraceEntries?: boolean;
  keepStepHashes?: boolean;
  shuffleTies?: boolean;
  /** Planted bugs whose port wrappers apply to this world (see sim/plants). */
  plants?: readonly Plant[];
  /** A restart after a random crash comes this many virtual ms later (seeded within the range). */
  restartDelayMs?: [number, number];
}

/** The live instance of each service (null while its process is down), for the invariants. */
export interface Instances {
  gateway: FastifyInstance | null;
  ubscore: Ubscore | null;
  matching: MatchingService | null;
  settlement: Settlement | null;
}

export class World {
  readonly sched: Scheduler;
  readonly faults: FaultInjector;
  readonly kafka: SimKafka;
  readonly scylla: SimScylla;
  readonly config: EngineConfig;
  readonly procs: Record<ServiceName, SimProcess>;
  readonly live: Instances = { gateway: null, ubscore: null, matching: null, settlement: null };
  readonly client: SimClient;
  readonly credentials = new Map<number, Credentials>();
  /** Engine exceptions that killed a process (bugs, not crashes). */
  readonly failures: Array<{ service: string; step: number; error: string }> = [];
  /** Run after every scheduler step the world drives itself (set by the runner: the auditor). */
  afterStep: () => void = () => {};
  /** Told of every crash, before the process's memory is gone. */
  onCrash: (name: ServiceName) => void = () => {};
  /** Told of crashes the world caused itself (faults), not scenario steps. */
  onFaultCrash: (name: ServiceName) => void = () => {};
  /** Distinct trade ids Settlement wrote (followed through the store's write feed). */
  private readonly settledTrades = new Set<string>();
  /** Restarts scheduled after random crashes, not yet done. */
  private pendingRestarts = 0;
  private readonly restartDelayMs: [number, number];
  private readonly users: readonly number[];
  private readonly plants: readonly Plant[];

  constructor(opts: WorldOptions) {
    this.sched = new Scheduler({
      seed: opts.seed,
      shuffleTies: opts.shuffleTies,
      trace: new Trace({ keepEntries: opts.keepTraceEntries, keepStepHashes: opts.keepStepHashes }),
    });
    this.faults = new FaultInjector(this.sched, opts.rates);
    // A 5 s request timeout (kafkajs's default is 30 s): the real adapters use the same, so a lost
    // acknowledgement stalls a service for seconds, not minutes.
    this.kafka = new SimKafka(this.sched, this.faults, { requestTimeoutMs: KAFKA_REQUEST_TIMEOUT_MS });
    this.kafka.onConsumerCrashOpportunity = (proc) =>
      this.crashFor(proc, "kafka.consumer-crash-before-commit");
    this.scylla = new SimScylla(this.sched, this.faults);
    this.scylla.onWrite((w) => {
      if (w.table === TABLES.trades && w.keyspace === opts.config.keyspace)
        this.settledTrades.add(String(w.pk[0]));
    });
    this.config = opts.config;
    this.users = opts.users;
    this.plants = opts.plants ?? [];
    this.restartDelayMs = opts.restartDelayMs ?? [5, 500];
    const onFailure = (p: SimProcess, err: unknown) =>
      this.failures.push({ service: p.name, step: this.sched.step, error: describe(err) });
    this.procs = {
      gateway: new SimProcess(this.sched, "gateway", (p) => this.runGateway(p), { onFailure }),
      ubscore: new SimProcess(this.sched, "ubscore", (p) => this.runService(p, "ubscore"), { onFailure }),
      matching: new SimProcess(this.sched, "matching", (p) => this.runService(p, "matching"), { onFailure }),
      settlement: new SimProcess(this.sched, "settlement", (p) => this.runService(p, "settlement"), {
        onFailure,
      }),
    };
    this.client = new SimClient(this.sched, () => (this.procs.gateway.alive ? this.live.gateway : null));
    const rng = this.sched.rng("world/credentials");
    for (const u of opts.users) {
      let secret = "";
      while (secret.length < 32) secret += rng.int(16).toString(16);
      this.credentials.set(u, { key: `key-${u}`, secret });
    }
  }

  portsFor(proc: SimProcess): Ports {
    let ports: Ports = {
      clock: simClock(this.sched, proc),
      random: simRandom(this.sched, proc.name),
      log: this.kafka.client(proc),
      store: this.scylla.client(proc),
      logger: traceLogger(this.sched, proc.name),
    };
    for (const p of this.plants) if (p.wrapPorts) ports = p.wrapPorts(proc.name, ports);
    return ports;
  }

  /** Creates topics, schema and API keys (faults paused), then starts every service. */
  async boot(): Promise<void> {
    this.faults.paused = true;
    let done = false;
    const boot = new SimProcess(
      this.sched,
      "bootstrap",
      async (p) => {
        const ports = this.portsFor(p);
        await ensureTopics(ports.log, ports.clock, ports.logger);
        await ensureSchema(ports.store, this.config, ports.clock, ports.logger);
        for (const u of this.users) {
          const c = this.credentials.get(u)!;
          await provisionApiKey(ports.store, this.config, { user_id: u, key: c.key, secret: c.secret });
        }
        done = true;
      },
      {
        onFailure: (_p, err) => {
          throw new Error(`world bootstrap failed: ${describe(err)}`);
        },
      },
    );
    boot.start();
    await this.sched.run({ until: () => done });
    if (!done) throw new Error("world bootstrap did not finish");
    for (const name of SERVICE_NAMES) this.procs[name].start();
    await this.sched.run({ until: () => this.ready() });
    this.faults.paused = false;
  }

  /** True once every running service has finished recovering and consumes. */
  ready(): boolean {
    return (
      (!this.procs.gateway.alive || this.live.gateway !== null) &&
      (!this.procs.ubscore.alive || this.live.ubscore?.phase === "running") &&
      (!this.procs.matching.alive || this.live.matching?.phase === "running") &&
      (!this.procs.settlement.alive || this.live.settlement?.phase === "running")
    );
  }

  crash(name: ServiceName): void {
    if (this.procs[name].alive) this.onCrash(name);
    this.procs[name].crash();
    this.live[name] = null;
  }

  restart(name: ServiceName): void {
    if (this.procs[name].alive) this.crash(name);
    this.procs[name].start();
  }

  /** The `process.crash` fault: at this step, maybe crash a random service and restart it later. */
  maybeCrashSomething(): void {
    if (!this.faults.enabled("process.crash")) return;
    if (!this.faults.maybe("process.crash")) return;
    const rng = this.sched.rng("world/crash");
    const name = rng.pick(SERVICE_NAMES);
    this.crashAndRestartLater(name);
  }

  private crashFor(proc: SimProcess, why: string): void {
    const name = SERVICE_NAMES.find((n) => this.procs[n] === proc);
    if (name === undefined) {
      proc.crash();
      return;
    }
    this.sched.note(`world: ${why} crashes ${name}`);
    this.crashAndRestartLater(name);
  }

  private crashAndRestartLater(name: ServiceName): void {
    if (!this.procs[name].alive) return;
    this.onFaultCrash(name);
    this.crash(name);
    const [lo, hi] = this.restartDelayMs;
    const delayMs = this.sched.rng("world/restart-delay").range(lo, hi);
    this.pendingRestarts++;
    this.sched.after(delayMs * 1000, `restart ${name}`, () => {
      this.pendingRestarts--;
      if (!this.procs[name].alive) this.procs[name].start();
    });
  }

  /** Sends one request as `user` and runs the world until it is answered (or times out). */
  async ask(user: number, req: ClientRequest): Promise<ClientAnswer> {
    const creds = this.credentials.get(user);
    if (creds === undefined) throw new Error(`world: user ${user} has no API key`);
    let answer: ClientAnswer | null = null;
    void this.client.request(creds, req).then((a) => (answer = a));
    await this.sched.run({ until: () => answer !== null, afterStep: this.afterStep });
    return answer ?? { kind: "no-answer", reason: "gateway-down" };
  }

  /** Number of distinct trades in `settled_trades` (O(1): counted from the write feed). */
  settledTradeCount(): number {
    return this.settledTrades.size;
  }

  /** A timed fault from a scenario step (kafka.broker-unavailable for `ms`). */
  faultDuration(name: string, ms: number): void {
    if (name === "kafka.broker-unavailable") this.kafka.outage(ms);
  }

  /** Every service process is up (after a crash step without restart, some may be down on purpose). */
  allUp(): boolean {
    return SERVICE_NAMES.every((n) => this.procs[n].alive);
  }

  get restartsPending(): number {
    return this.pendingRestarts;
  }

  private async runGateway(proc: SimProcess): Promise<void> {
    const app = buildGateway(this.portsFor(proc), this.config);
    await app.ready();
    if (!proc.alive) return;
    this.live.gateway = app;
    await forever();
  }

  private async runService(proc: SimProcess, name: "ubscore" | "matching" | "settlement"): Promise<void> {
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
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
