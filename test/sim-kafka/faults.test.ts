/**
 * Every Kafka fault of the catalog, forced with FaultInjector.arm (or a rate), and what the
 * engine sees: kafkajs-shaped errors, duplicates or their absence, redelivery, stalls.
 */
import { describe, expect, it } from "vitest";
import type { EachBatchPayload, RecordMetadata } from "../../engine/ports/log.ts";
import { PROFILES } from "../../sim/faults/catalog.ts";
import type { CrashOpportunity } from "../../sim/kafka/index.ts";
import type { SimProcess } from "../../sim/kernel/process.ts";
import { forever, type World, world } from "./harness.ts";

function values(w: World, topic: string, partition = 0): string[] {
  return w.kafka.records(topic, partition).map((r) => r.value);
}

/** Runs `body` in a process and returns what it returned, or the error it threw. */
async function inProcess<T>(
  w: World,
  body: (proc: SimProcess) => Promise<T>,
): Promise<{ value?: T; error?: unknown }> {
  const out: { value?: T; error?: unknown } = {};
  w.spawn("case", async (proc) => {
    try {
      out.value = await body(proc);
    } catch (e) {
      out.error = e;
    }
  });
  await w.sched.run();
  return out;
}

describe("kafka.latency", () => {
  it("delays delivery by a seeded heavy-tailed latency, the same for the same seed", async () => {
    const delays = async (seed: number, latency: boolean) => {
      const w = world({ seed, rates: { ...PROFILES.none, "kafka.latency": latency ? 1 : 0 } });
      w.kafka.createTopic("t", 1);
      const sentAt = new Map<string, number>();
      const out: number[] = [];
      w.spawn("c", async (proc) => {
        const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
        await consumer.subscribe({ topics: ["t"], fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            if (message.value !== "warm-up") out.push(w.sched.now() - sentAt.get(message.value)!);
          },
        });
        await forever();
      });
      w.spawn("p", async (proc) => {
        const producer = w.kafka.client(proc).producer();
        await producer.connect();
        await producer.send({ topic: "t", messages: [{ key: "k", value: "warm-up" }] }); // metadata
        await w.sched.sleep(1_000_000, proc.guard());
        for (let i = 0; i < 200; i++) {
          sentAt.set(`m${i}`, w.sched.now());
          await producer.send({ topic: "t", messages: [{ key: "k", value: `m${i}` }] });
          await w.sched.sleep(100_000, proc.guard());
        }
      });
      await w.sched.run();
      return { out, fired: w.faults.fired["kafka.latency"] };
    };
    const flat = await delays(1, false);
    expect(new Set(flat.out)).toEqual(new Set([500])); // 250 µs to the broker, 250 µs back
    const a = await delays(1, true);
    const b = await delays(1, true);
    const c = await delays(2, true);
    expect(a.out).toHaveLength(200);
    expect(a.out).toEqual(b.out);
    expect(a.out).not.toEqual(c.out);
    expect(Math.min(...a.out)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...a.out)).toBeGreaterThan(5_000); // the tail
    expect(a.fired).toBeGreaterThan(0);
  });
});

describe("kafka.latency keeps each connection in order", () => {
  it("concurrent sends land, and concurrent commits apply, in the order they were made", async () => {
    const w = world({ seed: 9, rates: { ...PROFILES.none, "kafka.latency": 1 } });
    w.kafka.createTopic("t", 1);
    const acks: number[] = [];
    w.spawn("c", async (proc) => {
      const log = w.kafka.client(proc);
      const producer = log.producer();
      await producer.connect();
      await producer.send({ topic: "t", messages: [{ key: "k", value: "warm-up" }] });
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          producer.send({ topic: "t", messages: [{ key: "k", value: `m${i}` }] }).then(() => acks.push(i)),
        ),
      );
      const consumer = log.consumer({ groupId: "g" });
      await consumer.subscribe({ topics: ["t"] });
      await consumer.run({ autoCommit: false, eachMessage: async () => {} });
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          consumer.commitOffsets([{ topic: "t", partition: 0, offset: String(i + 1) }]),
        ),
      );
      await forever();
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(w.faults.fired["kafka.latency"]).toBeGreaterThan(5);
    expect(values(w, "t").slice(1)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(acks).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(w.kafka.committed("g", "t", 0)).toBe(50);
  });
});

describe("kafka.consumer-crash-before-commit", () => {
  it("by default crashes the consumer's process after handling, before the commit: the batch comes again", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const handled: string[] = [];
    const c = w.spawn("c", async (proc) => {
      const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
      await consumer.subscribe({ topics: ["t"], fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) handled.push(m.value);
        },
      });
      await forever();
    });
    w.spawn("world", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      w.faults.arm("kafka.consumer-crash-before-commit");
      await producer.send({ topic: "t", messages: [0, 1, 2].map((i) => ({ key: "k", value: `m${i}` })) });
      await w.sched.sleep(1_000_000, proc.guard());
      expect(c.state).toBe("crashed");
      expect(w.kafka.committed("g", "t", 0)).toBe(-1);
      c.start();
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(w.faults.fired["kafka.consumer-crash-before-commit"]).toBe(1);
    expect(handled).toEqual(["m0", "m1", "m2", "m0", "m1", "m2"]);
    expect(w.kafka.committed("g", "t", 0)).toBe(3);
  });

  it("calls the world's hook with the process and the offsets it was about to commit", async () => {
    const calls: Array<{ proc: string; info: CrashOpportunity }> = [];
    let w!: World;
    w = world({
      kafka: {
        onConsumerCrashOpportunity: (proc, info) => {
          calls.push({ proc: proc.name, info });
          proc.crash();
          w.sched.after(2_000_000, "restart", () => proc.start());
        },
      },
    });
    w.kafka.createTopic("t", 2);
    const handled: string[] = [];
    w.spawn("c", async (proc) => {
      const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
      await consumer.subscribe({ topics: ["t"], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) handled.push(m.value);
          await consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: String(Number(batch.lastOffset()) + 1),
            },
          ]);
        },
      });
      await forever();
    });
    w.spawn("p", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      await producer.send({ topic: "t", messages: [{ key: "a", value: "x", partition: 1 }] });
      await w.sched.sleep(100_000, proc.guard());
      w.faults.arm("kafka.consumer-crash-before-commit");
      await producer.send({ topic: "t", messages: [{ key: "a", value: "y", partition: 1 }] });
    });
    await w.sched.run();
    expect(calls).toEqual([
      { proc: "c", info: { groupId: "g", offsets: [{ topic: "t", partition: 1, offset: "2" }] } },
    ]);
    // The restarted process waited for its dead member's session to expire, then re-read "y".
    expect(handled).toEqual(["x", "y", "y"]);
    expect(w.kafka.committed("g", "t", 1)).toBe(2);
  });
});

describe("kafka.rebalance-mid-batch", () => {
  it("evicts the member inside eachBatch: isStale, commit fails like kafkajs, the records come again", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const handled: string[] = [];
    const inBatch: Array<{ stale: boolean; error?: unknown }> = [];
    w.spawn("c", async (proc) => {
      const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
      await consumer.subscribe({ topics: ["t"], fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch, isStale, commitOffsetsIfNecessary }: EachBatchPayload) => {
          for (const m of batch.messages) handled.push(m.value);
          await w.sched.sleep(1000, proc.guard());
          const seen: { stale: boolean; error?: unknown } = { stale: isStale() };
          try {
            await commitOffsetsIfNecessary({
              topics: [
                { topic: "t", partitions: [{ partition: 0, offset: batch.messages.length.toString() }] },
              ],
            });
          } catch (e) {
            seen.error = e;
          }
          inBatch.push(seen);
        },
      });
      await forever();
    });
    w.spawn("p", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      w.faults.arm("kafka.rebalance-mid-batch");
      await producer.send({ topic: "t", messages: [0, 1, 2].map((i) => ({ key: "k", value: `m${i}` })) });
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(inBatch[0].stale).toBe(true);
    expect(inBatch[0].error).toMatchObject({
      name: "KafkaJSProtocolError",
      type: "UNKNOWN_MEMBER_ID",
      code: 25,
      retriable: false,
    });
    expect(inBatch[1]).toEqual({ stale: false });
    expect(handled).toEqual(["m0", "m1", "m2", "m0", "m1", "m2"]);
    expect(w.kafka.counts().evictions).toBe(1);
    expect(w.kafka.committed("g", "t", 0)).toBe(3);
    const g = w.kafka.group("g")!;
    expect(g.generationId).toBe(3); // joined, evicted (empty), rejoined
    expect(g.members).toHaveLength(1);
  });

  it("with two members the partition's new owner gets the uncommitted records", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const handled: Array<{ proc: string; value: string }> = [];
    let first = true;
    for (const name of ["c1", "c2"]) {
      w.spawn(name, async (proc) => {
        const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
        await consumer.subscribe({ topics: ["t"], fromBeginning: true });
        await consumer.run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) handled.push({ proc: name, value: m.value });
            if (first) {
              // The evicted owner is still busy when the other member takes the partition over.
              first = false;
              await w.sched.sleep(10_000_000, proc.guard());
            }
          },
        });
        await forever();
      });
    }
    w.spawn("p", async (proc) => {
      await w.sched.sleep(10_000_000, proc.guard()); // the group has settled
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      w.faults.arm("kafka.rebalance-mid-batch");
      await producer.send({ topic: "t", messages: [0, 1].map((i) => ({ key: "k", value: `m${i}` })) });
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(handled).toHaveLength(4);
    const [evicted, , newOwner] = handled;
    expect(evicted.proc).not.toBe(newOwner.proc);
    expect(handled.filter((h) => h.proc === newOwner.proc).map((h) => h.value)).toEqual(["m0", "m1"]);
    expect(w.kafka.counts().evictions).toBe(1);
    expect(w.kafka.committed("g", "t", 0)).toBe(2);
    expect(w.kafka.group("g")!.members).toHaveLength(2);
  });
});

describe("kafka.send-timeout-appended", () => {
  it("non-idempotent: the send rejects with a kafkajs timeout error although the records were appended", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const started = { at: 0 };
    const { error } = await inProcess(w, async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      w.faults.arm("kafka.send-timeout-appended");
      started.at = w.ms();
      await producer.send({ topic: "t", messages: [{ key: "k", value: "v" }] });
    });
    expect(error).toMatchObject({ name: "KafkaJSNumberOfRetriesExceeded", retriable: false, retryCount: 5 });
    expect((error as Error).cause).toMatchObject({ name: "KafkaJSRequestTimeoutError", retriable: true });
    expect((error as Error).message).toBe("Request Produce(key: 0, version: 7) timed out");
    expect(values(w, "t")).toEqual(["v"]); // written once: the outcome was unknown, not failed
    expect(w.ms() - started.at).toBeGreaterThanOrEqual(6 * 30_000); // every attempt timed out
    expect(w.kafka.counts()).toMatchObject({ lostAcks: 1, sendsFailed: 1, duplicateRecords: 0 });
  });

  it("idempotent: kafkajs never gives up; the retry is recognised by the broker and the send succeeds", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const { value, error } = await inProcess(w, async (proc) => {
      const producer = w.kafka.client(proc).producer({ idempotent: true });
      await producer.connect();
      w.faults.arm("kafka.send-timeout-appended");
      return producer.send({ topic: "t", messages: [{ key: "k", value: "v" }] });
    });
    expect(error).toBeUndefined();
    expect(value).toEqual([{ topicName: "t", partition: 0, errorCode: 0, baseOffset: "0" }]);
    expect(values(w, "t")).toEqual(["v"]);
    expect(w.ms()).toBeGreaterThanOrEqual(30_000);
  });
});

describe("kafka.send-retry-duplicate", () => {
  it("non-idempotent: the retry of a timed-out appended request appends the records again", async () => {
    const w = world();
    w.kafka.createTopic("t", 2);
    const { value, error } = await inProcess(w, async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      await producer.send({ topic: "t", messages: [{ key: "k", value: "before", partition: 0 }] });
      w.faults.arm("kafka.send-timeout-appended");
      w.faults.arm("kafka.send-retry-duplicate");
      return producer.send({
        topic: "t",
        messages: [
          { key: "a", value: "a1", partition: 0 },
          { key: "b", value: "b1", partition: 1 },
          { key: "a", value: "a2", partition: 0 },
        ],
      });
    });
    expect(error).toBeUndefined();
    expect(value).toEqual<RecordMetadata[]>([
      { topicName: "t", partition: 0, errorCode: 0, baseOffset: "3" },
      { topicName: "t", partition: 1, errorCode: 0, baseOffset: "1" },
    ]);
    expect(values(w, "t", 0)).toEqual(["before", "a1", "a2", "a1", "a2"]);
    expect(values(w, "t", 1)).toEqual(["b1", "b1"]);
    expect(w.kafka.counts()).toMatchObject({
      duplicateRecords: 3,
      lostAcks: 1,
      sendsFailed: 0,
      deduplicated: 0,
    });
    expect(w.faults.fired["kafka.send-retry-duplicate"]).toBe(1);
  });

  it("idempotent: the broker drops the retried batch by producer id and sequence; no duplicate", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const { value, error } = await inProcess(w, async (proc) => {
      const producer = w.kafka.client(proc).producer({ idempotent: true });
      await producer.connect();
      await producer.send({ topic: "t", messages: [{ key: "k", value: "before" }] });
      w.faults.arm("kafka.send-timeout-appended");
      w.faults.arm("kafka.send-retry-duplicate");
      const meta = await producer.send({
        topic: "t",
        messages: [
          { key: "k", value: "x1" },
          { key: "k", value: "x2" },
        ],
      });
      await producer.send({ topic: "t", messages: [{ key: "k", value: "after" }] });
      return meta;
    });
    expect(error).toBeUndefined();
    expect(value).toEqual([{ topicName: "t", partition: 0, errorCode: 0, baseOffset: "1" }]);
    expect(values(w, "t")).toEqual(["before", "x1", "x2", "after"]);
    expect(w.kafka.counts()).toMatchObject({ duplicateRecords: 0, deduplicated: 2 });
  });

  it("at the profile's rate: about half of the timed-out sends duplicate, the rest reject", async () => {
    const w = world({
      seed: 5,
      rates: { ...PROFILES.none, "kafka.send-timeout-appended": 0.2, "kafka.send-retry-duplicate": 0.5 },
      kafka: { requestTimeoutMs: 1000 },
    });
    w.kafka.createTopic("t", 1);
    let ok = 0;
    let rejected = 0;
    await inProcess(w, async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      for (let i = 0; i < 200; i++) {
        try {
          await producer.send({ topic: "t", messages: [{ key: "k", value: `m${i}` }] });
          ok++;
        } catch (e) {
          expect(e).toMatchObject({ name: "KafkaJSNumberOfRetriesExceeded" });
          rejected++;
        }
      }
    });
    const c = w.kafka.counts();
    expect(ok + rejected).toBe(200);
    expect(c.lostAcks).toBe(w.faults.fired["kafka.send-timeout-appended"]);
    expect(c.duplicateRecords).toBe(w.faults.fired["kafka.send-retry-duplicate"]);
    expect(rejected).toBe(c.lostAcks - c.duplicateRecords);
    expect(rejected).toBeGreaterThan(5);
    expect(c.duplicateRecords).toBeGreaterThan(5);
    expect(c.records).toBe(200 + c.duplicateRecords); // every record written, some twice
  });
});

describe("kafka.broker-unavailable", () => {
  it("non-idempotent sends reject with a retriable connection error inside, nothing appended", async () => {
    const w = world({ kafka: { outageMs: [20_000, 20_000] } });
    w.kafka.createTopic("t", 1);
    const { error } = await inProcess(w, async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      w.faults.arm("kafka.broker-unavailable");
      await producer.send({ topic: "t", messages: [{ key: "k", value: "v" }] });
    });
    expect(error).toMatchObject({ name: "KafkaJSNumberOfRetriesExceeded", retriable: false });
    expect((error as Error).cause).toMatchObject({
      name: "KafkaJSConnectionError",
      retriable: true,
      code: "ECONNREFUSED",
    });
    expect(values(w, "t")).toEqual([]);
    expect(w.ms()).toBeLessThan(20_000); // the retries (about 9 s) ran out before the broker came back
    expect(w.kafka.counts()).toMatchObject({ outages: 1, connectionErrors: 6, sendsFailed: 1 });
  });

  it("an idempotent producer keeps retrying and succeeds once the broker is back", async () => {
    const w = world({ kafka: { outageMs: [20_000, 20_000] } });
    w.kafka.createTopic("t", 1);
    const { value } = await inProcess(w, async (proc) => {
      const producer = w.kafka.client(proc).producer({ idempotent: true });
      await producer.connect();
      w.faults.arm("kafka.broker-unavailable");
      return producer.send({ topic: "t", messages: [{ key: "k", value: "v" }] });
    });
    expect(value).toEqual([{ topicName: "t", partition: 0, errorCode: 0, baseOffset: "0" }]);
    expect(values(w, "t")).toEqual(["v"]);
    expect(w.ms()).toBeGreaterThanOrEqual(20_000);
  });

  it("fetches and commits stall until the broker is back", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const deliveredAt: number[] = [];
    let commitTook = -1;
    let t0 = -1;
    w.spawn("c", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      await producer.send({ topic: "t", messages: [{ key: "k", value: "v" }] });
      w.kafka.outage(10_000);
      t0 = w.ms();
      const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
      await consumer.subscribe({ topics: ["t"], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async () => {
          deliveredAt.push(w.ms());
        },
      });
      w.kafka.outage(5_000);
      const before = w.ms();
      await consumer.commitOffsets([{ topic: "t", partition: 0, offset: "1" }]);
      commitTook = w.ms() - before;
      await forever();
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(deliveredAt).toHaveLength(1);
    expect(deliveredAt[0]).toBeGreaterThanOrEqual(t0 + 10_000);
    expect(commitTook).toBeGreaterThanOrEqual(5_000);
    expect(w.kafka.committed("g", "t", 0)).toBe(1);
    expect(w.faults.fired["kafka.broker-unavailable"]).toBe(2);
  });
});

describe("other producer behaviour", () => {
  it("acks: 0 resolves at once with no metadata; the record still lands", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const { value } = await inProcess(w, async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      await producer.send({ topic: "t", messages: [{ key: "k", value: "warm-up" }] }); // metadata
      const before = w.sched.now();
      const meta = await producer.send({ topic: "t", acks: 0, messages: [{ key: "k", value: "v" }] });
      return { meta, took: w.sched.now() - before };
    });
    expect(value).toEqual({ meta: [], took: 0 });
    expect(values(w, "t")).toEqual(["warm-up", "v"]);
  });

  it("rejects like kafkajs: not connected, value missing, idempotent without acks -1, unknown topic", async () => {
    const w = world({ kafka: { autoCreateTopics: false } });
    w.kafka.createTopic("t", 1);
    const errors: unknown[] = [];
    await inProcess(w, async (proc) => {
      const log = w.kafka.client(proc);
      const p = log.producer();
      await p.send({ topic: "t", messages: [{ key: "k", value: "v" }] }).catch((e) => errors.push(e));
      await p.connect();
      await p.send({ topic: "t", messages: [{ key: "k" } as never] }).catch((e) => errors.push(e));
      const idem = log.producer({ idempotent: true });
      await idem.connect();
      await idem
        .send({ topic: "t", acks: 1, messages: [{ key: "k", value: "v" }] })
        .catch((e) => errors.push(e));
      await p.send({ topic: "nope", messages: [{ key: "k", value: "v" }] }).catch((e) => errors.push(e));
    });
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatchObject({
      name: "KafkaJSError",
      message: "The producer is disconnected",
      retriable: true,
    });
    expect(errors[1]).toMatchObject({ name: "KafkaJSNonRetriableError" });
    expect((errors[1] as Error).message).toMatch(/Invalid message without value for topic "t"/);
    expect(errors[2]).toMatchObject({ name: "KafkaJSNonRetriableError" });
    expect(errors[3]).toMatchObject({ name: "KafkaJSNumberOfRetriesExceeded" });
    expect((errors[3] as Error).cause).toMatchObject({ type: "UNKNOWN_TOPIC_OR_PARTITION", retriable: true });
    expect(w.kafka.topics()).toEqual(["t"]);
  });

  it("a crashed producer's in-flight request still lands; its send never resolves", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    let resolved = false;
    const p = w.spawn("p", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      await producer.send({ topic: "t", messages: [{ key: "k", value: "warm-up" }] }); // metadata
      void producer.send({ topic: "t", messages: [{ key: "k", value: "v" }] }).then(() => {
        resolved = true;
      });
      p.crash();
    });
    await w.sched.run();
    expect(values(w, "t")).toEqual(["warm-up", "v"]);
    expect(resolved).toBe(false);
  });
});

describe("admin", () => {
  it("answers like kafkajs's admin: aggregate create errors, -1 for no commit, unknown topics after retries", async () => {
    const w = world();
    const { value, error } = await inProcess(w, async (proc) => {
      const admin = w.kafka.client(proc).admin();
      await admin.connect();
      const created = await admin.createTopics({
        topics: [{ topic: "a" }, { topic: "b", numPartitions: 2 }],
      });
      const bad = await admin
        .createTopics({ topics: [{ topic: "a" }, { topic: "not valid!" }, { topic: "c", numPartitions: 0 }] })
        .catch((e: unknown) => e);
      const offsets = await admin.fetchOffsets({ groupId: "nobody", topics: ["b"] });
      const listed = await admin.listTopics();
      const missing = await admin.fetchTopicOffsets("missing").catch((e: unknown) => e);
      return { created, bad, offsets, listed, missing };
    });
    expect(error).toBeUndefined();
    if (value === undefined) throw new Error("no result");
    expect(value.created).toBe(true);
    expect(value.bad).toMatchObject({ name: "KafkaJSAggregateError" });
    expect((value.bad as { errors: unknown[] }).errors).toMatchObject([
      { name: "KafkaJSCreateTopicError", type: "TOPIC_ALREADY_EXISTS", topic: "a" },
      { name: "KafkaJSCreateTopicError", type: "INVALID_TOPIC_EXCEPTION", topic: "not valid!" },
      { name: "KafkaJSCreateTopicError", type: "INVALID_PARTITIONS", topic: "c" },
    ]);
    expect(value.offsets).toEqual([
      {
        topic: "b",
        partitions: [
          { partition: 0, offset: "-1", metadata: null },
          { partition: 1, offset: "-1", metadata: null },
        ],
      },
    ]);
    expect(value.listed).toEqual(["a", "b"]);
    expect(value.missing).toMatchObject({ name: "KafkaJSNumberOfRetriesExceeded" });
    expect((value.missing as Error).cause).toMatchObject({ type: "UNKNOWN_TOPIC_OR_PARTITION" });
    // The admin client never auto-creates (kafkajs: allowAutoTopicCreation false).
    expect(w.kafka.topics()).toEqual(["a", "b"]);
    expect(w.kafka.partitions("a")).toBe(1);
  });
});
