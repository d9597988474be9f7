/**
 * The simulated broker's data plane: topics, partitions, and one append-only log per partition.
 * Offsets are dense indices into the log (no retention, no compaction: the low watermark is
 * always 0). Records are frozen when appended and handed to consumers as they are, so a fetch
 * costs O(batch) and an append O(messages) with no per-history work.
 *
 * An idempotent producer's appends carry its producer id and per-partition sequence numbers; the
 * broker remembers the last few batches per (producer, partition) like Kafka does (5), so a retry
 * of a batch that was already written returns the original offset instead of writing it again.
 */
import type { ConsumedMessage, LogMessage } from "../../engine/ports/log.ts";
import { KafkaJSProtocolError } from "./errors.ts";

/** A parked long-poll fetch (see consumer.ts): woken by the next append to a partition it waits on. */
export interface FetchWaiter {
  done: boolean;
  onData(): void;
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  /** The partition's records; `records[i].offset === String(i)`. */
  readonly records: ConsumedMessage[] = [];
  waiters: FetchWaiter[] = [];

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** Parks a fetch here; ended fetches left behind by earlier polls are swept now and then. */
  park(w: FetchWaiter): void {
    if (this.waiters.length >= 16) this.waiters = this.waiters.filter((x) => !x.done);
    this.waiters.push(w);
  }

  /** The high watermark: the offset the next record will get. */
  get high(): number {
    return this.records.length;
  }
}

export class TopicState {
  readonly name: string;
  readonly partitions: PartitionLog[];
  readonly autoCreated: boolean;
  readonly createdAtUs: number;

  constructor(name: string, numPartitions: number, autoCreated: boolean, createdAtUs: number) {
    this.name = name;
    this.autoCreated = autoCreated;
    this.createdAtUs = createdAtUs;
    this.partitions = [];
    for (let p = 0; p < numPartitions; p++) this.partitions.push(new PartitionLog(name, p));
  }
}

export interface AppendResult {
  baseOffset: number;
  /** True when an idempotent producer's retry was recognised and nothing was written. */
  deduplicated: boolean;
}

interface SequenceState {
  /** The next sequence number expected from this producer on this partition. */
  next: number;
  /** The last batches written: first sequence and base offset (Kafka keeps 5). */
  recent: Array<{ firstSeq: number; baseOffset: number }>;
}

const RECENT_BATCHES = 5;
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic name rule: 1..249 of [a-zA-Z0-9._-], and not "." or "..". */
export function isLegalTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && name !== "." && name !== ".." && LEGAL_TOPIC.test(name);
}

export class Broker {
  readonly topics = new Map<string, TopicState>();
  private readonly sequences = new Map<string, SequenceState>();
  private nextProducerId = 0;
  /** Records written, and records written again by a non-idempotent retry. */
  appended = 0;
  deduplicated = 0;

  topic(name: string): TopicState | undefined {
    return this.topics.get(name);
  }

  /** Creates a topic; false if it already exists. Name and count must have been validated. */
  createTopic(name: string, numPartitions: number, autoCreated: boolean, nowUs: number): boolean {
    if (this.topics.has(name)) return false;
    this.topics.set(name, new TopicState(name, numPartitions, autoCreated, nowUs));
    return true;
  }

  initProducerId(): number {
    return this.nextProducerId++;
  }

  /**
   * Appends `messages` to one partition, in order, stamped with `timestamp` (ms, as a string).
   * With a producer id (idempotent producer), `firstSeq` is the batch's first sequence number.
   */
  append(
    log: PartitionLog,
    messages: readonly LogMessage[],
    timestamp: string,
    producerId: number,
    firstSeq: number,
  ): AppendResult {
    if (producerId >= 0) {
      const key = `${producerId}\u0000${log.topic}\u0000${log.partition}`;
      let st = this.sequences.get(key);
      if (st === undefined) {
        st = { next: 0, recent: [] };
        this.sequences.set(key, st);
      }
      if (firstSeq < st.next) {
        for (const b of st.recent) {
          if (b.firstSeq === firstSeq) {
            this.deduplicated += messages.length;
            return { baseOffset: b.baseOffset, deduplicated: true };
          }
        }
        // Older than anything remembered: Kafka answers DUPLICATE_SEQUENCE_NUMBER, which
        // kafkajs treats as success without an offset; the batch is not written again.
        this.deduplicated += messages.length;
        return { baseOffset: -1, deduplicated: true };
      }
      if (firstSeq > st.next) throw new KafkaJSProtocolError("OUT_OF_ORDER_SEQUENCE_NUMBER");
      st.next = firstSeq + messages.length;
      st.recent.push({ firstSeq, baseOffset: log.records.length });
      if (st.recent.length > RECENT_BATCHES) st.recent.shift();
    }
    const records = log.records;
    const baseOffset = records.length;
    for (const m of messages) {
      // Like the kafkajs adapter (engine/adapters/real/kafka.ts), a message without headers has
      // no `headers` field (kafkajs itself answers {}): found by `tradesim conformance`.
      const hasHeaders = m.headers !== undefined && Object.keys(m.headers).length > 0;
      records.push(
        Object.freeze({
          key: m.key === undefined ? null : m.key,
          value: m.value,
          offset: String(records.length),
          timestamp,
          ...(hasHeaders ? { headers: Object.freeze({ ...m.headers }) } : {}),
        }),
      );
    }
    this.appended += messages.length;
    const waiters = log.waiters;
    if (waiters.length > 0) {
      log.waiters = [];
      for (const w of waiters) if (!w.done) w.onData();
    }
    return { baseOffset, deduplicated: false };
  }
}
