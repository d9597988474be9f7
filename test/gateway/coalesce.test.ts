import { describe, expect, it } from "vitest";
import { CoalescingSender } from "../../engine/gateway/coalesce.ts";
import type { Producer, ProducerRecord } from "../../engine/ports/index.ts";

/** A producer whose sends finish only when the test says so. */
function heldProducer() {
  const sends: Array<{ record: ProducerRecord; finish: (err?: Error) => void }> = [];
  const producer: Producer = {
    connect: async () => {},
    disconnect: async () => {},
    sendBatch: async () => [],
    send: (record) =>
      new Promise((resolve, reject) => {
        sends.push({ record, finish: (err) => (err ? reject(err) : resolve([])) });
      }),
  };
  return { sends, producer };
}

const tick = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("CoalescingSender", () => {
  it("sends the first message at once and everything that arrives meanwhile together, in order", async () => {
    const { sends, producer } = heldProducer();
    const s = new CoalescingSender("ops", async () => producer);
    const done: string[] = [];
    const a = s.send({ key: "1", value: "a" }).then(() => done.push("a"));
    await tick();
    const b = s.send({ key: "2", value: "b" }).then(() => done.push("b"));
    const c = s.send({ key: "1", value: "c" }).then(() => done.push("c"));
    await tick();
    expect(sends.map((x) => x.record.messages.map((m) => m.value))).toEqual([["a"]]);
    sends[0].finish();
    await tick();
    expect(sends.map((x) => x.record.messages.map((m) => m.value))).toEqual([["a"], ["b", "c"]]);
    expect(done).toEqual(["a"]);
    sends[1].finish();
    await Promise.all([a, b, c]);
    expect(done).toEqual(["a", "b", "c"]);
    expect(sends.every((x) => x.record.topic === "ops" && x.record.acks === -1)).toBe(true);
  });

  it("fails every message of a failed send, and goes on with the next", async () => {
    const { sends, producer } = heldProducer();
    const s = new CoalescingSender("ops", async () => producer);
    const first = s.send({ key: "1", value: "a" });
    await tick();
    const second = s.send({ key: "1", value: "b" });
    const third = s.send({ key: "1", value: "c" });
    sends[0].finish(new Error("request timed out"));
    await expect(first).rejects.toThrow("request timed out");
    await tick();
    sends[1].finish(new Error("connection refused"));
    await expect(second).rejects.toThrow("connection refused");
    await expect(third).rejects.toThrow("connection refused");
    const fourth = s.send({ key: "1", value: "d" });
    await tick();
    sends[2].finish();
    await expect(fourth).resolves.toBeUndefined();
  });
});
