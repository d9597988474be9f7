import { describe, expect, it } from "vitest";
import { Committer } from "../../engine/common/commits.ts";
import type { Clock, Logger, TopicPartitionOffset } from "../../engine/ports/index.ts";

/** A clock moved by hand: sleepers wake when `advance` passes their deadline. */
function manualClock() {
  let now = 1_000;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms) => new Promise<void>((wake) => sleepers.push({ at: now + ms, wake })),
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const s of sleepers.splice(0)) {
      if (s.at <= now) s.wake();
      else sleepers.push(s);
    }
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { clock, advance };
}

function recorder(failures = 0) {
  const calls: string[][] = [];
  let left = failures;
  return {
    calls,
    consumer: {
      async commitOffsets(o: TopicPartitionOffset[]) {
        if (left-- > 0) throw new Error("coordinator moved");
        calls.push(o.map((x) => `${x.topic}/${x.partition}@${x.offset}`));
      },
    },
  };
}

const warnings: string[] = [];
const logger: Logger = { info() {}, warn: (m) => warnings.push(m), error() {} };

describe("Committer", () => {
  it("with interval 0 commits after every batch", async () => {
    const { clock } = manualClock();
    const r = recorder();
    const c = new Committer(r.consumer, clock, logger, 0);
    await c.handled("t", 0, 5n);
    await c.handled("t", 0, 9n);
    expect(r.calls).toEqual([["t/0@5"], ["t/0@9"]]);
  });

  it("commits at once after a quiet interval, otherwise once at its end, the highest offset per partition in one request", async () => {
    const { clock, advance } = manualClock();
    const r = recorder();
    const c = new Committer(r.consumer, clock, logger, 100);
    await c.handled("t", 0, 5n); // first: at once
    await c.handled("t", 0, 7n);
    await c.handled("t", 1, 3n);
    await c.handled("t", 0, 6n); // lower than what is pending: ignored
    expect(r.calls).toEqual([["t/0@5"]]);
    await advance(99);
    expect(r.calls).toHaveLength(1);
    await advance(1);
    expect(r.calls).toEqual([["t/0@5"], ["t/0@7", "t/1@3"]]);
    await advance(500); // nothing pending: no empty commit
    expect(r.calls).toHaveLength(2);
    await c.handled("u", 2, 1n); // the interval has passed: at once again
    expect(r.calls.at(-1)).toEqual(["u/2@1"]);
  });

  it("commits nothing more once closed", async () => {
    const { clock, advance } = manualClock();
    const r = recorder();
    const c = new Committer(r.consumer, clock, logger, 100);
    await c.handled("t", 0, 1n);
    await c.handled("t", 0, 2n);
    c.close();
    await advance(200);
    expect(r.calls).toEqual([["t/0@1"]]);
  });

  it("retries a failed commit, then gives up with a warning (inputs are deduplicated on redelivery)", async () => {
    const { clock, advance } = manualClock();
    const retried = recorder(2);
    const c = new Committer(retried.consumer, clock, logger, 0);
    const done = c.handled("t", 0, 4n);
    for (let i = 0; i < 5; i++) await advance(50);
    await done;
    expect(retried.calls).toEqual([["t/0@4"]]);
    const failing = recorder(99);
    const d = new Committer(failing.consumer, clock, logger, 0);
    const gaveUp = d.handled("t", 0, 4n);
    for (let i = 0; i < 10; i++) await advance(100);
    await gaveUp;
    expect(failing.calls).toEqual([]);
    expect(warnings.at(-1)).toMatch(/commit failed/);
  });
});
