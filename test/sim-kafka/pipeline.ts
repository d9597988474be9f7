/** The soak pipeline (see soak.test.ts), importable by the test and by ad-hoc sweeps. */
import { expect } from "vitest";
import { PROFILES } from "../../sim/faults/catalog.ts";
import type { SimProcess } from "../../sim/kernel/process.ts";
import { forever, type World, world } from "./harness.ts";

export const N = 200;

export function pipeline(seed: number): {
  w: World;
  acked: Set<string>;
  sunk: Set<string>;
  sinkDeliveries: number;
} {
  const restarts: SimProcess[] = [];
  let w!: World;
  w = world({
    seed,
    rates: PROFILES.all,
    kafka: {
      requestTimeoutMs: 5_000,
      onConsumerCrashOpportunity: (proc) => {
        proc.crash();
        restarts.push(proc);
        w.sched.after(1_000_000, `restart ${proc.name}`, () => {
          if (proc.state !== "running") proc.start();
        });
      },
    },
  });
  // Process crashes are the world's business (not this test's): Kafka faults only.
  w.faults.setRate("process.crash", 0);
  w.kafka.createTopic("in", 4);
  w.kafka.createTopic("out", 4);
  const acked = new Set<string>();
  const sunk = new Set<string>();
  const state = { sinkDeliveries: 0 };

  w.spawn("producer", async (proc) => {
    const producer = w.kafka.client(proc).producer();
    await producer.connect();
    for (let i = 0; i < N; i++) {
      const value = `v${i}`;
      // At-least-once publishing: retry until acknowledged (an unknown outcome may duplicate).
      for (;;) {
        try {
          await producer.send({ topic: "in", messages: [{ key: `u${i % 7}`, value }] });
          acked.add(value);
          break;
        } catch (e) {
          expect((e as Error).name).toMatch(/^KafkaJS/);
        }
      }
      await w.sched.sleep(20_000, proc.guard());
    }
  });

  const consumers: SimProcess[] = [];
  for (const name of ["relay-1", "relay-2"]) {
    const relay = w.spawn(name, async (proc) => {
      const log = w.kafka.client(proc);
      const producer = log.producer({ idempotent: true });
      await producer.connect();
      const consumer = log.consumer({ groupId: "relay" });
      await consumer.subscribe({ topics: ["in"], fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 2,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isStale }) => {
          for (const m of batch.messages) {
            if (isStale()) break;
            await producer.send({ topic: "out", messages: [{ key: m.key ?? "", value: m.value }] });
            resolveOffset(m.offset);
            await heartbeat();
          }
        },
      });
      await forever();
    });
    consumers.push(relay);
  }

  const sink = w.spawn("sink", async (proc) => {
    const consumer = w.kafka.client(proc).consumer({ groupId: "sink" });
    await consumer.subscribe({ topics: ["out"], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        state.sinkDeliveries++;
        sunk.add(message.value);
      },
    });
    await forever();
  });
  consumers.push(sink);

  // The world crashes consumers at random moments and restarts them a while later.
  const chaos = w.sched.rng("test/chaos");
  for (let k = 0; k < 6; k++) {
    const victim = consumers[chaos.int(consumers.length)];
    w.sched.after(chaos.int(N * 20_000), "chaos crash", () => {
      victim.crash();
      w.sched.after(chaos.range(1, 40) * 1_000_000, "chaos restart", () => {
        if (victim.state !== "running") victim.start();
      });
    });
  }

  return {
    w,
    acked,
    sunk,
    get sinkDeliveries() {
      return state.sinkDeliveries;
    },
  };
}
