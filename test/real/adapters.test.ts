/**
 * The real adapters (engine/adapters/real) against the real Kafka and Cassandra: the port's
 * shapes (strings, bigint, [applied], timestamps, errors by name), the topic namespace, and what a
 * crash (`Life.kill`) does: nothing the dead incarnation awaits settles, its uncommitted input
 * goes to the next incarnation, and the pipeline's activity counters see everything settle.
 *
 * Brings Kafka and Cassandra up itself (scripts/services; the first run on a machine downloads
 * the jars with Maven). Without Java 17 or Maven this FAILS with the scripts' message.
 */
import { describe, expect, it } from "vitest";
import { Activity } from "../../engine/adapters/real/activity.ts";
import { cassandraStore } from "../../engine/adapters/real/cassandra.ts";
import { realClock } from "../../engine/adapters/real/clock.ts";
import { kafkaLog } from "../../engine/adapters/real/kafka.ts";
import { Life } from "../../engine/adapters/real/life.ts";
import { realRandom } from "../../engine/adapters/real/random.ts";
import type { ConsumedMessage } from "../../engine/ports/index.ts";
import { type RealEnv, stampedId } from "../../real/env.ts";
import { useRealEnv } from "./real-env.ts";

let env: RealEnv;
useRealEnv((e) => {
  env = e;
});

const until = async (cond: () => boolean, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
};

const settles = async (p: Promise<unknown>, ms: number): Promise<boolean> => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return done;
};

describe("kafkaLog", () => {
  it("speaks the port with strings, in a topic namespace, and lists only its own topics", async () => {
    const prefix = `tsr.${stampedId()}.`;
    const log = kafkaLog({ brokers: env.endpoints.kafka.brokers, topicPrefix: prefix });
    const other = kafkaLog({ brokers: env.endpoints.kafka.brokers, topicPrefix: `tsr.${stampedId()}.` });
    const admin = log.admin();
    try {
      await admin.connect();
      expect(
        await admin.createTopics({ topics: [{ topic: "a.b", numPartitions: 4 }], waitForLeaders: true }),
      ).toBe(true);
      expect(await admin.listTopics()).toEqual(["a.b"]);
      const otherAdmin = other.admin();
      await otherAdmin.connect();
      expect(await otherAdmin.listTopics()).toEqual([]);

      const producer = log.producer({ idempotent: true });
      await producer.connect();
      const meta = await producer.send({
        topic: "a.b",
        messages: [
          { key: "1001", value: "héllo", headers: { h: "v" } },
          { key: "1001", value: "second" },
        ],
      });
      expect(meta[0].topicName).toBe("a.b");
      expect(meta[0].baseOffset).toBe("0");

      const got: Array<{ topic: string; partition: number; m: ConsumedMessage }> = [];
      // Commits still in flight: the group's offsets are read only once they are acknowledged.
      let committing = 0;
      const consumer = log.consumer({ groupId: "g" });
      await consumer.connect();
      await consumer.subscribe({ topics: ["a.b"], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          committing++;
          for (const m of batch.messages) got.push({ topic: batch.topic, partition: batch.partition, m });
          await consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: String(BigInt(batch.lastOffset()) + 1n),
            },
          ]);
          committing--;
        },
      });
      await until(() => got.length === 2 && committing === 0);
      // Same partition as the simulator's partitioner (murmur2 of the key, like Java's).
      expect(got.map((g) => [g.topic, g.partition, g.m.key, g.m.value])).toEqual([
        ["a.b", meta[0].partition, "1001", "héllo"],
        ["a.b", meta[0].partition, "1001", "second"],
      ]);
      expect(got[0].m.headers).toEqual({ h: "v" });
      expect(consumer.assignment().length).toBe(4);
      const committed = await admin.fetchOffsets({ groupId: "g", topics: ["a.b"] });
      expect(committed[0].topic).toBe("a.b");
      expect(committed[0].partitions.find((p) => p.partition === meta[0].partition)?.offset).toBe("2");
      expect(log.handled("g").get(`a.b:${meta[0].partition}`)).toBe(2n);
      const ends = await admin.fetchTopicOffsets("a.b");
      expect(ends.find((p) => p.partition === meta[0].partition)?.high).toBe("2");
      await admin.deleteTopics(["a.b"]);
    } finally {
      await log.close();
      await other.close();
    }
  }, 60_000);

  it("a killed incarnation stops dead: nothing settles, its uncommitted batch goes to the next one", async () => {
    const prefix = `tsr.${stampedId()}.`;
    const activity = new Activity();
    const observer = kafkaLog({ brokers: env.endpoints.kafka.brokers, topicPrefix: prefix });
    const admin = observer.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "in", numPartitions: 1 }], waitForLeaders: true });
    const life = new Life("first");
    const first = kafkaLog({ brokers: env.endpoints.kafka.brokers, topicPrefix: prefix, life, activity });
    try {
      const producer = first.producer();
      await producer.connect();
      await producer.send({ topic: "in", messages: [{ key: "k", value: "m0" }] });
      const seen: string[] = [];
      let stuck: Promise<void> | null = null;
      const consumer = first.consumer({ groupId: "svc" });
      await consumer.connect();
      await consumer.subscribe({ topics: ["in"], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) seen.push(m.value);
          // The handler is half-way (sleeping on its clock) when the incarnation dies.
          stuck = realClock(life).sleep(200);
          await stuck;
          await consumer.commitOffsets([{ topic: "in", partition: 0, offset: "1" }]);
        },
      });
      await until(() => seen.length === 1 && stuck !== null);
      life.kill();
      expect(await settles(stuck!, 400)).toBe(false);
      expect(await settles(producer.send({ topic: "in", messages: [{ key: "k", value: "x" }] }), 300)).toBe(
        false,
      );
      expect(activity.busy()).toBe(false);
      const committed = await admin.fetchOffsets({ groupId: "svc", topics: ["in"] });
      expect(committed[0].partitions[0].offset).toBe("-1"); // nothing committed

      const second = kafkaLog({ brokers: env.endpoints.kafka.brokers, topicPrefix: prefix, activity });
      const again: string[] = [];
      const c2 = second.consumer({ groupId: "svc" });
      await c2.connect();
      await c2.subscribe({ topics: ["in"], fromBeginning: true });
      await c2.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) again.push(m.value);
        },
      });
      await until(() => again.length === 1, 30_000);
      expect(again).toEqual(["m0"]);
      await second.close();
      await admin.deleteTopics(["in"]);
    } finally {
      await observer.close();
      await first.close();
    }
  }, 90_000);

  it("fault hooks: an acknowledged send answered as a timeout, a duplicate append", async () => {
    const prefix = `tsr.${stampedId()}.`;
    let next: "timeout" | "duplicate" | undefined;
    const log = kafkaLog({
      brokers: env.endpoints.kafka.brokers,
      topicPrefix: prefix,
      hooks: {
        afterSend: () => {
          const f = next;
          next = undefined;
          return f;
        },
      },
    });
    const admin = log.admin();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "t", numPartitions: 1 }], waitForLeaders: true });
      const p = log.producer();
      await p.connect();
      next = "timeout";
      await expect(p.send({ topic: "t", messages: [{ key: "k", value: "a" }] })).rejects.toMatchObject({
        name: "KafkaJSRequestTimeoutError",
      });
      next = "duplicate";
      await p.send({ topic: "t", messages: [{ key: "k", value: "b" }] });
      const ends = await admin.fetchTopicOffsets("t");
      expect(ends[0].high).toBe("3"); // a (appended although "timed out"), b, b again
      await admin.deleteTopics(["t"]);
    } finally {
      await log.close();
    }
  }, 60_000);
});

describe("cassandraStore", () => {
  it("answers rows with bigint, [applied], timestamps and driver error names", async () => {
    const ks = env.keyspace;
    const activity = new Activity();
    const store = cassandraStore({ contactPoints: env.endpoints.cassandra.contactPoints, activity });
    try {
      await store.connect();
      const key = `k-${stampedId()}`;
      const first = await store.execute(
        `INSERT INTO ${ks}.api_keys (api_key, user_id, secret) VALUES (?, ?, ?) IF NOT EXISTS`,
        [key, 5n, "s"],
        { prepare: true },
      );
      expect(first.wasApplied()).toBe(true);
      const second = await store.execute(
        `INSERT INTO ${ks}.api_keys (api_key, user_id, secret) VALUES (?, ?, ?) IF NOT EXISTS`,
        [key, 6n, "t"],
        { prepare: true },
      );
      expect(second.wasApplied()).toBe(false);
      expect(second.first()).toMatchObject({ "[applied]": false, user_id: 5n, secret: "s" });

      const user = BigInt(Date.now());
      const big = 9_007_199_254_740_993n; // above 2^53: must not lose precision
      await store.execute(
        `INSERT INTO ${ks}.balance_ledger (user_id, asset_id, seq, avail, frozen) VALUES (?, ?, ?, ?, ?)`,
        [user, 2, 1n, big, 0n],
        { prepare: true, timestamp: 5_000_001n },
      );
      await store.execute(
        `UPDATE ${ks}.balance_ledger USING TIMESTAMP 5000000 SET avail = 1 WHERE user_id = ? AND asset_id = ? AND seq = ?`,
        [user, 2, 1n],
        { prepare: true },
      );
      await store.batch(
        [
          {
            query: `INSERT INTO ${ks}.balance_ledger (user_id, asset_id, seq, avail, frozen) VALUES (?, ?, ?, ?, ?)`,
            params: [user, 2, 2n, 7n, 1n],
          },
        ],
        { logged: false, prepare: true },
      );
      const rs = await store.execute(
        `SELECT seq, avail, frozen, writetime(avail) AS wt FROM ${ks}.balance_ledger WHERE user_id = ? AND asset_id = ?`,
        [user, 2],
        { prepare: true },
      );
      expect(rs.rows.map((r) => [r.seq, r.avail, r.frozen])).toEqual([
        [2n, 7n, 1n],
        [1n, big, 0n], // the older-timestamped update lost
      ]);
      expect(rs.rows[1].wt).toBe(5_000_001n);
      expect(rs.columns?.map((c) => c.name)).toEqual(["seq", "avail", "frozen", "wt"]);

      await expect(
        store.execute(`SELECT * FROM ${ks}.balance_ledger WHERE user_id = ?`, [user], { prepare: true }),
      ).rejects.toMatchObject({ name: "ResponseError", code: 0x2200 });
      await expect(store.execute("SELECT * FROM no_such_keyspace.t")).rejects.toMatchObject({
        name: "ResponseError",
      });
      await expect(
        store.execute(
          `INSERT INTO ${ks}.balance_ledger (user_id, asset_id, seq) VALUES (?, ?, ?)`,
          ["x", 2, 1n],
          {
            prepare: true,
          },
        ),
      ).rejects.toMatchObject({ name: "ArgumentError" });
      // Unprepared, the driver guesses types (as cassandra-driver does): a bigint cannot be
      // guessed, a JS number is sent as a CQL double (refused where an int is expected).
      await expect(
        store.execute(`SELECT seq FROM ${ks}.balance_ledger WHERE user_id = ? AND asset_id = ?`, [user, 2]),
      ).rejects.toMatchObject({ name: "ArgumentError" });
      await expect(
        store.execute(`SELECT * FROM ${ks}.api_keys WHERE api_key = ? LIMIT ?`, ["x", 1]),
      ).rejects.toMatchObject({ name: "ResponseError" });
      expect(activity.busy()).toBe(false);
      expect(activity.completed.statement).toBeGreaterThanOrEqual(8);
    } finally {
      await store.close();
    }
  }, 60_000);

  it("a killed store never answers again; a write-timeout hook reports timeouts with either outcome", async () => {
    const ks = env.keyspace;
    const life = new Life("store");
    let outcome: "lost" | "applied" | undefined;
    const store = cassandraStore({
      contactPoints: env.endpoints.cassandra.contactPoints,
      life,
      hooks: { onWrite: () => outcome },
    });
    await store.connect();
    const user = BigInt(Date.now()) + 7n;
    const insert = (seq: bigint) =>
      store.execute(
        `INSERT INTO ${ks}.balance_ledger (user_id, asset_id, seq, avail, frozen) VALUES (?, ?, ?, ?, ?)`,
        [user, 1, seq, 1n, 0n],
        { prepare: true },
      );
    outcome = "applied";
    await expect(insert(1n)).rejects.toMatchObject({ name: "OperationTimedOutError" });
    outcome = "lost";
    await expect(insert(2n)).rejects.toMatchObject({ name: "OperationTimedOutError" });
    outcome = undefined;
    const rows = await store.execute(
      `SELECT seq FROM ${ks}.balance_ledger WHERE user_id = ? AND asset_id = ?`,
      [user, 1],
      { prepare: true },
    );
    expect(rows.rows.map((r) => r.seq)).toEqual([1n]);
    life.kill();
    expect(await settles(store.execute("SELECT now() FROM system.local"), 300)).toBe(false);
  }, 60_000);
});

describe("clock and random", () => {
  it("the real clock sleeps; random draws are in range", async () => {
    const clock = realClock();
    const t = clock.now();
    await clock.sleep(20);
    expect(clock.now() - t).toBeGreaterThanOrEqual(15);
    const r = realRandom();
    for (let i = 0; i < 100; i++) {
      const x = r.int(7);
      expect(x >= 0 && x < 7).toBe(true);
    }
    expect(r.hex(16)).toMatch(/^[0-9a-f]{16}$/);
    expect(r.hex(5)).toMatch(/^[0-9a-f]{5}$/);
  });
});
