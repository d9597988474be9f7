/**
 * The whole exchange on real Kafka and Cassandra, in this process: the four services of engine/
 * on the real adapters, one incarnation at a time each, and the HTTP gateway listening on
 * 127.0.0.1 (a real port, so requests go through sockets and HTTP parsing like a client's).
 *
 * - An **incarnation** is one instance of a service with its own ports: its own kafkajs client,
 *   Cassandra session and clock (engine/adapters/real `realPorts`).
 * - **Crash** = `life.kill()`: everything the incarnation awaits stops settling, its consumers
 *   abandon their batch and leave their group without committing, its clients are disconnected,
 *   its timers cleared; the object is dropped. For the gateway also every socket is destroyed
 *   (clients see a reset) and the port is released. What it had handed to the broker or the
 *   store may still land. The broker learns of a crashed member at once (it leaves the group),
 *   not after a session timeout: faster than a real process death, same outcome.
 * - **Restart** = a fresh instance on fresh ports (the gateway on the same port number).
 * Used by the lock-step runner (real/run.ts) and by `tradesim serve`.
 */
import type { FastifyInstance } from "fastify";
import { Activity } from "../engine/adapters/real/activity.ts";
import { kafkaLog, type RealIncarnation, realPorts } from "../engine/adapters/real/index.ts";
import type { LogCollector } from "../engine/adapters/real/logger.ts";
import { ensureTopics } from "../engine/common/log.ts";
import { ensureSchema } from "../engine/common/schema.ts";
import type { EngineConfig } from "../engine/config.ts";
import { buildGateway } from "../engine/gateway/app.ts";
import { provisionApiKey } from "../engine/gateway/auth.ts";
import { MatchingService } from "../engine/me/service.ts";
import type { Logger } from "../engine/ports/index.ts";
import { TOPIC_SPECS } from "../engine/protocol/topics.ts";
import { Settlement } from "../engine/settlement/service.ts";
import { Ubscore } from "../engine/ubscore/service.ts";
import type { ServiceEndpoints } from "../scripts/services/control.ts";
import type { Plant } from "../sim/plants/catalog.ts";
import type { Credentials } from "../sim/world/client.ts";
import type { RealFaults } from "./faults.ts";

export const SERVICE_NAMES = ["gateway", "ubscore", "matching", "settlement"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type BackendName = Exclude<ServiceName, "gateway">;

export interface Live {
  gateway: FastifyInstance | null;
  ubscore: Ubscore | null;
  matching: MatchingService | null;
  settlement: Settlement | null;
}

export interface ExchangeOptions {
  endpoints: ServiceEndpoints;
  config: EngineConfig;
  /** Topic and group namespace ("" = DOMAIN.md's names). */
  topicPrefix: string;
  logs: LogCollector;
  activity?: Activity;
  /** Gateway address; port 0 = any free port (kept across gateway restarts). */
  host?: string;
  port?: number;
  /** Adapter-level faults armed by scenario steps. */
  faults?: RealFaults;
  /** Planted bugs whose port wrappers apply (sim/plants; their code patches are the caller's). */
  plants?: readonly Plant[];
  /** Told when a service dies of an engine error (not a crash the harness asked for). */
  onFailure?: (service: ServiceName, error: string) => void;
  /** Told of crashes the harness causes itself (fault hooks, kafkajs giving up), not scenario steps. */
  onFaultCrash?: (service: ServiceName, why: string) => void;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export class RealExchange {
  readonly config: EngineConfig;
  readonly topicPrefix: string;
  readonly activity: Activity;
  readonly live: Live = { gateway: null, ubscore: null, matching: null, settlement: null };
  readonly incarnations: Record<ServiceName, RealIncarnation | null> = {
    gateway: null,
    ubscore: null,
    matching: null,
    settlement: null,
  };
  /** Whether each service should be up (false after a crash step without a restart). */
  readonly desired: Record<ServiceName, boolean> = {
    gateway: false,
    ubscore: false,
    matching: false,
    settlement: false,
  };
  readonly credentials = new Map<number, Credentials>();
  readonly failures: Array<{ service: ServiceName; error: string; at: number }> = [];
  /** Incarnations started, per service (1 = never restarted). */
  readonly starts: Record<ServiceName, number> = { gateway: 0, ubscore: 0, matching: 0, settlement: 0 };
  private readonly opts: ExchangeOptions;
  private readonly host: string;
  private port: number;
  private listening = false;
  private pendingRestarts = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(opts: ExchangeOptions) {
    this.opts = opts;
    this.config = opts.config;
    this.topicPrefix = opts.topicPrefix;
    this.activity = opts.activity ?? new Activity();
    this.host = opts.host ?? "127.0.0.1";
    this.port = opts.port ?? 0;
  }

  /** The gateway's base URL while it listens, else null. */
  url(): string | null {
    return this.listening && this.live.gateway !== null ? `http://${this.host}:${this.port}` : null;
  }

  get gatewayPort(): number {
    return this.port;
  }

  logger(source: string): Logger {
    return this.opts.logs.logger(source);
  }

  private incarnation(name: string): RealIncarnation {
    const faults = this.opts.faults;
    const service = name as ServiceName;
    const inc = realPorts({
      name,
      brokers: this.opts.endpoints.kafka.brokers,
      contactPoints: this.opts.endpoints.cassandra.contactPoints,
      localDataCenter: this.opts.endpoints.cassandra.localDataCenter,
      topicPrefix: this.topicPrefix,
      logger: this.logger(name),
      activity: this.activity,
      kafkaHooks: faults && {
        beforeCommit: () => {
          if (
            (SERVICE_NAMES as readonly string[]).includes(name) &&
            faults.take("kafka.consumer-crash-before-commit")
          )
            this.crashAndRestartSoon(service, "kafka.consumer-crash-before-commit");
        },
        afterSend: (_topic, idempotent) => {
          if (!idempotent && faults.take("kafka.send-retry-duplicate")) return "duplicate";
          if (faults.take("kafka.send-timeout-appended")) return "timeout";
          return undefined;
        },
      },
      storeHooks: faults && {
        onWrite: (query) => {
          if (/\bIF\b/i.test(query) && faults.take("scylla.lwt-retry-sees-own-row")) return "applied";
          if (faults.take("scylla.write-timeout")) return faults.writeOutcome();
          return undefined;
        },
      },
      onConsumerFailure: (groupId, error) => {
        if (!(SERVICE_NAMES as readonly string[]).includes(name)) return;
        this.fail(service, `kafkajs gave up on consumer ${groupId}: ${describe(error)}`);
        this.crashAndRestartSoon(service, "consumer failure");
      },
    });
    for (const p of this.opts.plants ?? []) if (p.wrapPorts) inc.ports = p.wrapPorts(name, inc.ports);
    return inc;
  }

  /**
   * Creates the topics (in the namespace), the schema (IF NOT EXISTS) and the API keys of
   * `users`, through the engine's own bootstrap code on a bootstrap incarnation.
   */
  async bootstrap(users: Iterable<[number, Credentials]>): Promise<void> {
    const inc = this.incarnation("bootstrap");
    try {
      const { log, store, clock, logger } = inc.ports;
      await ensureTopics(log, clock, logger);
      await this.waitForTopicLeaders();
      await store.connect();
      await ensureSchema(store, this.config, clock, logger);
      for (const [user, c] of users) {
        await provisionApiKey(store, this.config, { user_id: user, key: c.key, secret: c.secret });
        this.credentials.set(user, c);
      }
    } finally {
      await inc.close();
    }
  }

  /**
   * Right after creating topics, the broker may still answer "not the leader" to ListOffsets for
   * a moment (kafkajs logs each as an ERROR although it retries). Wait for that quietly, so the
   * services' logs start clean.
   */
  private async waitForTopicLeaders(): Promise<void> {
    const log = kafkaLog({ brokers: this.opts.endpoints.kafka.brokers, topicPrefix: this.topicPrefix });
    const admin = log.admin();
    try {
      await admin.connect();
      const deadline = Date.now() + 30_000;
      for (const { topic } of TOPIC_SPECS) {
        for (;;) {
          try {
            await admin.fetchTopicOffsets(topic);
            break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    } finally {
      await log.close();
    }
  }

  /** Starts every service and waits until all run. */
  async startAll(): Promise<void> {
    await Promise.all(SERVICE_NAMES.map((n) => this.start(n)));
  }

  /**
   * Starts a fresh incarnation of `name` (crashing the live one first). Resolves when it runs
   * (consumes / listens) or has failed (recorded in `failures`).
   */
  async start(name: ServiceName): Promise<void> {
    if (this.incarnations[name] !== null) this.crash(name);
    this.desired[name] = true;
    this.starts[name]++;
    const inc = this.incarnation(name);
    this.incarnations[name] = inc;
    try {
      if (name === "gateway") await this.startGateway(inc);
      else await this.startBackend(name, inc);
    } catch (err) {
      if (inc.life.dead) return; // crashed while starting: nothing to report
      this.fail(name, describe(err));
      this.crash(name);
      this.desired[name] = false;
    }
  }

  private async startGateway(inc: RealIncarnation): Promise<void> {
    const app = buildGateway(inc.ports, this.config);
    await app.ready();
    await app.listen({ host: this.host, port: this.port });
    if (inc.life.dead) {
      app.server.closeAllConnections();
      app.server.close();
      return;
    }
    const addr = app.server.address();
    if (addr !== null && typeof addr === "object") this.port = addr.port;
    this.live.gateway = app;
    this.listening = true;
    inc.life.whenDead(() => {
      this.listening = false;
      app.server.closeAllConnections();
      app.server.close();
    });
  }

  private async startBackend(name: BackendName, inc: RealIncarnation): Promise<void> {
    if (name === "ubscore") {
      const svc = new Ubscore(inc.ports, this.config);
      this.live.ubscore = svc;
      await svc.start();
    } else if (name === "matching") {
      const svc = new MatchingService(inc.ports, this.config);
      this.live.matching = svc;
      await svc.start();
    } else {
      const svc = new Settlement(inc.ports, this.config);
      this.live.settlement = svc;
      await svc.start();
    }
  }

  /** Kills the live incarnation of `name` (see the module comment). */
  crash(name: ServiceName): void {
    const inc = this.incarnations[name];
    this.desired[name] = false;
    if (inc === null) return;
    inc.life.kill();
    this.incarnations[name] = null;
    this.live[name] = null;
  }

  async restart(name: ServiceName): Promise<void> {
    await this.start(name);
  }

  /** Crashes `name` now and starts it again a moment later (fault hooks, kafkajs giving up). */
  crashAndRestartSoon(name: ServiceName, why: string, delayMs = 20): void {
    if (this.incarnations[name] === null) return;
    this.logger("harness").warn(`${why}: crashing ${name}, restarting it in ${delayMs} ms`);
    this.opts.onFaultCrash?.(name, why);
    this.crash(name);
    this.desired[name] = true; // a restart is coming: the pipeline is not quiet until it runs
    this.pendingRestarts++;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.pendingRestarts--;
      if (this.incarnations[name] === null) void this.start(name);
    }, delayMs);
    this.timers.add(t);
  }

  private fail(service: ServiceName, error: string): void {
    this.failures.push({ service, error, at: Date.now() });
    this.logger(service).error(`died of an engine error: ${error}`);
    this.opts.onFailure?.(service, error);
  }

  /** True when `name` is up and past recovery (consuming, or listening for the gateway). */
  running(name: ServiceName): boolean {
    if (name === "gateway") return this.url() !== null;
    const svc = this.live[name];
    return svc !== null && svc.phase === "running";
  }

  /** Every service that should be up runs, and no restart is pending. */
  ready(): boolean {
    return this.pendingRestarts === 0 && SERVICE_NAMES.every((n) => !this.desired[n] || this.running(n));
  }

  /** Services that should be up and do not run yet. */
  notReady(): ServiceName[] {
    return SERVICE_NAMES.filter((n) => this.desired[n] && !this.running(n));
  }

  allUp(): boolean {
    return SERVICE_NAMES.every((n) => this.running(n));
  }

  get restartsPending(): number {
    return this.pendingRestarts;
  }

  /** Graceful end: stops consuming, closes the clients and the gateway. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pendingRestarts = 0;
    const incs = SERVICE_NAMES.map((n) => [n, this.incarnations[n]] as const);
    const app = this.live.gateway;
    if (app !== null) {
      this.listening = false;
      app.server.closeAllConnections();
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
    }
    await Promise.all(
      incs.map(async ([n, inc]) => {
        if (inc === null) return;
        const svc = n === "gateway" ? null : this.live[n];
        await svc?.stop().catch(() => {});
        await inc.close().catch(() => {});
        inc.life.kill();
      }),
    );
    for (const n of SERVICE_NAMES) {
      this.incarnations[n] = null;
      this.live[n] = null;
      this.desired[n] = false;
    }
  }
}
