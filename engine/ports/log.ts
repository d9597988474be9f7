/**
 * The log port: the subset of kafkajs the engine uses, with the same names and shapes, except
 * that keys and values are strings (the real adapter converts Buffers). The simulated Kafka in
 * sim/ and the kafkajs adapter in engine/adapters/real implement it.
 */
export interface LogMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
  /** Explicit partition; otherwise chosen from the key by the kafkajs default partitioner. */
  partition?: number;
}

export interface ProducerRecord {
  topic: string;
  messages: LogMessage[];
  /** -1 = all in-sync replicas (default), 1 = leader, 0 = none. */
  acks?: -1 | 0 | 1;
  timeout?: number;
}

/** Several topics in one produce request (kafkajs `sendBatch`). */
export interface ProducerBatch {
  topicMessages: Array<{ topic: string; messages: LogMessage[] }>;
  acks?: -1 | 0 | 1;
  timeout?: number;
}

export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset?: string;
}

export interface Producer {
  connect(): Promise<void>;
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  /** One request for every topic's messages: one round trip instead of one per topic. */
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  /** Idempotent producer: the broker drops retried duplicates of a send. */
  idempotent?: boolean;
}

export interface ConsumedMessage {
  key: string | null;
  value: string;
  offset: string;
  timestamp: string;
  headers?: Record<string, string>;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: ConsumedMessage[];
  firstOffset(): string | null;
  lastOffset(): string;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  commitOffsetsIfNecessary(offsets?: unknown): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedMessage;
  heartbeat(): Promise<void>;
}

export interface ConsumerRunConfig {
  autoCommit?: boolean;
  autoCommitInterval?: number | null;
  autoCommitThreshold?: number | null;
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface ConsumerOptions {
  groupId: string;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  maxWaitTimeInMs?: number;
}

export interface Consumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[]; fromBeginning?: boolean }): Promise<void>;
  run(config: ConsumerRunConfig): Promise<void>;
  stop(): Promise<void>;
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
  seek(target: TopicPartitionOffset): void;
  /** Partitions currently assigned to this member (kafkajs: `consumer.assignment()` via events). */
  assignment(): Array<{ topic: string; partition: number }>;
}

export interface PartitionOffsets {
  partition: number;
  /** Next offset to be written (high watermark). */
  offset: string;
  high: string;
  low: string;
}

export interface Admin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  createTopics(options: {
    topics: Array<{ topic: string; numPartitions?: number; replicationFactor?: number }>;
    waitForLeaders?: boolean;
  }): Promise<boolean>;
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  listTopics(): Promise<string[]>;
}

/** The client factory, like `new Kafka({...})`. */
export interface Log {
  producer(options?: ProducerOptions): Producer;
  consumer(options: ConsumerOptions): Consumer;
  admin(): Admin;
}
