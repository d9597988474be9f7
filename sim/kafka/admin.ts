/**
 * The admin client, after kafkajs 2.2.4's (src/admin): createTopics (true if created, false if
 * every requested topic already existed, an aggregate of KafkaJSCreateTopicError otherwise),
 * fetchTopicOffsets, fetchOffsets ("-1" for a partition without a committed offset) and
 * listTopics. The admin client never auto-creates topics (kafkajs creates its cluster with
 * allowAutoTopicCreation: false): asking for an unknown topic fails after the retries.
 */
import type { Admin, PartitionOffsets } from "../../engine/ports/log.ts";
import type { SimProcess } from "../kernel/process.ts";
import { isLegalTopicName } from "./broker.ts";
import type { KafkaContext } from "./context.ts";
import { Connection, liveGuard } from "./context.ts";
import { KafkaJSNonRetriableError, KafkaJSProtocolError, type ProtocolErrorType } from "./errors.ts";

export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  topic: string;

  constructor(type: ProtocolErrorType, topic: string) {
    super(type);
    this.name = "KafkaJSCreateTopicError";
    this.topic = topic;
  }
}

export class KafkaJSAggregateError extends Error {
  errors: unknown[];

  constructor(message: string, errors: unknown[]) {
    super(message);
    this.name = "KafkaJSAggregateError";
    this.errors = errors;
  }
}

export class SimAdmin implements Admin {
  /** This client's connection to the broker (requests and answers in order). */
  private readonly conn = new Connection();
  private readonly ctx: KafkaContext;
  private readonly proc: SimProcess;

  constructor(ctx: KafkaContext, proc: SimProcess) {
    this.ctx = ctx;
    this.proc = proc;
  }

  async connect(): Promise<void> {
    await this.ctx.rpc(this.conn, liveGuard(this.proc), "kafka.connect", () => undefined);
  }

  async disconnect(): Promise<void> {}

  async createTopics(options: {
    topics: Array<{ topic: string; numPartitions?: number; replicationFactor?: number }>;
    waitForLeaders?: boolean;
  }): Promise<boolean> {
    const topics = options?.topics;
    if (!topics || !Array.isArray(topics))
      throw new KafkaJSNonRetriableError(`Invalid topics array ${topics}`);
    if (topics.some(({ topic }) => typeof topic !== "string")) {
      throw new KafkaJSNonRetriableError("Invalid topics array, the topic names have to be a valid string");
    }
    if (new Set(topics.map(({ topic }) => topic)).size < topics.length) {
      throw new KafkaJSNonRetriableError(
        "Invalid topics array, it cannot have multiple entries for the same topic",
      );
    }
    const ctx = this.ctx;
    const errors = await ctx.rpc(this.conn, liveGuard(this.proc), "kafka.create-topics", () => {
      const errs: KafkaJSCreateTopicError[] = [];
      for (const { topic, numPartitions } of topics) {
        const n =
          numPartitions === undefined || numPartitions === -1 ? ctx.opts.defaultPartitions : numPartitions;
        if (!isLegalTopicName(topic))
          errs.push(new KafkaJSCreateTopicError("INVALID_TOPIC_EXCEPTION", topic));
        else if (!Number.isInteger(n) || n <= 0)
          errs.push(new KafkaJSCreateTopicError("INVALID_PARTITIONS", topic));
        else if (!ctx.broker.createTopic(topic, n, false, ctx.sched.now())) {
          errs.push(new KafkaJSCreateTopicError("TOPIC_ALREADY_EXISTS", topic));
        } else ctx.sched.note(`kafka topic ${topic} created with ${n} partition(s)`);
      }
      return errs;
    });
    if (errors.length === 0) return true;
    if (errors.every((e) => e.type === "TOPIC_ALREADY_EXISTS")) return false;
    throw new KafkaJSAggregateError("Topic creation errors", errors);
  }

  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    if (!topic || typeof topic !== "string") throw new KafkaJSNonRetriableError(`Invalid topic ${topic}`);
    const live = liveGuard(this.proc);
    const ctx = this.ctx;
    const result = await ctx.rpc(this.conn, live, "kafka.list-offsets", () => {
      const t = ctx.broker.topic(topic);
      if (t === undefined) return null;
      return t.partitions.map((log) => ({
        partition: log.partition,
        offset: String(log.records.length),
        high: String(log.records.length),
        low: "0",
      }));
    });
    if (result === null)
      return ctx.failAfterRetries(live, new KafkaJSProtocolError("UNKNOWN_TOPIC_OR_PARTITION"));
    return result;
  }

  async fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>> {
    const { groupId } = options ?? ({} as { groupId: string });
    let topics = options?.topics;
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${groupId}`);
    if (!topics) topics = [];
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError("Expected topics array to be set");
    const live = liveGuard(this.proc);
    const ctx = this.ctx;
    const result = await ctx.rpc(this.conn, live, "kafka.offset-fetch", () => {
      const out: Array<{
        topic: string;
        partitions: Array<{ partition: number; offset: string; metadata: null }>;
      }> = [];
      for (const topic of topics) {
        const t = ctx.broker.topic(topic);
        if (t === undefined) return null;
        out.push({
          topic,
          partitions: t.partitions.map((log) => ({
            partition: log.partition,
            offset: String(ctx.coordinator.committed(groupId, topic, log.partition)),
            metadata: null,
          })),
        });
      }
      return out;
    });
    if (result === null)
      return ctx.failAfterRetries(live, new KafkaJSProtocolError("UNKNOWN_TOPIC_OR_PARTITION"));
    return result;
  }

  async listTopics(): Promise<string[]> {
    return this.ctx.rpc(this.conn, liveGuard(this.proc), "kafka.metadata", () => [
      ...this.ctx.broker.topics.keys(),
    ]);
  }
}
