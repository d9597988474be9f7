/**
 * Consumer groups in the simulated Kafka: membership, generations, round-robin assignment,
 * rebalances on join/leave/crash/session expiry, redelivery from committed offsets, kafkajs's
 * error handling in the runner, auto-commit settings, concurrency, and quiescence.
 */
import { describe, expect, it } from "vitest";
import type { Consumer, EachBatchPayload, Log } from "../../engine/ports/log.ts";
import type { ConsumerFailure } from "../../sim/kafka/index.ts";
import type { SimProcess } from "../../sim/kernel/process.ts";
import { forever, type World, world } from "./harness.ts";

interface Delivery {
  proc: string;
  partition: number;
  offset: number;
  value: string;
  at: number;
}

async function produce(
  log: Log,
  topic: string,
  n: number,
  opts: { prefix?: string; partitions?: number } = {},
) {
  const producer = log.producer();
  await producer.connect();
  for (let i = 0; i < n; i++) {
    const v = `${opts.prefix ?? "m"}${i}`;
    const partition = opts.partitions === undefined ? undefined : i % opts.partitions;
    await producer.send({ topic, messages: [{ key: v, value: v, partition }] });
  }
  return producer;
}

/** Spawns a consumer process recording into `out`; it stays alive until crashed. */
function member(
  w: World,
  name: string,
  out: Delivery[],
  opts: { groupId?: string; topic?: string; autoCommit?: boolean; sessionTimeout?: number } = {},
  handle?: (p: EachBatchPayload, proc: SimProcess, consumer: Consumer) => Promise<void>,
): SimProcess {
  return w.spawn(name, async (proc) => {
    const consumer = w.kafka.client(proc).consumer({
      groupId: opts.groupId ?? "g",
      sessionTimeout: opts.sessionTimeout,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [opts.topic ?? "t"], fromBeginning: true });
    await consumer.run({
      autoCommit: opts.autoCommit,
      eachBatch: async (payload) => {
        for (const m of payload.batch.messages) {
          out.push({
            proc: name,
            partition: payload.batch.partition,
            offset: Number(m.offset),
            value: m.value,
            at: w.ms(),
          });
        }
        if (handle) await handle(payload, proc, consumer);
      },
    });
    await forever();
  });
}

const values = (ds: Delivery[]) => ds.map((d) => d.value).sort();
const all = (n: number, prefix = "m") => Array.from({ length: n }, (_, i) => `${prefix}${i}`).sort();

describe("consumer groups", () => {
  it("splits partitions round-robin over sorted member ids; each message is handled once", async () => {
    const w = world();
    w.kafka.createTopic("t", 4);
    const out: Delivery[] = [];
    member(w, "c1", out);
    member(w, "c2", out);
    w.spawn("p", async (proc) => {
      // After the group settled (c1 notices c2's join within maxWaitTimeInMs, 5 s).
      await w.sched.sleep(10_000_000, proc.guard());
      expect(w.kafka.group("g")?.state).toBe("Stable");
      await produce(w.kafka.client(proc), "t", 40);
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(values(out)).toEqual(all(40));
    const g = w.kafka.group("g")!;
    expect(g.state).toBe("Stable");
    expect(g.generationId).toBeGreaterThanOrEqual(2);
    const sorted = [...g.members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
    expect(sorted.map((m) => m.assignment)).toEqual([
      [{ topic: "t", partitions: [0, 2] }],
      [{ topic: "t", partitions: [1, 3] }],
    ]);
    for (const m of g.members) {
      const owned = m.assignment[0].partitions;
      expect(out.filter((d) => d.proc === m.clientId).every((d) => owned.includes(d.partition))).toBe(true);
    }
    expect(w.kafka.lag("g", "t")).toEqual([0, 0, 0, 0]);
  });

  it("a member that stops leaves at once; the other continues from the committed offsets", async () => {
    const w = world();
    w.kafka.createTopic("t", 2);
    const out: Delivery[] = [];
    let stopAt = -1;
    w.spawn("c1", async (proc) => {
      const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
      await consumer.subscribe({ topics: ["t"], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          out.push({
            proc: "c1",
            partition,
            offset: Number(message.offset),
            value: message.value,
            at: w.ms(),
          });
        },
      });
      await w.sched.sleep(2_000_000, proc.guard());
      await consumer.stop();
      stopAt = w.ms();
      await forever();
    });
    member(w, "c2", out);
    w.spawn("p", async (proc) => {
      await w.sched.sleep(500_000, proc.guard());
      const producer = await produce(w.kafka.client(proc), "t", 10, { partitions: 2 });
      await w.sched.sleep(3_000_000, proc.guard());
      for (let i = 10; i < 20; i++)
        await producer.send({ topic: "t", messages: [{ key: "k", value: `m${i}`, partition: i % 2 }] });
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(values(out)).toEqual(all(20));
    expect(stopAt).toBeGreaterThan(0);
    expect(out.filter((d) => d.at > stopAt).every((d) => d.proc === "c2")).toBe(true);
    const g = w.kafka.group("g")!;
    expect(g.members.map((m) => m.clientId)).toEqual(["c2"]);
    expect(g.members[0].assignment).toEqual([{ topic: "t", partitions: [0, 1] }]);
    expect(w.kafka.counts().leaves).toBe(1);
  });

  it("a crashed member's partitions move after the session timeout and its uncommitted records come again", async () => {
    const w = world();
    w.kafka.createTopic("t", 2);
    const out: Delivery[] = [];
    // c1 handles but never commits (autoCommit off); c2 commits normally.
    const c1 = member(w, "c1", out, { autoCommit: false });
    member(w, "c2", out);
    let crashedAt = -1;
    w.spawn("p", async (proc) => {
      await w.sched.sleep(10_000_000, proc.guard());
      await produce(w.kafka.client(proc), "t", 10, { partitions: 2 });
      await w.sched.sleep(1_000_000, proc.guard());
      crashedAt = w.ms();
      c1.crash();
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    const c1Partitions = new Set(out.filter((d) => d.proc === "c1").map((d) => d.partition));
    expect(c1Partitions.size).toBe(1);
    const [lost] = c1Partitions;
    const again = out.filter((d) => d.proc === "c2" && d.partition === lost);
    // Everything c1 handled comes again to c2, and not before c1's session (30 s) expired.
    expect(again.map((d) => d.value).sort()).toEqual(
      out
        .filter((d) => d.proc === "c1")
        .map((d) => d.value)
        .sort(),
    );
    expect(again.length).toBeGreaterThan(0);
    expect(Math.min(...again.map((d) => d.at))).toBeGreaterThanOrEqual(crashedAt + 30_000);
    expect(w.kafka.counts().sessionExpirations).toBe(1);
    expect(w.kafka.group("g")!.members.map((m) => m.clientId)).toEqual(["c2"]);
    expect(w.kafka.lag("g", "t")).toEqual([0, 0]);
  });

  it("a restarted process rejoins as a new member, waits for the dead one to expire, resumes from committed", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const out: Delivery[] = [];
    const c1 = member(w, "c1", out);
    w.spawn("p", async (proc) => {
      const producer = await produce(w.kafka.client(proc), "t", 5);
      await w.sched.sleep(1_000_000, proc.guard());
      c1.crash();
      c1.start();
      await w.sched.sleep(1_000_000, proc.guard());
      for (let i = 5; i < 8; i++)
        await producer.send({ topic: "t", messages: [{ key: "k", value: `m${i}` }] });
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(values(out)).toEqual(all(8)); // committed before the crash: nothing twice
    const late = out.filter((d) => d.value >= "m5");
    expect(Math.min(...late.map((d) => d.at))).toBeGreaterThan(30_000);
    const g = w.kafka.group("g")!;
    expect(g.members).toHaveLength(1);
    expect(g.members[0].alive).toBe(true);
  });

  it("a plain Error from the handler is retried with backoff from the last resolved offset", async () => {
    const failures: ConsumerFailure[] = [];
    const w = world({ kafka: { onConsumerFailure: (_p, f) => failures.push(f) } });
    w.kafka.createTopic("t", 1);
    const handled: string[] = [];
    let thrown = false;
    w.spawn("c", async (proc) => {
      const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
      await consumer.subscribe({ topics: ["t"], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value === "m3" && !thrown) {
            thrown = true;
            throw new Error("transient");
          }
          handled.push(message.value);
        },
      });
      await forever();
    });
    w.spawn("p", async (proc) => {
      await produce(w.kafka.client(proc), "t", 6);
    });
    await w.sched.run();
    expect(handled).toEqual(all(6));
    expect(failures).toEqual([]);
    expect(w.kafka.committed("g", "t", 0)).toBe(6);
  });

  it("after the retries the runner crashes and restarts; a TypeError stops it for good (like kafkajs)", async () => {
    const failures: Array<ConsumerFailure & { proc: string }> = [];
    const w = world({ kafka: { onConsumerFailure: (p, f) => failures.push({ ...f, proc: p.name }) } });
    w.kafka.createTopic("t", 1);
    w.kafka.createTopic("u", 1);
    let attempts = 0;
    let handledAfter = 0;
    w.spawn("flaky", async (proc) => {
      const consumer = w.kafka.client(proc).consumer({ groupId: "flaky" });
      await consumer.subscribe({ topics: ["t"], fromBeginning: true });
      await consumer.run({
        eachBatch: async () => {
          if (++attempts <= 6) throw new Error(`down ${attempts}`);
          handledAfter++;
        },
      });
      await forever();
    });
    w.spawn("buggy", async (proc) => {
      const consumer = w.kafka.client(proc).consumer({ groupId: "buggy" });
      await consumer.subscribe({ topics: ["u"], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          (message as unknown as { nope: { x: number } }).nope.x = 1; // TypeError
        },
      });
      await forever();
    });
    w.spawn("p", async (proc) => {
      await produce(w.kafka.client(proc), "t", 1);
      await produce(w.kafka.client(proc), "u", 1);
    });
    await w.sched.run();
    const flaky = failures.filter((f) => f.proc === "flaky");
    expect(flaky).toHaveLength(1);
    expect((flaky[0].error as Error).name).toBe("KafkaJSNumberOfRetriesExceeded");
    expect(flaky[0].restart).toBe(true);
    expect(handledAfter).toBe(1);
    expect(w.kafka.committed("flaky", "t", 0)).toBe(1);
    const buggy = failures.filter((f) => f.proc === "buggy");
    expect(buggy).toHaveLength(1);
    expect(buggy[0].restart).toBe(false);
    expect((buggy[0].error as Error).name).toBe("KafkaJSNonRetriableError");
    expect(w.kafka.group("buggy")!.members).toEqual([]);
    expect(w.kafka.committed("buggy", "u", 0)).toBe(-1);
  });

  it("heartbeat() inside eachBatch throws REBALANCE_IN_PROGRESS when a member joins, after committing", async () => {
    const w = world();
    w.kafka.createTopic("t", 2);
    const errors: unknown[] = [];
    const out: Delivery[] = [];
    let resolvedFirst = false;
    const c1Handler = async ({ batch, heartbeat, resolveOffset }: EachBatchPayload) => {
      if (batch.partition !== 0 || resolvedFirst) return;
      resolvedFirst = true;
      resolveOffset(batch.messages[0].offset);
      await w.sched.sleep(5_000_000, null); // c2 joins meanwhile
      try {
        await heartbeat();
      } catch (e) {
        errors.push(e);
        throw e;
      }
    };
    w.spawn("p", async (proc) => {
      // One send: c1's first batch of partition 0 holds offsets 0..2.
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      await producer.send({
        topic: "t",
        messages: [0, 1, 2, 3, 4, 5].map((i) => ({ key: `m${i}`, value: `m${i}`, partition: i % 2 })),
      });
      member(w, "c1", out, {}, c1Handler);
      await w.sched.sleep(1_000_000, proc.guard());
      member(w, "c2", out);
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      name: "KafkaJSProtocolError",
      type: "REBALANCE_IN_PROGRESS",
      retriable: false,
    });
    // The resolved offset was committed before rejoining: message 0 is not redelivered...
    expect(out.filter((d) => d.partition === 0 && d.offset === 0)).toHaveLength(1);
    // ...the rest of that batch is, to whoever owns partition 0 now.
    expect(out.filter((d) => d.partition === 0 && d.offset === 1).length).toBe(2);
    expect(w.kafka.group("g")!.members).toHaveLength(2);
    expect(w.kafka.lag("g", "t")).toEqual([0, 0]);
  });

  it("a member stuck in a handler beyond sessionTimeout is expired: a zombie whose commit fails", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const out: Delivery[] = [];
    const commitErrors: unknown[] = [];
    let stuck = false;
    member(w, "c1", out, {}, async ({ commitOffsetsIfNecessary, isStale }) => {
      if (stuck) return;
      stuck = true;
      await w.sched.sleep(40_000_000, null); // 40 s, no heartbeat: the session (30 s) lapses
      expect(isStale()).toBe(true);
      try {
        await commitOffsetsIfNecessary({
          topics: [{ topic: "t", partitions: [{ partition: 0, offset: "3" }] }],
        });
      } catch (e) {
        commitErrors.push(e);
      }
    });
    w.spawn("late", async (proc) => {
      await w.sched.sleep(1_000_000, proc.guard());
      member(w, "c2", out);
    });
    w.spawn("p", async (proc) => {
      await w.sched.sleep(2_000_000, proc.guard());
      await produce(w.kafka.client(proc), "t", 3);
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(w.kafka.counts().sessionExpirations).toBe(1);
    expect(commitErrors).toHaveLength(1);
    expect(commitErrors[0]).toMatchObject({ type: "UNKNOWN_MEMBER_ID" });
    // The zombie's records were handled again by the new owner (or by the zombie after rejoining).
    expect(new Set(values(out))).toEqual(new Set(all(3)));
    expect(out.length).toBeGreaterThan(3);
    expect(w.kafka.committed("g", "t", 0)).toBe(3);
  });

  it("partitionsConsumedConcurrently hands batches of different partitions out concurrently", async () => {
    for (const concurrency of [1, 3]) {
      const w = world();
      w.kafka.createTopic("t", 3);
      let active = 0;
      let maxActive = 0;
      w.spawn("p", async (proc) => {
        await produce(w.kafka.client(proc), "t", 9, { partitions: 3 });
        const consumer = w.kafka.client(proc).consumer({ groupId: "g" });
        await consumer.subscribe({ topics: ["t"], fromBeginning: true });
        await consumer.run({
          partitionsConsumedConcurrently: concurrency,
          eachBatch: async () => {
            maxActive = Math.max(maxActive, ++active);
            await w.sched.sleep(1000, null);
            active--;
          },
        });
      });
      await w.sched.run();
      expect(maxActive).toBe(concurrency);
      expect(w.kafka.lag("g", "t")).toEqual([0, 0, 0]);
    }
  });

  it("autoCommitThreshold and autoCommitInterval commit inside a batch (eachMessage)", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    w.kafka.createTopic("u", 1);
    const thresholdSeen: number[] = [];
    const intervalSeen: number[] = [];
    w.spawn("p", async (proc) => {
      const log = w.kafka.client(proc);
      await produce(log, "t", 5);
      await produce(log, "u", 5);
      const a = log.consumer({ groupId: "a" });
      await a.subscribe({ topics: ["t"], fromBeginning: true });
      await a.run({
        autoCommitThreshold: 2,
        eachMessage: async () => {
          thresholdSeen.push(w.kafka.committed("a", "t", 0));
        },
      });
      const b = log.consumer({ groupId: "b" });
      await b.subscribe({ topics: ["u"], fromBeginning: true });
      await b.run({
        autoCommitInterval: 10,
        eachMessage: async () => {
          intervalSeen.push(w.kafka.committed("b", "u", 0));
          await w.sched.sleep(6000, null);
        },
      });
    });
    await w.sched.run();
    expect(thresholdSeen).toEqual([-1, -1, 2, 2, 4]);
    expect(intervalSeen).toEqual([-1, -1, 2, 2, 4]);
    expect(w.kafka.committed("a", "t", 0)).toBe(5);
    expect(w.kafka.committed("b", "u", 0)).toBe(5);
  });

  it("isStale() turns true after a seek; the stale batch is not auto-resolved past the seek", async () => {
    const w = world();
    w.kafka.createTopic("t", 1);
    const stale: boolean[] = [];
    const firsts: string[] = [];
    w.spawn("p", async (proc) => {
      const log = w.kafka.client(proc);
      await produce(log, "t", 4);
      const consumer = log.consumer({ groupId: "g" });
      await consumer.subscribe({ topics: ["t"], fromBeginning: true });
      let sought = false;
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, isStale }) => {
          firsts.push(batch.firstOffset()!);
          if (!sought) {
            sought = true;
            consumer.seek({ topic: "t", partition: 0, offset: "2" });
            stale.push(isStale());
          }
        },
      });
    });
    await w.sched.run();
    expect(stale).toEqual([true]);
    expect(firsts).toEqual(["0", "2"]);
  });

  it("an idle system leaves an empty event queue (no heartbeat or poll timers)", async () => {
    const w = world();
    w.kafka.createTopic("t", 4);
    const out: Delivery[] = [];
    member(w, "c1", out);
    member(w, "c2", out);
    member(w, "c3", out, { groupId: "other" });
    w.spawn("p", async (proc) => {
      await produce(w.kafka.client(proc), "t", 20);
    });
    const reason = await w.sched.run();
    expect(reason).toBe("idle");
    expect(w.sched.pending).toBe(0);
    expect(out).toHaveLength(40);
    // Nothing ran the clock on: no session/rebalance timer fired while idle.
    expect(w.ms()).toBeLessThan(20_000);
  });

  it("validates like kafkajs: groupId, heartbeatInterval < sessionTimeout, run before seek/commit", async () => {
    const w = world();
    w.spawn("c", async (proc) => {
      const log = w.kafka.client(proc);
      expect(() => log.consumer({ groupId: "" })).toThrow(/groupId must be a non-empty string/);
      expect(() => log.consumer({ groupId: "g", sessionTimeout: 1000, heartbeatInterval: 1000 })).toThrow(
        /heartbeatInterval \(1000\) must be lower than sessionTimeout/,
      );
      const consumer = log.consumer({ groupId: "g" });
      expect(() => consumer.seek({ topic: "t", partition: 0, offset: "1" })).toThrow(
        /consumer#run must be called first/,
      );
      await expect(consumer.commitOffsets([{ topic: "t", partition: 0, offset: "1" }])).rejects.toThrow(
        /consumer#run must be called first/,
      );
      await expect(consumer.commitOffsets([{ topic: "t", partition: 0, offset: "-1" }])).rejects.toThrow(
        /negative/,
      );
      await consumer.subscribe({ topics: ["t"] });
      await consumer.run({ eachMessage: async () => {} });
      await expect(consumer.subscribe({ topics: ["x"] })).rejects.toMatchObject({
        name: "KafkaJSNonRetriableError",
        message: "Cannot subscribe to topic while consumer is running",
      });
      await consumer.disconnect();
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    expect(w.kafka.autoCreatedTopics()).toEqual(["t"]);
  });
});
