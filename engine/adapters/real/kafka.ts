/**
 * The Log port over kafkajs 2.2.4 (real mode). Same names and shapes as kafkajs; keys, values
 * and headers go from strings to Buffers and back; kafkajs's errors pass through unchanged (the
 * engine branches on their `name`s, as it does on the simulator's kafkajs-named errors).
 *
 * Beyond the port:
 * - **Namespace** (`topicPrefix`): the port's topic `T` is the broker's topic `${prefix}T` and
 *   the group `G` is `${prefix}G`, both ways (batches, metadata and `listTopics` answer the
 *   port's names; `listTopics` only lists this namespace). Every real-mode run gets its own
 *   prefix, so runs never see each other's records or offsets; `tradesim serve` uses none (the
 *   topics are exactly DOMAIN.md's). The engine's code and config are unaware of it.
 * - **Liveness** (`life`): once the incarnation is killed, nothing it awaits settles again, its
 *   consumers stop at once without committing (a batch handler in progress is abandoned: the
 *   wrapper returns to kafkajs, which, with autoCommit off, commits nothing) and leave the group,
 *   and its clients are disconnected. See life.ts.
 * - **Activity** (`activity`): every produce and commit handed to kafkajs is counted until it
 *   settles, and every consumer remembers the offsets its handlers finished (`handled`), so the
 *   harness can tell when the pipeline is quiet.
 * - **Fault hooks** (`hooks`): the harness may crash the incarnation just before a commit, or
 *   turn an acknowledged send into a timeout or a duplicate append (real-mode mappings of the
 *   simulator's faults).
 *
 * kafkajs's own log lines go to the Logger port (default: warnings and errors), prefixed
 * "kafkajs". kafkajs 2.2.4 on Node 24 emits a `TimeoutNegativeWarning` (a timer armed with a
 * negative delay): the patch below removes its cause; the harness also filters the warning.
 */

import { createRequire } from "node:module";
import { connect as netConnect, type Socket } from "node:net";
import {
  type IHeaders,
  type Admin as KAdmin,
  Kafka,
  type KafkaMessage,
  type Consumer as KConsumer,
  type EachBatchPayload as KEachBatchPayload,
  type EachMessagePayload as KEachMessagePayload,
  type Producer as KProducer,
  type RecordMetadata as KRecordMetadata,
  type LogEntry,
  logLevel,
  Partitioners,
  type RetryOptions,
} from "kafkajs";
import type {
  Admin,
  Batch,
  ConsumedMessage,
  Consumer,
  ConsumerOptions,
  ConsumerRunConfig,
  EachBatchPayload,
  Log,
  Logger,
  LogMessage,
  PartitionOffsets,
  Producer,
  ProducerBatch,
  ProducerOptions,
  ProducerRecord,
  RecordMetadata,
  TopicPartitionOffset,
} from "../../ports/index.ts";
import type { Activity } from "./activity.ts";
import { Life } from "./life.ts";

/**
 * kafkajs 2.2.4 bug, patched in memory: `RequestQueue.scheduleCheckPendingRequests` re-arms its
 * timer even when no request is pending, with the delay `throttledUntil - Date.now()`, negative
 * since `throttledUntil` starts at -1: Node runs it after 1 ms (hence Node 24's
 * TimeoutNegativeWarning), and it re-arms itself forever. Once a connection has queued a request
 * (an idempotent producer with one request in flight, a broker restart), it wakes the process
 * every millisecond until the connection is destroyed; a connection whose socket died without
 * kafkajs destroying its queue keeps the process alive for good. With nothing pending there is
 * nothing to check (a new request is checked when it is pushed or when one in flight completes).
 */
type RequestQueueProto = {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
  __tradesimPatched?: boolean;
};
{
  const require = createRequire(import.meta.url);
  const { prototype: rq } = require("kafkajs/src/network/requestQueue/index.js") as {
    prototype: RequestQueueProto;
  };
  if (!rq.__tradesimPatched) {
    const schedule = rq.scheduleCheckPendingRequests;
    rq.scheduleCheckPendingRequests = function (this: RequestQueueProto) {
      if (this.pending.length === 0) return;
      schedule.call(this);
    };
    rq.__tradesimPatched = true;
  }
}

export interface KafkaFaultHooks {
  /** Called before a consumer of `groupId` commits; the harness may kill the incarnation here (the commit is then never sent). */
  beforeCommit?(groupId: string): void;
  /** Called after a send was acknowledged: "timeout" answers a request timeout although the records were appended; "duplicate" appends them once more first (a non-idempotent retry). */
  afterSend?(topic: string, idempotent: boolean): "timeout" | "duplicate" | undefined;
}

export type KafkaLogLevel = "nothing" | "error" | "warn" | "info";

export interface KafkaLogOptions {
  brokers: string[];
  clientId?: string;
  /** Namespace of topics and groups (see the module comment); "" = DOMAIN.md's names. */
  topicPrefix?: string;
  /** Where kafkajs's own log lines go (default: nowhere). */
  logger?: Logger;
  /** kafkajs's log level (default "warn"). */
  logLevel?: KafkaLogLevel;
  /** The incarnation these clients belong to (default: one that never dies). */
  life?: Life;
  activity?: Activity;
  hooks?: KafkaFaultHooks;
  /** Consumer defaults for options the port leaves out. */
  consumer?: {
    sessionTimeout?: number;
    rebalanceTimeout?: number;
    heartbeatInterval?: number;
    maxWaitTimeInMs?: number;
  };
  requestTimeout?: number;
  connectionTimeout?: number;
  retry?: RetryOptions;
  /** A consumer that kafkajs gave up on (crashed and not restarting): a dead service in all but name. */
  onConsumerFailure?: (groupId: string, error: Error) => void;
}

/** Maps port names to broker names and back. */
export class Namespace {
  readonly prefix: string;

  constructor(prefix = "") {
    if (!/^[a-zA-Z0-9._-]*$/.test(prefix)) throw new RangeError(`bad topic prefix ${JSON.stringify(prefix)}`);
    this.prefix = prefix;
  }

  topic(name: string): string {
    return this.prefix + name;
  }

  group(id: string): string {
    return this.prefix + id;
  }

  /** The port's name of a broker topic (unchanged if outside the namespace). */
  local(name: string): string {
    return this.prefix !== "" && name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
  }

  owns(name: string): boolean {
    return name.startsWith(this.prefix);
  }
}

const LEVELS: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
};

/** kafkajs log lines that are expected and say nothing about the system under test. */
const QUIET = [
  "Limiting retries for the idempotent producer", // we bound them on purpose (see producer())
  "KafkaJS v2.0.0 switched default partitioner",
];

function toText(v: Buffer | string | null | undefined): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : v.toString("utf8");
}

function headersOf(h: IHeaders | undefined): Record<string, string> | undefined {
  if (h === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? toText(v[v.length - 1]) : toText(v);
  }
  return out;
}

function consumed(m: KafkaMessage): ConsumedMessage {
  const out: ConsumedMessage = {
    key: m.key === null || m.key === undefined ? null : toText(m.key),
    value: toText(m.value),
    offset: m.offset,
    timestamp: m.timestamp,
  };
  const headers = headersOf(m.headers);
  if (headers !== undefined && Object.keys(headers).length > 0) out.headers = headers;
  return out;
}

/** An error shaped like kafkajs's request timeout (the real-mode `kafka.send-timeout-appended`). */
function requestTimeout(topic: string): Error {
  const e = new Error(
    `Request Produce(key: 0, version: 7) timed out (injected after the append to ${topic})`,
  );
  e.name = "KafkaJSRequestTimeoutError";
  (e as Error & { retriable: boolean }).retriable = true;
  return e;
}

export class RealLog implements Log {
  readonly ns: Namespace;
  readonly life: Life;
  readonly kafka: Kafka;
  private readonly opts: KafkaLogOptions;
  private readonly consumers: RealConsumer[] = [];
  private readonly closers: Array<() => Promise<void>> = [];
  /** Every socket kafkajs opened for this Log (see socketFactory). */
  private readonly sockets = new Set<Socket>();
  private closed = false;

  constructor(opts: KafkaLogOptions) {
    this.opts = opts;
    this.ns = new Namespace(opts.topicPrefix ?? "");
    this.life = opts.life ?? new Life("kafka");
    const logger = opts.logger;
    this.kafka = new Kafka({
      // kafkajs's own factory, plus a record of every socket: kafkajs 2.2.4 can keep a consumer
      // group's coordinator connection outside its broker pool after a broker restart, and
      // disconnect() then leaves it open (heartbeats reconnect it; the process never exits). So
      // whatever is still open once the clients are closed is destroyed (`close`, death).
      socketFactory: ({ host, port, onConnect }) => {
        const socket = netConnect({ host, port }, onConnect);
        socket.setKeepAlive(true, 60_000);
        if (this.closed) socket.destroy(new Error("kafka client closed"));
        else {
          this.sockets.add(socket);
          socket.once("close", () => this.sockets.delete(socket));
        }
        return socket;
      },
      clientId: opts.clientId ?? "tradesim",
      brokers: opts.brokers,
      requestTimeout: opts.requestTimeout ?? 30_000,
      connectionTimeout: opts.connectionTimeout ?? 3_000,
      retry: opts.retry ?? { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
      logLevel: logger === undefined ? logLevel.NOTHING : LEVELS[opts.logLevel ?? "warn"],
      logCreator: () => (entry: LogEntry) => {
        if (logger === undefined) return;
        const { message, timestamp: _t, logger: _l, ...fields } = entry.log;
        if (QUIET.some((q) => String(message).startsWith(q))) return;
        const text = `kafkajs ${entry.namespace}: ${message}`;
        if (entry.level === logLevel.ERROR) logger.error(text, fields);
        else if (entry.level === logLevel.WARN) logger.warn(text, fields);
        else logger.info(text, fields);
      },
    });
    this.life.whenDead(() => {
      void this.close();
    });
  }

  producer(options: ProducerOptions = {}): Producer {
    const idempotent = options.idempotent === true;
    const p = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent,
      maxInFlightRequests: idempotent ? 1 : undefined,
      // Bounded even when idempotent (kafkajs's default is to retry forever): the engine retries
      // a failed send itself, and a send that never gives up would never let the pipeline be quiet.
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
    });
    this.closers.push(() => p.disconnect());
    return new RealProducer(p, this.ns, this.life, idempotent, this.opts);
  }

  consumer(options: ConsumerOptions): Consumer {
    const d = this.opts.consumer ?? {};
    const c = this.kafka.consumer({
      groupId: this.ns.group(options.groupId),
      sessionTimeout: options.sessionTimeout ?? d.sessionTimeout ?? 10_000,
      rebalanceTimeout: d.rebalanceTimeout ?? 20_000,
      heartbeatInterval: options.heartbeatInterval ?? d.heartbeatInterval ?? 1_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? d.maxWaitTimeInMs ?? 100,
      allowAutoTopicCreation: false,
      retry: {
        initialRetryTime: 100,
        maxRetryTime: 2_000,
        retries: 8,
        // kafkajs restarts a crashed consumer only after retriable errors; say yes to all of those.
        restartOnFailure: async () => true,
      },
    });
    const rc = new RealConsumer(c, options.groupId, this.ns, this.life, this.opts);
    this.consumers.push(rc);
    this.closers.push(() => rc.abandon());
    return rc;
  }

  admin(): RealAdmin {
    const a = this.kafka.admin({ retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 } });
    this.closers.push(() => a.disconnect());
    return new RealAdmin(a, this.ns, this.life);
  }

  /** Per port topic and partition (`topic:partition`), the next offset this Log's consumers of `groupId` finished handling. */
  handled(groupId: string): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const c of this.consumers) {
      if (c.groupId !== groupId) continue;
      for (const [k, v] of c.handled) if ((out.get(k) ?? -1n) < v) out.set(k, v);
    }
    return out;
  }

  /** The groups this Log's consumers joined and the (port) topics they subscribed to. */
  subscriptions(): Array<{ groupId: string; topics: string[] }> {
    return this.consumers.map((c) => ({ groupId: c.groupId, topics: [...c.topics] }));
  }

  /** Disconnects every client this Log made, then destroys any socket kafkajs left open. */
  async close(): Promise<void> {
    await Promise.all(this.closers.map((close) => close().catch(() => {})));
    this.closed = true;
    // With an error, so that kafkajs notices (a plain destroy() emits only 'close', which kafkajs
    // does not listen to: the connection would stay "connected" and its request-timeout interval
    // would keep the process alive); on 'error' it disconnects and clears its timers itself.
    for (const s of this.sockets) s.destroy(new Error("closed by the tradesim kafka adapter"));
    this.sockets.clear();
  }
}

const kafkaMessage = (m: LogMessage) => ({
  key: m.key,
  value: m.value,
  headers: m.headers,
  partition: m.partition,
});

class RealProducer implements Producer {
  private readonly p: KProducer;
  private readonly ns: Namespace;
  private readonly life: Life;
  private readonly idempotent: boolean;
  private readonly opts: KafkaLogOptions;

  constructor(p: KProducer, ns: Namespace, life: Life, idempotent: boolean, opts: KafkaLogOptions) {
    this.p = p;
    this.ns = ns;
    this.life = life;
    this.idempotent = idempotent;
    this.opts = opts;
  }

  connect(): Promise<void> {
    return this.life.guard(() => this.p.connect());
  }

  disconnect(): Promise<void> {
    return this.life.guard(() => this.p.disconnect());
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.life.guard(async () => {
      const out = await this.sendOnce(record);
      const fault = this.opts.hooks?.afterSend?.(record.topic, this.idempotent);
      if (fault === "duplicate") await this.sendOnce(record);
      if (fault === "timeout") throw requestTimeout(record.topic);
      return out;
    });
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.life.guard(async () => {
      const out = await this.sendBatchOnce(batch);
      const topics = batch.topicMessages.map((t) => t.topic).join("+");
      const fault = this.opts.hooks?.afterSend?.(topics, this.idempotent);
      if (fault === "duplicate") await this.sendBatchOnce(batch);
      if (fault === "timeout") throw requestTimeout(topics);
      return out;
    });
  }

  private sendOnce(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.tracked(
      this.p.send({
        topic: this.ns.topic(record.topic),
        acks: record.acks ?? -1,
        timeout: record.timeout,
        messages: record.messages.map(kafkaMessage),
      }),
    );
  }

  private sendBatchOnce(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.tracked(
      this.p.sendBatch({
        acks: batch.acks ?? -1,
        timeout: batch.timeout,
        topicMessages: batch.topicMessages.map((t) => ({
          topic: this.ns.topic(t.topic),
          messages: t.messages.map(kafkaMessage),
        })),
      }),
    );
  }

  private async tracked(work: Promise<KRecordMetadata[]>): Promise<RecordMetadata[]> {
    const meta = await (this.opts.activity ? this.opts.activity.track("send", work) : work);
    return meta.map((r) => {
      const out: RecordMetadata = {
        topicName: this.ns.local(r.topicName),
        partition: r.partition,
        errorCode: r.errorCode,
      };
      const base = r.baseOffset ?? r.offset;
      if (base !== undefined) out.baseOffset = base;
      return out;
    });
  }
}

class RealConsumer implements Consumer {
  /** Next offset whose handling finished, per `topic:partition` (port names). */
  readonly handled = new Map<string, bigint>();
  readonly topics = new Set<string>();
  readonly groupId: string;
  private assigned: Array<{ topic: string; partition: number }> = [];
  private running = false;
  private runConfig: Parameters<KConsumer["run"]>[0] | null = null;
  /** The last error a handler threw (a broken service, not a broker problem). */
  private handlerError: Error | null = null;
  private readonly c: KConsumer;
  private readonly ns: Namespace;
  private readonly life: Life;
  private readonly opts: KafkaLogOptions;

  constructor(c: KConsumer, groupId: string, ns: Namespace, life: Life, opts: KafkaLogOptions) {
    this.c = c;
    this.groupId = groupId;
    this.ns = ns;
    this.life = life;
    this.opts = opts;
    c.on(c.events.GROUP_JOIN, (e) => {
      const a: Array<{ topic: string; partition: number }> = [];
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment))
        for (const partition of partitions) a.push({ topic: this.ns.local(topic), partition });
      this.assigned = a;
    });
    c.on(c.events.CRASH, (e) => {
      if (e.payload.restart || this.life.dead || !this.running) return;
      // kafkajs gave up on this consumer (a non-retriable error). If our handler threw, the
      // service is broken: tell the owner. Otherwise it is the broker's doing (say, "Failed to find
      // group coordinator" right after a broker restart): run the consumer again, as kafkajs does
      // after retriable errors, so a service keeps consuming across broker restarts like the port
      // promises.
      const err = e.payload.error;
      if (this.handlerError !== null) {
        opts.onConsumerFailure?.(groupId, this.handlerError);
        return;
      }
      opts.logger?.warn(
        `kafkajs gave up on consumer ${groupId} (${err.name}: ${err.message}); running it again`,
      );
      void this.rerun();
    });
  }

  /** Connects and runs the consumer again with its subscriptions and run config, until it runs. */
  private async rerun(): Promise<void> {
    for (let attempt = 1; this.runConfig !== null && !this.life.dead; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 2_000)));
      if (this.life.dead) return;
      try {
        await this.c.connect();
        await this.c.run(this.runConfig);
        return;
      } catch (err) {
        this.opts.logger?.warn(
          `consumer ${this.groupId}: running it again failed: ${(err as Error).message}`,
        );
        await this.c.disconnect().catch(() => {});
      }
    }
  }

  connect(): Promise<void> {
    return this.life.guard(() => this.c.connect());
  }

  disconnect(): Promise<void> {
    this.running = false;
    this.runConfig = null;
    return this.life.guard(() => this.c.disconnect());
  }

  /** On death: stop fetching and leave the group, without committing anything. */
  async abandon(): Promise<void> {
    this.running = false;
    this.runConfig = null;
    await this.c.disconnect();
  }

  subscribe(s: { topics: string[]; fromBeginning?: boolean }): Promise<void> {
    return this.life.guard(async () => {
      await this.c.subscribe({
        topics: s.topics.map((t) => this.ns.topic(t)),
        fromBeginning: s.fromBeginning,
      });
      for (const t of s.topics) this.topics.add(t);
    });
  }

  run(config: ConsumerRunConfig): Promise<void> {
    const { eachBatch, eachMessage } = config;
    this.running = true;
    this.runConfig = {
      autoCommit: config.autoCommit,
      autoCommitInterval: config.autoCommitInterval ?? undefined,
      autoCommitThreshold: config.autoCommitThreshold ?? undefined,
      eachBatchAutoResolve: config.eachBatchAutoResolve,
      partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
      eachBatch: eachBatch ? (p) => this.onBatch(p, eachBatch) : undefined,
      eachMessage: eachMessage
        ? async (p: KEachMessagePayload) => {
            if (this.life.dead) return;
            const topic = this.ns.local(p.topic);
            await Promise.race([
              eachMessage({
                topic,
                partition: p.partition,
                message: consumed(p.message),
                heartbeat: () => this.life.guard(() => p.heartbeat()),
              }),
              this.life.death,
            ]);
            if (!this.life.dead) this.markHandled(topic, p.partition, BigInt(p.message.offset) + 1n);
          }
        : undefined,
    };
    const runConfig = this.runConfig;
    return this.life.guard(() => this.c.run(runConfig));
  }

  private async onBatch(p: KEachBatchPayload, handler: (payload: EachBatchPayload) => Promise<void>) {
    if (this.life.dead) return;
    const b = p.batch;
    const topic = this.ns.local(b.topic);
    const batch: Batch = {
      topic,
      partition: b.partition,
      highWatermark: b.highWatermark,
      messages: b.messages.map(consumed),
      firstOffset: () => b.firstOffset(),
      lastOffset: () => b.lastOffset(),
    };
    const payload: EachBatchPayload = {
      batch,
      resolveOffset: (offset) => {
        if (!this.life.dead) p.resolveOffset(offset);
      },
      heartbeat: () => this.life.guard(() => p.heartbeat()),
      commitOffsetsIfNecessary: (offsets?: unknown) =>
        this.life.guard(() =>
          p.commitOffsetsIfNecessary(offsets as Parameters<typeof p.commitOffsetsIfNecessary>[0]),
        ),
      isRunning: () => !this.life.dead && p.isRunning(),
      isStale: () => this.life.dead || p.isStale(),
    };
    // A killed incarnation abandons its batch: the wrapper returns to kafkajs at once.
    try {
      await Promise.race([handler(payload), this.life.death]);
    } catch (err) {
      this.handlerError = err instanceof Error ? err : new Error(String(err));
      throw err;
    }
    if (this.life.dead || b.messages.length === 0) return;
    this.markHandled(topic, b.partition, BigInt(b.lastOffset()) + 1n);
  }

  private markHandled(topic: string, partition: number, next: bigint): void {
    const k = `${topic}:${partition}`;
    if ((this.handled.get(k) ?? -1n) < next) this.handled.set(k, next);
  }

  stop(): Promise<void> {
    this.running = false;
    this.runConfig = null;
    return this.life.guard(() => this.c.stop());
  }

  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    this.opts.hooks?.beforeCommit?.(this.groupId);
    return this.life.guard(() => {
      const work = this.c.commitOffsets(offsets.map((o) => ({ ...o, topic: this.ns.topic(o.topic) })));
      return this.opts.activity ? this.opts.activity.track("commit", work) : work;
    });
  }

  seek(target: TopicPartitionOffset): void {
    if (this.life.dead) return;
    this.c.seek({ ...target, topic: this.ns.topic(target.topic) });
  }

  assignment(): Array<{ topic: string; partition: number }> {
    return this.running && !this.life.dead ? [...this.assigned] : [];
  }
}

export class RealAdmin implements Admin {
  readonly a: KAdmin;
  private readonly ns: Namespace;
  private readonly life: Life;

  constructor(a: KAdmin, ns: Namespace, life: Life) {
    this.a = a;
    this.ns = ns;
    this.life = life;
  }

  connect(): Promise<void> {
    return this.life.guard(() => this.a.connect());
  }

  disconnect(): Promise<void> {
    return this.life.guard(() => this.a.disconnect());
  }

  /**
   * kafkajs's `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a KRaft broker under load
   * may answer the metadata of a just-created topic with UNKNOWN_TOPIC_OR_PARTITION for a moment
   * (kafkajs issue 1563), and createTopics then throws although the topics were created. In that
   * case this waits for the leaders itself and answers `true` (created), as kafkajs would have.
   */
  createTopics(options: {
    topics: Array<{ topic: string; numPartitions?: number; replicationFactor?: number }>;
    waitForLeaders?: boolean;
  }): Promise<boolean> {
    const topics = options.topics.map((t) => ({ ...t, topic: this.ns.topic(t.topic) }));
    const waitForLeaders = options.waitForLeaders ?? true;
    return this.life.guard(async () => {
      try {
        return await this.a.createTopics({ topics, waitForLeaders });
      } catch (err) {
        if (!waitForLeaders || (err as { type?: string }).type !== "UNKNOWN_TOPIC_OR_PARTITION") throw err;
        await this.leadersOf(topics.map((t) => t.topic));
        return true;
      }
    });
  }

  private async leadersOf(topics: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const md = await this.a.fetchTopicMetadata({ topics });
        if (
          md.topics.length === topics.length &&
          md.topics.every((t) => t.partitions.every((p) => p.leader >= 0))
        )
          return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`no leader for ${topics.join(", ")} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.life.guard(async () =>
      (await this.a.fetchTopicOffsets(this.ns.topic(topic))).map((p) => ({
        partition: p.partition,
        offset: p.offset,
        high: p.high,
        low: p.low,
      })),
    );
  }

  fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>> {
    return this.life.guard(async () =>
      (
        await this.a.fetchOffsets({
          groupId: this.ns.group(options.groupId),
          topics: options.topics.map((t) => this.ns.topic(t)),
        })
      ).map((t) => ({
        topic: this.ns.local(t.topic),
        partitions: t.partitions.map((p) => ({ partition: p.partition, offset: p.offset })),
      })),
    );
  }

  listTopics(): Promise<string[]> {
    return this.life.guard(async () =>
      (await this.a.listTopics())
        .filter((t) => this.ns.owns(t) && !t.startsWith("__"))
        .map((t) => this.ns.local(t)),
    );
  }

  /** Not in the port: deletes topics of this namespace (harness clean-up). */
  deleteTopics(topics: string[], timeout = 30_000): Promise<void> {
    return this.life.guard(() =>
      this.a.deleteTopics({ topics: topics.map((t) => this.ns.topic(t)), timeout }),
    );
  }

  /** Not in the port: deletes consumer groups of this namespace (harness clean-up). */
  async deleteGroups(groupIds: string[]): Promise<void> {
    await this.life.guard(() => this.a.deleteGroups(groupIds.map((g) => this.ns.group(g))));
  }
}

/** The Log port on kafkajs (see the module comment). */
export function kafkaLog(opts: KafkaLogOptions): RealLog {
  return new RealLog(opts);
}
