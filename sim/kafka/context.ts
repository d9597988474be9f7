/**
 * What the producer, consumer and admin clients share: the scheduler, the fault injector, the
 * broker and the group coordinator, the resolved options, counters, and the request/response
 * model every client call goes through.
 *
 * The network model: a request reaches the broker after a seeded one-way latency; the broker acts
 * on it at that instant; the answer reaches the caller one more latency later. Each client
 * (producer, consumer, admin) has one connection on which requests arrive, and answers return, in
 * the order they were sent, as on a real broker. While the broker is unavailable, the producer's
 * requests fail fast with a connection error and every other request waits for it to come back. Every answer is
 * guarded by the caller's process incarnation: after a crash nothing resolves. A request already
 * on the wire still lands when its sender crashes (produce and commit: an append or a commit can
 * happen although the process never learns it), like bytes a dead process had already sent.
 */
import type { FaultInjector } from "../faults/injector.ts";
import type { SimProcess } from "../kernel/process.ts";
import type { Rng } from "../kernel/random.ts";
import type { Scheduler } from "../kernel/scheduler.ts";
import { Broker, isLegalTopicName, type TopicState } from "./broker.ts";
import { connectionRefused, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "./errors.ts";
import { GroupCoordinator } from "./group.ts";

export type Live = () => boolean;

/** Where the consumer-crash-before-commit fault struck. */
export interface CrashOpportunity {
  groupId: string;
  /** The partitions whose offsets were about to be committed. */
  offsets: Array<{ topic: string; partition: number; offset: string }>;
}

export interface ConsumerFailure {
  groupId: string;
  error: unknown;
  /** kafkajs restarts the consumer after a retriable crash; otherwise it stays stopped. */
  restart: boolean;
}

export interface SimKafkaOptions {
  /** One-way network latency (µs): the base, and the heavy tail `kafka.latency` adds. */
  latencyUs?: number;
  latencyTailUs?: number;
  /** Most records one fetch returns per partition (stands in for maxBytesPerPartition). */
  maxBatchMessages?: number;
  /** Broker `num.partitions`: partitions of auto-created topics and of createTopics without a count. */
  defaultPartitions?: number;
  /** Broker `auto.create.topics.enable` (true on a stock broker; producers and consumers ask for it). */
  autoCreateTopics?: boolean;
  /** kafkajs `requestTimeout` (ms): how long a request without an answer takes to time out. */
  requestTimeoutMs?: number;
  /** kafkajs retry options (non-idempotent producers, consumers, admin). */
  retries?: number;
  initialRetryTimeMs?: number;
  maxRetryTimeMs?: number;
  /** kafkajs consumer `rebalanceTimeout` default (ms). */
  rebalanceTimeoutMs?: number;
  /** How long a `kafka.broker-unavailable` outage lasts (ms, uniform in [min, max]). */
  outageMs?: readonly [number, number];
  /**
   * Called when `kafka.consumer-crash-before-commit` fires: a consumer has handled messages and is
   * about to commit. The default crashes the process; a world may crash and schedule a restart.
   */
  onConsumerCrashOpportunity?: (proc: SimProcess, info: CrashOpportunity) => void;
  /** Called when a consumer's runner crashes the way kafkajs's does (an error escaped eachBatch). */
  onConsumerFailure?: (proc: SimProcess, info: ConsumerFailure) => void;
}

export interface ResolvedOptions {
  latencyUs: number;
  latencyTailUs: number;
  maxBatchMessages: number;
  defaultPartitions: number;
  autoCreateTopics: boolean;
  requestTimeoutMs: number;
  retries: number;
  initialRetryTimeMs: number;
  maxRetryTimeMs: number;
  rebalanceTimeoutMs: number;
  outageMs: readonly [number, number];
}

export function resolveOptions(o: SimKafkaOptions): ResolvedOptions {
  return {
    latencyUs: o.latencyUs ?? 250,
    latencyTailUs: o.latencyTailUs ?? 20_000,
    maxBatchMessages: o.maxBatchMessages ?? 100,
    defaultPartitions: o.defaultPartitions ?? 1,
    autoCreateTopics: o.autoCreateTopics ?? true,
    requestTimeoutMs: o.requestTimeoutMs ?? 30_000,
    retries: o.retries ?? 5,
    initialRetryTimeMs: o.initialRetryTimeMs ?? 300,
    maxRetryTimeMs: o.maxRetryTimeMs ?? 30_000,
    rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 60_000,
    outageMs: o.outageMs ?? [100, 15_000],
  };
}

export interface KafkaStats {
  /** producer.send calls, produce requests (attempts) sent, and sends that rejected. */
  sends: number;
  produceRequests: number;
  sendsFailed: number;
  /** Produce requests appended whose answer was lost (timed out). */
  lostAcks: number;
  /** Records appended again by a non-idempotent retry of an appended request. */
  duplicateRecords: number;
  connectionErrors: number;
  fetches: number;
  batchesDelivered: number;
  messagesDelivered: number;
  outages: number;
  consumerCrashes: number;
  consumerFailures: number;
}

export interface Reply<T> {
  ok(value: T): void;
  fail(err: unknown): void;
}

/** The process-liveness guard the clients use: the incarnation that made the call, still alive. */
export function liveGuard(proc: SimProcess): Live {
  const inc = proc.incarnation;
  return () => proc.incarnation === inc && (proc.state === "running" || proc.state === "exited");
}

/**
 * One client's connection to the broker (kafkajs: a producer, consumer or admin has its own).
 * Kafka handles a connection's requests one at a time, in order, and answers in order: arrival
 * and answer times on a connection strictly increase, whatever the drawn latencies (and even
 * when the scheduler shuffles simultaneous events).
 */
export class Connection {
  private lastArrivalUs = -1;
  private lastReplyUs = -1;

  /** When a request sent at `sentUs` with this one-way latency reaches the broker. */
  arrival(earliestUs: number): number {
    const t = Math.max(earliestUs, this.lastArrivalUs + 1);
    this.lastArrivalUs = t;
    return t;
  }

  /** When an answer produced at `nowUs` with this latency reaches the client. */
  reply(earliestUs: number): number {
    const t = Math.max(earliestUs, this.lastReplyUs + 1);
    this.lastReplyUs = t;
    return t;
  }
}

/**
 * kafkajs's retrier timing (src/retry): the first wait is initialRetryTime ±20%, each next one
 * is the previous ±20%, doubled, capped at maxRetryTime. The jitter comes from a seeded stream.
 */
export class Backoff {
  count = 0;
  /** The next wait, in ms. */
  time: number;
  private readonly rng: Rng;
  private readonly max: number;

  constructor(rng: Rng, initialMs: number, maxMs: number) {
    this.rng = rng;
    this.max = maxMs;
    this.time = this.jitter(initialMs);
  }

  private jitter(t: number): number {
    const delta = 0.2 * t;
    return Math.ceil(t - delta + this.rng.float() * 2 * delta);
  }

  next(): void {
    this.time = Math.min(this.jitter(this.time) * 2, this.max);
    this.count++;
  }
}

export class KafkaContext {
  readonly sched: Scheduler;
  readonly faults: FaultInjector;
  readonly opts: ResolvedOptions;
  readonly broker = new Broker();
  readonly coordinator: GroupCoordinator;
  readonly hooks: Pick<SimKafkaOptions, "onConsumerCrashOpportunity" | "onConsumerFailure">;
  readonly retryRng: Rng;
  readonly pollRng: Rng;
  readonly partitionRng: Rng;
  private readonly outageRng: Rng;
  /** The broker refuses requests until this virtual time (µs). */
  downUntilUs = 0;
  readonly stats: KafkaStats = {
    sends: 0,
    produceRequests: 0,
    sendsFailed: 0,
    lostAcks: 0,
    duplicateRecords: 0,
    connectionErrors: 0,
    fetches: 0,
    batchesDelivered: 0,
    messagesDelivered: 0,
    outages: 0,
    consumerCrashes: 0,
    consumerFailures: 0,
  };

  constructor(sched: Scheduler, faults: FaultInjector, options: SimKafkaOptions) {
    this.sched = sched;
    this.faults = faults;
    this.opts = resolveOptions(options);
    this.hooks = {
      onConsumerCrashOpportunity: options.onConsumerCrashOpportunity,
      onConsumerFailure: options.onConsumerFailure,
    };
    this.coordinator = new GroupCoordinator(sched, this.broker);
    this.retryRng = sched.rng("kafka/retry");
    this.pollRng = sched.rng("kafka/poll");
    this.partitionRng = sched.rng("kafka/partitioner");
    this.outageRng = sched.rng("kafka/outage");
  }

  /** A one-way network latency (µs), heavy-tailed when `kafka.latency` is on. */
  latency(): number {
    return this.faults.latencyUs("kafka.latency", this.opts.latencyUs, this.opts.latencyTailUs);
  }

  backoff(): Backoff {
    return new Backoff(this.retryRng, this.opts.initialRetryTimeMs, this.opts.maxRetryTimeMs);
  }

  /** Virtual time in ms: what kafkajs's wall-clock arithmetic (intervals, timeouts) sees. */
  nowMs(): number {
    return this.sched.now() / 1000;
  }

  /**
   * A request reaching the broker: an opportunity for `kafka.broker-unavailable`. True if the
   * broker is down now (it was already, or the fault just took it down for a seeded while).
   */
  brokerDown(what: string): boolean {
    const now = this.sched.now();
    if (now < this.downUntilUs) return true;
    if (
      !this.faults.enabled("kafka.broker-unavailable") ||
      !this.faults.maybe("kafka.broker-unavailable", what)
    ) {
      return false;
    }
    const [lo, hi] = this.opts.outageMs;
    this.startOutage(this.outageRng.range(Math.floor(lo), Math.floor(hi)), false);
    return true;
  }

  /** The broker refuses requests for `ms` from now (`record`: count it as the fault firing). */
  startOutage(ms: number, record: boolean): void {
    if (record) this.faults.record("kafka.broker-unavailable", `${ms}ms`);
    this.downUntilUs = Math.max(this.downUntilUs, this.sched.now() + Math.max(0, ms) * 1000);
    this.stats.outages++;
    this.sched.note(`kafka broker unavailable for ${ms}ms`);
  }

  sleep(us: number, live: Live, label = "kafka.sleep"): Promise<void> {
    return this.sched.sleep(us, live, label);
  }

  /**
   * A round trip on `conn`: `atBroker` runs when the request reaches the broker and answers
   * through `reply`, whose answer reaches the caller one latency later, if the caller's
   * incarnation is still alive. While the broker is down the request waits for it, or with
   * `failFast` is refused at once with a connection error (what the producer's requests see).
   * `lands`: the request acts even if its sender died after sending it.
   */
  call<T>(
    conn: Connection,
    live: Live,
    label: string,
    atBroker: (reply: Reply<T>) => void,
    opts: { lands?: boolean; failFast?: boolean } = {},
  ): Promise<T> {
    // A dead incarnation sends nothing (its code may still run if it awaited a foreign promise).
    if (!live()) return never();
    const d = this.sched.deferred<T>();
    const sched = this.sched;
    const reply: Reply<T> = {
      ok: (value) => {
        sched.at(conn.reply(sched.now() + this.latency()), label, () => d.resolve(value), live);
      },
      fail: (err) => {
        sched.at(conn.reply(sched.now() + this.latency()), label, () => d.reject(err), live);
      },
    };
    const guard = opts.lands ? null : live;
    const arrive = (): void => {
      if (this.brokerDown(label)) {
        if (opts.failFast) {
          this.stats.connectionErrors++;
          reply.fail(connectionRefused());
        } else sched.at(conn.arrival(this.downUntilUs), label, arrive, guard);
        return;
      }
      try {
        atBroker(reply);
      } catch (e) {
        reply.fail(e);
      }
    };
    sched.at(conn.arrival(sched.now() + this.latency()), label, arrive, guard);
    return d.promise;
  }

  /** A round trip whose broker side is a plain function: its value, or its error. */
  rpc<T>(
    conn: Connection,
    live: Live,
    label: string,
    atBroker: () => T,
    opts: { lands?: boolean; failFast?: boolean } = {},
  ): Promise<T> {
    return this.call<T>(conn, live, label, (reply) => reply.ok(atBroker()), opts);
  }

  /**
   * The topic, created if the broker auto-creates topics (a producer's or consumer's metadata
   * request); otherwise UNKNOWN_TOPIC_OR_PARTITION. Runs at the broker.
   */
  ensureTopic(name: string, autoCreate: boolean): TopicState {
    const t = this.broker.topic(name);
    if (t !== undefined) return t;
    if (!autoCreate || !this.opts.autoCreateTopics || !isLegalTopicName(name)) {
      throw new KafkaJSProtocolError(
        isLegalTopicName(name) ? "UNKNOWN_TOPIC_OR_PARTITION" : "INVALID_TOPIC_EXCEPTION",
      );
    }
    this.broker.createTopic(name, this.opts.defaultPartitions, true, this.sched.now());
    this.sched.note(`kafka topic ${name} auto-created with ${this.opts.defaultPartitions} partition(s)`);
    return this.broker.topic(name)!;
  }

  /**
   * What kafkajs's retrier does with a retriable error that keeps coming back: wait out the
   * retries, then reject with KafkaJSNumberOfRetriesExceeded wrapping it.
   */
  async failAfterRetries(live: Live, cause: unknown): Promise<never> {
    const b = this.backoff();
    let waitedMs = 0;
    while (b.count < this.opts.retries) {
      waitedMs += b.time;
      b.next();
    }
    await this.sleep(waitedMs * 1000, live, "kafka.retry");
    throw new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: b.count, retryTime: b.time });
  }
}

/** A promise that never settles: what a call returns once its process has died. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
