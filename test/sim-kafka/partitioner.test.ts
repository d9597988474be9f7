/**
 * The simulator's partitioner must put a key on the partition kafkajs 2.2.4's DefaultPartitioner
 * (Java-compatible murmur2) puts it on, so a key lands on the same partition number as on a real
 * broker. The oracle is kafkajs's own partitioner, imported from node_modules.
 */
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey, utf8 } from "../../sim/kafka/partitioner.ts";
import { forever, world } from "./harness.ts";

const kafkajsPartitioner = kafkajs.Partitioners.DefaultPartitioner();
const metadata = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

function kafkajsPartition(key: string, n: number): number {
  return kafkajsPartitioner({ topic: "t", partitionMetadata: metadata(n), message: { key, value: "" } });
}

const KEYS = [
  "",
  "a",
  "ab",
  "abc",
  "abcd",
  "abcde",
  "1001",
  "1002",
  "99999999",
  "BTC_USDT",
  "ETH_USDT",
  "user-42",
  "héllo",
  "日本語キー",
  "🚀",
  "a much longer key with spaces and punctuation: !@#$%^&*()",
];

describe("default partitioner (murmur2, kafkajs 2.x)", () => {
  it("matches kafkajs's DefaultPartitioner for fixed keys and partition counts", () => {
    for (const key of KEYS) {
      for (const n of [1, 2, 3, 4, 5, 8, 12, 16, 32, 100]) {
        expect(partitionForKey(key, n), `${JSON.stringify(key)} over ${n}`).toBe(kafkajsPartition(key, n));
      }
    }
  });

  it("matches kafkajs for 5000 generated keys (ids, symbols, unicode)", () => {
    const rng = world({ seed: "partitioner" }).sched.rng("keys");
    const alphabet = "abcXYZ019_-:é€日🚀 ";
    for (let i = 0; i < 5000; i++) {
      let key = "";
      const len = rng.int(24);
      for (let j = 0; j < len; j++) key += alphabet[rng.int(alphabet.length)] ?? "";
      if (i % 3 === 0) key = String(rng.int(1_000_000));
      const n = 1 + rng.int(64);
      expect(partitionForKey(key, n), `${JSON.stringify(key)} over ${n}`).toBe(kafkajsPartition(key, n));
    }
  });

  it("pins known key -> partition values (computed by kafkajs)", () => {
    const known: Array<[string, number[]]> = [
      ["1001", [0, 0, 0, 0, 4, 4, 88]],
      ["BTC_USDT", [0, 0, 1, 0, 4, 12, 72]],
      ["", [0, 1, 0, 1, 1, 9, 81]],
      ["abc", [0, 1, 0, 3, 3, 11, 7]],
      ["héllo", [0, 0, 0, 2, 2, 10, 2]],
      ["🚀", [0, 1, 1, 1, 1, 1, 25]],
    ];
    const counts = [1, 2, 3, 4, 8, 16, 100];
    for (const [key, partitions] of known) {
      expect(counts.map((n) => partitionForKey(key, n))).toEqual(partitions);
      expect(counts.map((n) => kafkajsPartition(key, n))).toEqual(partitions);
    }
  });

  it("hashes UTF-8 bytes like Buffer.from(key)", () => {
    for (const key of KEYS) expect([...utf8(key)]).toEqual([...Buffer.from(key)]);
    expect(murmur2(utf8(""))).toBe(murmur2(new Uint8Array(0)));
  });

  it("the simulated producer uses it; explicit partitions win; keyless messages go round-robin", async () => {
    const w = world();
    w.kafka.createTopic("t", 8);
    w.spawn("p", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      for (const key of KEYS) {
        const [meta] = await producer.send({ topic: "t", messages: [{ key, value: key }] });
        expect(meta.partition).toBe(kafkajsPartition(key, 8));
      }
      const [explicit] = await producer.send({
        topic: "t",
        messages: [{ key: "1001", value: "x", partition: 7 }],
      });
      expect(explicit.partition).toBe(7);
      const seen = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const [m] = await producer.send({ topic: "t", messages: [{ value: `nokey${i}` } as never] });
        seen.add(m.partition);
      }
      expect(seen.size).toBe(8);
      await forever();
    });
    await w.sched.run();
    expect(w.failures).toEqual([]);
    for (const key of KEYS) {
      const p = kafkajsPartition(key, 8);
      expect(w.kafka.records("t", p).some((r) => r.key === key && r.value === key)).toBe(true);
    }
  });
});
