/**
 * Kafka helpers shared by the services: topic creation, reading a topic to its end (for
 * recovery), committing offsets, and a mutex that serialises batch handlers.
 */
import type { Clock, ConsumedMessage, Log, Logger, Random } from "../ports/index.ts";
import { TOPIC_SPECS } from "../protocol/topics.ts";
import { connectWithRetry, isRetriableLogError, retrying } from "./retry.ts";

export interface LogDeps {
  log: Log;
  clock: Clock;
  random: Random;
  logger: Logger;
}

/** Creates every engine topic that does not exist yet (TOPIC_SPECS), retrying until the broker answers. */
export async function ensureTopics(log: Log, clock: Clock, logger: Logger): Promise<void> {
  const admin = log.admin();
  await connectWithRetry("admin", admin, clock, logger);
  try {
    await retrying(
      "create topics",
      async () => {
        const existing = new Set(await admin.listTopics());
        const missing = TOPIC_SPECS.filter((t) => !existing.has(t.topic));
        if (missing.length > 0) {
          await admin.createTopics({
            topics: missing.map((t) => ({
              topic: t.topic,
              numPartitions: t.numPartitions,
              replicationFactor: 1,
            })),
            waitForLeaders: true,
          });
        }
      },
      clock,
      logger,
      isRetriableLogError,
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** High watermark (next offset to be written) and low watermark of each partition of `topic`. */
export async function topicEnds(
  deps: LogDeps,
  topic: string,
): Promise<Map<number, { low: bigint; high: bigint }>> {
  return (await topicsEnds(deps, [topic])).get(topic)!;
}

/**
 * Reads `topic` from its beginning up to the end it has NOW (the high watermarks fetched at the
 * start; anything appended later is not delivered), calling `onMessage` for every message exactly
 * once, in offset order within each partition. Partitions interleave in any order.
 *
 * Works on the simulated Kafka and on kafkajs alike: it uses a consumer in a fresh group (a
 * random id) subscribed `fromBeginning`, so no committed offset gets in the way. `opts.from`
 * starts partitions further on (a `seek` once the consumer runs, as kafkajs requires; anything
 * delivered below the start is skipped), `opts.until` stops them earlier (recovery from a
 * snapshot reads only the log after it; the snapshot reader reads windows of its topic).
 * Returns the offset read through per partition (every offset from the start below it was
 * delivered).
 */
export async function readToEnd(
  deps: LogDeps,
  topic: string,
  onMessage: (partition: number, message: ConsumedMessage) => void | Promise<void>,
  opts: ReadRangeOptions = {},
): Promise<Map<number, bigint>> {
  const { log, clock, random, logger } = deps;
  const ends = opts.ends ?? (await topicEnds(deps, topic));
  const through = new Map<number, bigint>();
  /** Next offset expected per partition still to be read. */
  const next = new Map<number, bigint>();
  /** Partitions to start past their low watermark: seeked once the consumer runs. */
  const seeks: Array<{ partition: number; offset: bigint }> = [];
  for (const [p, { low, high: end }] of ends) {
    if (opts.partitions && !opts.partitions.includes(p)) continue;
    const until = opts.until?.get(p);
    const high = until !== undefined && until < end ? until : end;
    through.set(p, high);
    const from = opts.from?.get(p);
    const start = from !== undefined && from > low ? from : low;
    if (high > start) {
      next.set(p, start);
      if (start > low) seeks.push({ partition: p, offset: start });
    }
  }
  if (next.size === 0) return through;

  const groupId = `${opts.groupPrefix ?? "read-to-end"}.${topic}.${random.hex(16)}`;
  const consumer = log.consumer({ groupId });
  let finish!: () => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  let finished = false;
  await connectWithRetry(`reader ${groupId}`, consumer, clock, logger);
  try {
    await retrying(
      `subscribe ${groupId}`,
      () => consumer.subscribe({ topics: [topic], fromBeginning: true }),
      clock,
      logger,
      isRetriableLogError,
    );
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (finished) return;
        const p = batch.partition;
        const high = through.get(p);
        if (high === undefined || !next.has(p)) return;
        try {
          for (const m of batch.messages) {
            const off = BigInt(m.offset);
            const want = next.get(p);
            if (want === undefined) break;
            if (off < want) continue; // redelivered: already handed over
            if (off >= high) break; // appended after we started: not ours to read
            await onMessage(p, m);
            resolveOffset(m.offset);
            if (off + 1n >= high) next.delete(p);
            else next.set(p, off + 1n);
          }
          await heartbeat().catch(() => {});
        } catch (err) {
          finished = true;
          fail(err);
          return;
        }
        if (next.size === 0 && !finished) {
          finished = true;
          finish();
        }
      },
    });
    // kafkajs takes seeks only once the consumer runs; a batch fetched before the seek applies
    // is skipped above (offsets below `next`), so the seek only saves reading.
    for (const s of seeks) consumer.seek({ topic, partition: s.partition, offset: s.offset.toString() });
    await done;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return through;
}

export interface ReadRangeOptions {
  /** Only these partitions (default: all). */
  partitions?: readonly number[];
  groupPrefix?: string;
  /** Per partition, the first offset to read (default: the low watermark). */
  from?: ReadonlyMap<number, bigint>;
  /** Per partition, read only below this offset (default: the high watermark fetched at the start). */
  until?: ReadonlyMap<number, bigint>;
  /** The watermarks, if the caller fetched them already (saves a round trip). */
  ends?: Map<number, { low: bigint; high: bigint }>;
}

/** The watermarks of several topics through one admin connection. */
export async function topicsEnds(
  deps: LogDeps,
  topics: readonly string[],
): Promise<Map<string, Map<number, { low: bigint; high: bigint }>>> {
  const { log, clock, logger } = deps;
  const admin = log.admin();
  await connectWithRetry("admin", admin, clock, logger);
  try {
    const out = new Map<string, Map<number, { low: bigint; high: bigint }>>();
    for (const topic of topics) {
      const offsets = await retrying(
        `fetch offsets of ${topic}`,
        () => admin.fetchTopicOffsets(topic),
        clock,
        logger,
        isRetriableLogError,
      );
      const m = new Map<number, { low: bigint; high: bigint }>();
      for (const p of offsets) m.set(p.partition, { low: BigInt(p.low), high: BigInt(p.high ?? p.offset) });
      out.set(topic, m);
    }
    return out;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Serialises async sections (batch handlers of different partitions must not interleave). */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => {},
      () => {},
    );
    return result;
  }
}

/** A promise that never settles: what a service's run() awaits once its consumer is running. */
export function forever(): Promise<never> {
  return new Promise<never>(() => {});
}
