/**
 * Conformance cases for the Log port: each takes only a LogEnv, so the same bodies can run against
 * the simulated Kafka (test/sim-kafka) and, later, a real broker through the kafkajs adapter.
 * They assert what both must agree on: kafkajs's partitioner, offsets as strings, per-partition
 * order, committed offsets (= next offset to read), fromBeginning, seek, resuming a group.
 */
import { expect } from "vitest";
import type { ConsumedMessage, Consumer, Log } from "../../engine/ports/log.ts";
import { partitionForKey } from "../../sim/kafka/partitioner.ts";

export interface LogEnv {
  log: Log;
  /** A fresh topic or group name (unique per run against a real broker). */
  name(base: string): string;
  /** Waits this many ms (virtual in the simulator). */
  sleep(ms: number): Promise<void>;
}

export interface Seen {
  topic: string;
  partition: number;
  key: string | null;
  value: string;
  offset: string;
}

export async function until(
  env: LogEnv,
  cond: () => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  for (let waited = 0; !cond(); waited += 5) {
    if (waited > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await env.sleep(5);
  }
}

async function createTopic(env: LogEnv, topic: string, numPartitions: number): Promise<void> {
  const admin = env.log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** A consumer that records every message it is handed (eachMessage, autoCommit by default). */
async function recorder(
  env: LogEnv,
  groupId: string,
  topic: string,
  opts: { fromBeginning?: boolean; autoCommit?: boolean } = {},
): Promise<{ consumer: Consumer; seen: Seen[] }> {
  const consumer = env.log.consumer({ groupId, maxWaitTimeInMs: 100 });
  const seen: Seen[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    autoCommit: opts.autoCommit,
    eachMessage: async ({ topic, partition, message }) => {
      seen.push(record(topic, partition, message));
    },
  });
  return { consumer, seen };
}

function record(topic: string, partition: number, m: ConsumedMessage): Seen {
  return { topic, partition, key: m.key, value: m.value, offset: m.offset };
}

/** createTopics/listTopics/fetchTopicOffsets, and send's metadata. */
export async function adminAndOffsets(env: LogEnv): Promise<void> {
  const topic = env.name("adm");
  const admin = env.log.admin();
  await admin.connect();
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(true);
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(false);
  expect(await admin.listTopics()).toContain(topic);
  expect(await admin.fetchTopicOffsets(topic)).toEqual([
    { partition: 0, offset: "0", high: "0", low: "0" },
    { partition: 1, offset: "0", high: "0", low: "0" },
    { partition: 2, offset: "0", high: "0", low: "0" },
  ]);
  const producer = env.log.producer();
  await producer.connect();
  const meta = await producer.send({ topic, messages: [{ key: "a", value: "1", partition: 1 }] });
  expect(meta).toEqual([{ topicName: topic, partition: 1, errorCode: 0, baseOffset: "0" }]);
  const meta2 = await producer.send({
    topic,
    messages: [
      { key: "b", value: "2", partition: 1 },
      { key: "c", value: "3", partition: 1 },
      { key: "d", value: "4", partition: 2 },
    ],
  });
  expect(meta2.map((m) => [m.partition, m.baseOffset])).toEqual([
    [1, "1"],
    [2, "0"],
  ]);
  const offsets = await admin.fetchTopicOffsets(topic);
  expect(offsets.map((o) => o.high)).toEqual(["0", "3", "1"]);
  await producer.disconnect();
  await admin.disconnect();
}

/** Keyed messages land where kafkajs's partitioner puts them, in order, with dense string offsets. */
export async function keyedOrder(env: LogEnv): Promise<Seen[]> {
  const topic = env.name("keyed");
  await createTopic(env, topic, 4);
  const producer = env.log.producer();
  await producer.connect();
  const keys = ["1001", "1002", "1003", "BTC_USDT", "ETH_USDT"];
  for (let i = 0; i < 30; i++) {
    const key = keys[i % keys.length];
    const [meta] = await producer.send({ topic, messages: [{ key, value: `${key}#${i}` }] });
    expect(meta.partition).toBe(partitionForKey(key, 4));
  }
  const { consumer, seen } = await recorder(env, env.name("keyed-g"), topic);
  await until(env, () => seen.length >= 30, "30 messages");
  await consumer.disconnect();
  await producer.disconnect();
  expect(seen).toHaveLength(30);
  for (const s of seen) expect(s.partition).toBe(partitionForKey(s.key!, 4));
  for (let p = 0; p < 4; p++) {
    const offsets = seen.filter((s) => s.partition === p).map((s) => s.offset);
    expect(offsets).toEqual(offsets.map((_, i) => String(i)));
  }
  for (const key of keys) {
    const values = seen.filter((s) => s.key === key).map((s) => Number(s.value.split("#")[1]));
    expect(values).toEqual([...values].sort((a, b) => a - b));
  }
  return seen;
}

/** Committed offset = next offset to read; a restarted member of the group resumes there. */
export async function resumeFromCommitted(env: LogEnv): Promise<void> {
  const topic = env.name("resume");
  const groupId = env.name("resume-g");
  await createTopic(env, topic, 2);
  const producer = env.log.producer();
  await producer.connect();
  const send = (v: string, partition: number) =>
    producer.send({ topic, messages: [{ key: v, value: v, partition }] });
  for (let i = 0; i < 5; i++) await send(`a${i}`, i % 2);
  const first = await recorder(env, groupId, topic);
  await until(env, () => first.seen.length >= 5, "first 5");
  await first.consumer.disconnect();
  const admin = env.log.admin();
  await admin.connect();
  expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
    {
      topic,
      partitions: [
        { partition: 0, offset: "3", metadata: null },
        { partition: 1, offset: "2", metadata: null },
      ],
    },
  ]);
  for (let i = 0; i < 3; i++) await send(`b${i}`, i % 2);
  const second = await recorder(env, groupId, topic);
  await until(env, () => second.seen.length >= 3, "3 more");
  await env.sleep(200);
  expect(second.seen.map((s) => s.value).sort()).toEqual(["b0", "b1", "b2"]);
  await second.consumer.disconnect();
  await admin.disconnect();
  await producer.disconnect();
}

/** fromBeginning: false starts a new group at the end of the log. */
export async function fromLatest(env: LogEnv): Promise<void> {
  const topic = env.name("latest");
  await createTopic(env, topic, 1);
  const producer = env.log.producer();
  await producer.connect();
  for (let i = 0; i < 4; i++) await producer.send({ topic, messages: [{ key: "k", value: `old${i}` }] });
  const { consumer, seen } = await recorder(env, env.name("latest-g"), topic, { fromBeginning: false });
  await env.sleep(500);
  for (let i = 0; i < 2; i++) await producer.send({ topic, messages: [{ key: "k", value: `new${i}` }] });
  await until(env, () => seen.length >= 2, "2 new");
  await env.sleep(200);
  expect(seen.map((s) => s.value)).toEqual(["new0", "new1"]);
  expect(seen.map((s) => s.offset)).toEqual(["4", "5"]);
  await consumer.disconnect();
  await producer.disconnect();
}

/** autoCommit off: only what the consumer commits counts; the rest comes again. */
export async function manualCommit(env: LogEnv): Promise<void> {
  const topic = env.name("manual");
  const groupId = env.name("manual-g");
  await createTopic(env, topic, 1);
  const producer = env.log.producer();
  await producer.connect();
  await producer.send({ topic, messages: [0, 1, 2, 3, 4, 5].map((i) => ({ key: "k", value: `v${i}` })) });
  const consumer = env.log.consumer({ groupId, maxWaitTimeInMs: 100 });
  const seen: string[] = [];
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) seen.push(m.value);
    },
  });
  await until(env, () => seen.length >= 6, "6 messages");
  await consumer.commitOffsets([{ topic, partition: 0, offset: "3" }]);
  await consumer.disconnect();
  const again = await recorder(env, groupId, topic, { autoCommit: false });
  await until(env, () => again.seen.length >= 3, "redelivery");
  await env.sleep(200);
  expect(again.seen.map((s) => s.value)).toEqual(["v3", "v4", "v5"]);
  await again.consumer.disconnect();
  await producer.disconnect();
}

/** eachBatchAutoResolve: false: only resolved offsets are committed. */
export async function resolveOffsetOnly(env: LogEnv): Promise<void> {
  const topic = env.name("resolve");
  const groupId = env.name("resolve-g");
  await createTopic(env, topic, 1);
  const producer = env.log.producer();
  await producer.connect();
  await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ key: "k", value: `v${i}` })) });
  const consumer = env.log.consumer({ groupId, maxWaitTimeInMs: 100 });
  let batches = 0;
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      batches++;
      if (batch.firstOffset() === "0") resolveOffset("1");
    },
  });
  await until(env, () => batches >= 1, "a batch");
  await env.sleep(300);
  await consumer.disconnect();
  const admin = env.log.admin();
  await admin.connect();
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  expect(t.partitions[0].offset).toBe("2");
  await admin.disconnect();
  await producer.disconnect();
}

/** seek moves the member's position; with autoCommit the sought offset is committed. */
export async function seekBack(env: LogEnv): Promise<void> {
  const topic = env.name("seek");
  await createTopic(env, topic, 1);
  const producer = env.log.producer();
  await producer.connect();
  await producer.send({ topic, messages: [0, 1, 2, 3].map((i) => ({ key: "k", value: `v${i}` })) });
  const { consumer, seen } = await recorder(env, env.name("seek-g"), topic);
  await until(env, () => seen.length >= 4, "4 messages");
  consumer.seek({ topic, partition: 0, offset: "1" });
  await until(env, () => seen.length >= 7, "redelivery after seek");
  await env.sleep(200);
  expect(seen.map((s) => s.offset)).toEqual(["0", "1", "2", "3", "1", "2", "3"]);
  await consumer.disconnect();
  await producer.disconnect();
}

/** Two groups each get every message. */
export async function independentGroups(env: LogEnv): Promise<void> {
  const topic = env.name("groups");
  await createTopic(env, topic, 3);
  const producer = env.log.producer();
  await producer.connect();
  for (let i = 0; i < 12; i++) await producer.send({ topic, messages: [{ key: `u${i}`, value: `${i}` }] });
  const a = await recorder(env, env.name("ga"), topic);
  const b = await recorder(env, env.name("gb"), topic);
  await until(env, () => a.seen.length >= 12 && b.seen.length >= 12, "both groups");
  const values = (s: Seen[]) => s.map((x) => Number(x.value)).sort((x, y) => x - y);
  expect(values(a.seen)).toEqual([...Array(12).keys()]);
  expect(values(b.seen)).toEqual([...Array(12).keys()]);
  await a.consumer.disconnect();
  await b.consumer.disconnect();
  await producer.disconnect();
}

export const CONFORMANCE_CASES: Record<string, (env: LogEnv) => Promise<unknown>> = {
  adminAndOffsets,
  keyedOrder,
  resumeFromCommitted,
  fromLatest,
  manualCommit,
  resolveOffsetOnly,
  seekBack,
  independentGroups,
};
