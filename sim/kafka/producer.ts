/**
 * The producer, after kafkajs 2.2.4's (src/producer): validation and errors of `send`, the
 * default partitioner, and the internal retrier (5 retries with jittered exponential backoff;
 * an idempotent producer retries forever and sends one request at a time).
 *
 * One request per send (or sendBatch), for all its topics and partitions. Each attempt is a produce request that reaches
 * the broker after a latency (in order with the producer's earlier requests) and is appended
 * there; its answer comes back one more latency later.
 *
 * Faults, asked once per send (acks != 0):
 * - `kafka.send-timeout-appended`: the first attempt is appended but its answer is lost; the
 *   request times out after `requestTimeoutMs`. Then, for the retry:
 * - `kafka.send-retry-duplicate` (asked only after such a timeout): the retry reaches the broker.
 *   A non-idempotent producer's retry appends the records a second time and the send succeeds
 *   (with the second offsets); an idempotent producer's retry carries the same producer id and
 *   sequence numbers, the broker recognises it and answers with the original offsets.
 *   If it does not fire, a non-idempotent producer's retries all time out without reaching the
 *   log and the send rejects with KafkaJSNumberOfRetriesExceeded (cause: a
 *   KafkaJSRequestTimeoutError) although the records are in the log: an unknown outcome. An
 *   idempotent producer never gives up on a retriable error (kafkajs sets retries to
 *   MAX_SAFE_INTEGER), so its send eventually succeeds, without a duplicate.
 * - `kafka.broker-unavailable` (at each request's arrival): while the broker is down every
 *   attempt fails with a retriable KafkaJSConnectionError; a non-idempotent send rejects with
 *   KafkaJSNumberOfRetriesExceeded once its retries are spent (about 9 s), nothing appended.
 */
import type {
  LogMessage,
  Producer,
  ProducerBatch,
  ProducerOptions,
  ProducerRecord,
  RecordMetadata,
} from "../../engine/ports/log.ts";
import type { SimProcess } from "../kernel/process.ts";
import { SIM_EPOCH_MS } from "../ports/clock.ts";
import type { KafkaContext, Live } from "./context.ts";
import { type Backoff, Connection, liveGuard, never } from "./context.ts";
import {
  connectionRefused,
  isErrorRetriable,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  requestTimeout,
} from "./errors.ts";
import { DefaultPartitioner } from "./partitioner.ts";

interface PartitionBatch {
  topic: string;
  partition: number;
  messages: LogMessage[];
  firstSeq: number;
}

type Outcome<T = RecordMetadata[]> = { ok: true; value: T } | { ok: false; error: unknown };

export class SimProducer implements Producer {
  /** This client's connection to the broker (requests and answers in order). */
  private readonly conn = new Connection();
  private readonly ctx: KafkaContext;
  private readonly proc: SimProcess;
  readonly idempotent: boolean;
  private connected = false;
  private producerId = -1;
  private readonly sequences = new Map<string, number>();
  private readonly partitioner: DefaultPartitioner;
  private readonly knownTopics = new Map<string, number>();
  /** The idempotent producer's one-request-at-a-time lock (kafkajs's broker lock). */
  private lock: Promise<void> = Promise.resolve();

  constructor(ctx: KafkaContext, proc: SimProcess, options: ProducerOptions = {}) {
    this.ctx = ctx;
    this.proc = proc;
    this.idempotent = options.idempotent === true;
    this.partitioner = new DefaultPartitioner(ctx.partitionRng);
  }

  async connect(): Promise<void> {
    const live = liveGuard(this.proc);
    const pid = await this.ctx.rpc(this.conn, live, "kafka.connect", () =>
      this.idempotent && this.producerId < 0 ? this.ctx.broker.initProducerId() : this.producerId,
    );
    this.producerId = pid;
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const { topic, messages } = record;
    if (!topic) return Promise.reject(new KafkaJSNonRetriableError("Invalid topic"));
    return this.sendBatch({
      topicMessages: [{ topic, messages }],
      acks: record.acks,
      timeout: record.timeout,
    });
  }

  /** kafkajs's sendBatch: the same checks per topic, then one request for all of them. */
  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const acks = batch.acks ?? -1;
    if (this.idempotent && acks !== -1) {
      throw new KafkaJSNonRetriableError(
        "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees",
      );
    }
    if (!Array.isArray(batch.topicMessages))
      throw new KafkaJSNonRetriableError(`Invalid topicMessages array [${batch.topicMessages}]`);
    for (const { topic, messages } of batch.topicMessages) {
      if (!topic) throw new KafkaJSNonRetriableError("Invalid topic");
      if (!messages)
        throw new KafkaJSNonRetriableError(`Invalid messages array [${messages}] for topic "${topic}"`);
      const withoutValue = messages.find((m) => m.value === undefined);
      if (withoutValue !== undefined) {
        throw new KafkaJSNonRetriableError(
          `Invalid message without value for topic "${topic}": ${JSON.stringify(withoutValue)}`,
        );
      }
    }
    if (!this.connected) throw new KafkaJSError("The producer is disconnected");
    const live = liveGuard(this.proc);
    this.ctx.stats.sends++;
    if (!this.idempotent) return this.sendNow(live, batch.topicMessages, acks);
    const prev = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((r) => {
      release = r;
    });
    await prev;
    try {
      return await this.sendNow(live, batch.topicMessages, acks);
    } finally {
      release();
    }
  }

  /** One metadata request (auto-creating the topic); refused at once while the broker is down. */
  private async metadata(live: Live, topic: string): Promise<Outcome<number>> {
    try {
      const n = await this.ctx.rpc(
        this.conn,
        live,
        "kafka.metadata",
        () => this.ctx.ensureTopic(topic, true).partitions.length,
        {
          failFast: true,
        },
      );
      this.knownTopics.set(topic, n);
      return { ok: true, value: n };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private async sendNow(
    live: Live,
    topicMessages: ProducerBatch["topicMessages"],
    acks: number,
  ): Promise<RecordMetadata[]> {
    const ctx = this.ctx;
    const timestamp = String(SIM_EPOCH_MS + Math.floor(ctx.sched.now() / 1000));
    const retries = this.idempotent ? Number.MAX_SAFE_INTEGER : ctx.opts.retries;
    let backoff: Backoff | null = null;
    /** kafkajs's retrier: wait and go on, or give up with the error it would give up with. */
    const retryOrThrow = async (err: unknown): Promise<void> => {
      backoff ??= ctx.backoff();
      if (!isErrorRetriable(err)) {
        ctx.stats.sendsFailed++;
        throw err;
      }
      if (backoff.count >= retries) {
        ctx.stats.sendsFailed++;
        throw new KafkaJSNumberOfRetriesExceeded(err, { retryCount: backoff.count, retryTime: backoff.time });
      }
      await ctx.sleep(backoff.time * 1000, live, "kafka.retry");
      backoff.next();
    };

    const batches: PartitionBatch[] = [];
    for (const { topic, messages } of topicMessages) {
      let numPartitions = this.knownTopics.get(topic) ?? -1;
      while (numPartitions < 0) {
        const m = await this.metadata(live, topic);
        if (m.ok) numPartitions = m.value;
        else await retryOrThrow(m.error);
      }
      for (const b of this.batches(topic, numPartitions, messages)) batches.push(b);
    }
    if (batches.length === 0) return [];
    const what = `${this.proc.name} ${topicMessages.map((t) => t.topic).join("+")}`;

    const faults = ctx.faults;
    const timeoutFault = "kafka.send-timeout-appended";
    let lose = acks !== 0 && faults.enabled(timeoutFault) && faults.maybe(timeoutFault, what);
    let retryOfLost = false;
    for (;;) {
      const outcome = await this.attempt(live, batches, acks, timestamp, lose, retryOfLost);
      if (outcome.ok) return outcome.value;
      retryOfLost = false;
      if (lose) {
        lose = false;
        const lands = faults.maybe("kafka.send-retry-duplicate", what);
        if (!lands && !this.idempotent) {
          // Every retry times out too, without reaching the log: kafkajs gives up.
          backoff ??= ctx.backoff();
          let waitedMs = 0;
          while (backoff.count < retries) {
            waitedMs += backoff.time + ctx.opts.requestTimeoutMs;
            backoff.next();
          }
          await ctx.sleep(waitedMs * 1000, live, "kafka.retry");
          ctx.stats.sendsFailed++;
          throw new KafkaJSNumberOfRetriesExceeded(outcome.error, {
            retryCount: backoff.count,
            retryTime: backoff.time,
          });
        }
        retryOfLost = true;
      }
      await retryOrThrow(outcome.error);
    }
  }

  /** Groups the messages by partition (kafkajs: one entry per partition, in partition order). */
  private batches(topic: string, numPartitions: number, messages: LogMessage[]): PartitionBatch[] {
    const byPartition: LogMessage[][] = [];
    for (const m of messages) {
      const p = this.partitioner.partition(topic, numPartitions, m);
      if (!Number.isInteger(p) || p < 0 || p >= numPartitions) {
        this.ctx.stats.sendsFailed++;
        throw new KafkaJSNonRetriableError(
          `Invalid partition ${p} for topic "${topic}" (${numPartitions} partitions)`,
        );
      }
      (byPartition[p] ??= []).push(m);
    }
    const batches: PartitionBatch[] = [];
    for (let partition = 0; partition < byPartition.length; partition++) {
      const msgs = byPartition[partition];
      if (msgs === undefined) continue;
      let firstSeq = -1;
      if (this.idempotent) {
        const key = `${topic}\u0000${partition}`;
        firstSeq = this.sequences.get(key) ?? 0;
        this.sequences.set(key, firstSeq + msgs.length);
      }
      batches.push({ topic, partition, messages: msgs, firstSeq });
    }
    return batches;
  }

  /** One produce request. Appends at the broker even if the producer's process died meanwhile. */
  private attempt(
    live: Live,
    batches: PartitionBatch[],
    acks: number,
    timestamp: string,
    lose: boolean,
    retryOfLost: boolean,
  ): Promise<Outcome> {
    const ctx = this.ctx;
    const sched = ctx.sched;
    if (!live()) return never();
    const d = sched.deferred<Outcome>();
    const sentAtUs = sched.now();
    const conn = this.conn;
    const arrival = conn.arrival(sentAtUs + ctx.latency());
    ctx.stats.produceRequests++;
    // acks=0: kafkajs resolves once the request is written, with no metadata.
    if (acks === 0) d.resolve({ ok: true, value: [] });
    sched.at(arrival, "kafka.produce", () => {
      if (ctx.brokerDown("produce")) {
        ctx.stats.connectionErrors++;
        if (acks !== 0)
          sched.at(
            conn.reply(sched.now() + ctx.latency()),
            "kafka.produce-error",
            () => d.resolve(fail(connectionRefused())),
            live,
          );
        return;
      }
      const meta: RecordMetadata[] = [];
      try {
        for (const b of batches) {
          const r = ctx.broker.append(
            ctx.broker.topic(b.topic)!.partitions[b.partition],
            b.messages,
            timestamp,
            this.producerId,
            b.firstSeq,
          );
          if (retryOfLost && !r.deduplicated) ctx.stats.duplicateRecords += b.messages.length;
          meta.push({
            topicName: b.topic,
            partition: b.partition,
            errorCode: 0,
            baseOffset: r.baseOffset >= 0 ? String(r.baseOffset) : undefined,
          });
        }
      } catch (e) {
        if (acks !== 0) {
          sched.at(
            conn.reply(sched.now() + ctx.latency()),
            "kafka.produce-error",
            () => d.resolve(fail(e)),
            live,
          );
        }
        return;
      }
      if (acks === 0) return;
      if (lose) {
        ctx.stats.lostAcks++;
        const timeoutAt = sentAtUs + ctx.opts.requestTimeoutMs * 1000;
        const err = requestTimeout("Produce", 0, 7, SIM_EPOCH_MS + Math.floor(sentAtUs / 1000));
        sched.at(timeoutAt, "kafka.produce-timeout", () => d.resolve(fail(err)), live);
        return;
      }
      const at = conn.reply(sched.now() + ctx.latency());
      sched.at(at, "kafka.produce-ack", () => d.resolve({ ok: true, value: meta }), live);
    });
    return d.promise;
  }
}

function fail(error: unknown): Outcome<never> {
  return { ok: false, error };
}
