/**
 * The simulated Kafka: one broker with topics, partitions and a group coordinator, clients with
 * kafkajs 2.2.4 semantics, and the hostile behaviours of the fault catalog. See README.md.
 *
 *   const kafka = new SimKafka(sched, faults, { onConsumerCrashOpportunity: (p) => world.crash(p) });
 *   const log: Log = kafka.client(proc);          // inside the process's main, per incarnation
 *
 * The inspection methods (records, highWatermark, committed, group, stats, ...) are for the
 * world, invariants and tests; they read the broker's state directly, without a round trip, and
 * are not part of the engine's port.
 */
import type {
  Admin,
  ConsumedMessage,
  Consumer,
  ConsumerOptions,
  Log,
  Producer,
  ProducerOptions,
} from "../../engine/ports/log.ts";
import type { FaultInjector } from "../faults/injector.ts";
import type { SimProcess } from "../kernel/process.ts";
import type { Scheduler } from "../kernel/scheduler.ts";
import { SimAdmin } from "./admin.ts";
import { isLegalTopicName } from "./broker.ts";
import { SimConsumer } from "./consumer.ts";
import {
  type ConsumerFailure,
  type CrashOpportunity,
  KafkaContext,
  type KafkaStats,
  type SimKafkaOptions,
} from "./context.ts";
import type { GroupDescription, GroupStats } from "./group.ts";
import { SimProducer } from "./producer.ts";

export { KafkaJSAggregateError, KafkaJSCreateTopicError } from "./admin.ts";
export type { ConsumerFailure, CrashOpportunity, SimKafkaOptions } from "./context.ts";
export * from "./errors.ts";
export type { GroupDescription, GroupState, MemberDescription, TopicPartitions } from "./group.ts";
export { murmur2, partitionForKey } from "./partitioner.ts";

export interface SimKafkaCounts extends KafkaStats, GroupStats {
  topics: number;
  /** Records in all logs (including duplicates written by retries). */
  records: number;
  /** Records an idempotent producer's retry sent again and the broker dropped. */
  deduplicated: number;
}

export class SimKafka {
  private readonly ctx: KafkaContext;

  constructor(sched: Scheduler, faults: FaultInjector, options: SimKafkaOptions = {}) {
    this.ctx = new KafkaContext(sched, faults, options);
  }

  /** The engine's Log port for one process incarnation (create it inside the process's main). */
  client(proc: SimProcess): Log {
    const ctx = this.ctx;
    return {
      producer: (options?: ProducerOptions): Producer => new SimProducer(ctx, proc, options),
      consumer: (options: ConsumerOptions): Consumer => new SimConsumer(ctx, proc, options),
      admin: (): Admin => new SimAdmin(ctx, proc),
    };
  }

  /** The world's answer to `kafka.consumer-crash-before-commit` (default: `proc.crash()`). */
  set onConsumerCrashOpportunity(fn: ((proc: SimProcess, info: CrashOpportunity) => void) | undefined) {
    this.ctx.hooks.onConsumerCrashOpportunity = fn;
  }

  /** Told when a consumer's runner crashes like kafkajs's (an error escaped eachBatch/eachMessage). */
  set onConsumerFailure(fn: ((proc: SimProcess, info: ConsumerFailure) => void) | undefined) {
    this.ctx.hooks.onConsumerFailure = fn;
  }

  // ---- setup (no round trip; for the world and tests) ----------------------------------------

  /** Creates a topic at once (false if it exists). */
  createTopic(name: string, numPartitions = this.ctx.opts.defaultPartitions): boolean {
    if (!isLegalTopicName(name)) throw new Error(`sim-kafka: illegal topic name ${JSON.stringify(name)}`);
    if (!Number.isInteger(numPartitions) || numPartitions <= 0) {
      throw new Error(`sim-kafka: invalid partition count ${numPartitions} for ${name}`);
    }
    return this.ctx.broker.createTopic(name, numPartitions, false, this.ctx.sched.now());
  }

  /**
   * Takes the broker down for `ms` of virtual time from now (a scenario's `fault` step for
   * kafka.broker-unavailable with a duration): counted and traced like a fault that fired.
   */
  outage(ms: number): void {
    this.ctx.startOutage(ms, true);
  }

  // ---- inspection ----------------------------------------------------------------------------

  /** Topic names, in creation order. */
  topics(): string[] {
    return [...this.ctx.broker.topics.keys()];
  }

  /** Topics created by a producer's or consumer's metadata request rather than on purpose. */
  autoCreatedTopics(): string[] {
    return [...this.ctx.broker.topics.values()].filter((t) => t.autoCreated).map((t) => t.name);
  }

  /** Records appended so far, over every topic (it moves iff some log grew). */
  get appended(): number {
    return this.ctx.broker.appended;
  }

  /** Number of partitions of a topic (0 if it does not exist). */
  partitions(topic: string): number {
    return this.ctx.broker.topic(topic)?.partitions.length ?? 0;
  }

  /** A partition's records (the live array, read-only: index = offset). */
  records(topic: string, partition: number): readonly ConsumedMessage[] {
    return this.log(topic, partition).records;
  }

  /** The record at `offset`, or undefined. */
  record(topic: string, partition: number, offset: number): ConsumedMessage | undefined {
    return this.ctx.broker.topic(topic)?.partitions[partition]?.records[offset];
  }

  highWatermark(topic: string, partition: number): number {
    return this.log(topic, partition).records.length;
  }

  highWatermarks(topic: string): number[] {
    return (this.ctx.broker.topic(topic)?.partitions ?? []).map((l) => l.records.length);
  }

  /** A group's committed offset for a partition (the next offset to read), or -1. */
  committed(groupId: string, topic: string, partition: number): number {
    return this.ctx.coordinator.committed(groupId, topic, partition);
  }

  /** Every committed offset of a group, sorted by topic and partition. */
  committedOffsets(groupId: string): Array<{ topic: string; partition: number; offset: number }> {
    return this.ctx.coordinator.committedOffsets(groupId);
  }

  /** Per partition of `topic`: high watermark minus the group's committed offset. */
  lag(groupId: string, topic: string): number[] {
    return this.highWatermarks(topic).map((high, p) => high - Math.max(0, this.committed(groupId, topic, p)));
  }

  /** A group's state, generation, members and their assignments. */
  group(groupId: string): GroupDescription | undefined {
    return this.ctx.coordinator.describe(groupId);
  }

  groupIds(): string[] {
    return [...this.ctx.coordinator.groups.keys()];
  }

  /** Is the broker answering now (false during a kafka.broker-unavailable outage)? */
  brokerAvailable(): boolean {
    return this.ctx.sched.now() >= this.ctx.downUntilUs;
  }

  counts(): SimKafkaCounts {
    let records = 0;
    for (const t of this.ctx.broker.topics.values())
      for (const l of t.partitions) records += l.records.length;
    return {
      ...this.ctx.stats,
      ...this.ctx.coordinator.stats,
      topics: this.ctx.broker.topics.size,
      records,
      deduplicated: this.ctx.broker.deduplicated,
    };
  }

  private log(topic: string, partition: number) {
    const log = this.ctx.broker.topic(topic)?.partitions[partition];
    if (log === undefined) throw new Error(`sim-kafka: no partition ${topic}/${partition}`);
    return log;
  }
}
