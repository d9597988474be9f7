/**
 * Recovery snapshots (engine/common/snapshots.ts, engine/ubscore/snapshot.ts,
 * engine/me/snapshot.ts): state → snapshot → state is the identity; resuming journal replay
 * from a snapshot gives what replay from 0 gives (property tests over generated inputs with
 * duplicated records, dead incarnations' late appends and checkpoints); the snapshot store on the
 * simulated Kafka finds the newest complete snapshot and skips partial, incomplete and
 * undecodable ones.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readToEnd } from "../../engine/common/log.ts";
import { chunkText, readLatestSnapshot, snapshotDue, writeSnapshot } from "../../engine/common/snapshots.ts";
import { defaultConfig } from "../../engine/config.ts";
import { MatchingState } from "../../engine/me/service.ts";
import { decodeMeSnapshot, encodeMeSnapshot } from "../../engine/me/snapshot.ts";
import type { ConsumedMessage } from "../../engine/ports/index.ts";
import { type EngineOutput, encode, type ValidatedOrder } from "../../engine/protocol/messages.ts";
import { type JournalEntry, JournalReplayer } from "../../engine/ubscore/journal.ts";
import { decodeUbscoreSnapshot, encodeUbscoreSnapshot } from "../../engine/ubscore/snapshot.ts";
import { UbscoreState } from "../../engine/ubscore/state.ts";
import { FAULT_NAMES, type FaultRates } from "../../sim/faults/catalog.ts";
import { FaultInjector } from "../../sim/faults/injector.ts";
import { SimKafka } from "../../sim/kafka/index.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { simClock } from "../../sim/ports/clock.ts";
import { simRandom } from "../../sim/ports/random.ts";
import {
  BTC,
  BTC_USDT,
  cancel,
  deposit,
  ETH,
  ETH_USDT,
  Pipeline,
  place,
  U,
  USDT,
  withdraw,
} from "./pipeline.ts";

const config = defaultConfig();

// ---- generated workloads ----

type Cmd =
  | { k: "dep"; user: number; asset: number; amount: number }
  | { k: "wd"; user: number; asset: number; amount: number }
  | {
      k: "place";
      user: number;
      sym: number;
      buy: boolean;
      market: boolean;
      tick: number;
      lots: number;
      tif: number;
    }
  | { k: "cancel"; user: number; back: number }
  | { k: "dup"; back: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({
    k: fc.constant("dep" as const),
    user: fc.integer({ min: 1, max: 4 }),
    asset: fc.constantFrom(BTC, USDT, ETH),
    amount: fc.integer({ min: 1, max: 1_000 }),
  }),
  fc.record({
    k: fc.constant("wd" as const),
    user: fc.integer({ min: 1, max: 4 }),
    asset: fc.constantFrom(BTC, USDT, ETH),
    amount: fc.integer({ min: 1, max: 1_000 }),
  }),
  fc.record({
    k: fc.constant("place" as const),
    user: fc.integer({ min: 1, max: 4 }),
    sym: fc.constantFrom(BTC_USDT, ETH_USDT),
    buy: fc.boolean(),
    market: fc.boolean(),
    tick: fc.integer({ min: -5, max: 5 }),
    lots: fc.integer({ min: 1, max: 4 }),
    tif: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({ k: fc.constant("cancel" as const), user: fc.integer({ min: 1, max: 4 }), back: fc.nat(10) }),
  fc.record({ k: fc.constant("dup" as const), back: fc.nat(10) }),
);

/** Runs generated commands through the pure pipeline (UBSCore state ⇄ ME state). */
function runPipeline(cmds: Cmd[]): Pipeline {
  const p = new Pipeline();
  for (let u = 1; u <= 4; u++) {
    p.send(deposit(u, BTC, 5n * U, `seed-btc-${u}`));
    p.send(deposit(u, USDT, 500_000n * U, `seed-usdt-${u}`));
    p.send(deposit(u, ETH, 50n * U, `seed-eth-${u}`));
  }
  const sent: ReturnType<typeof deposit>[] = [];
  const cids: Array<{ user: number; cid: string }> = [];
  cmds.forEach((c, i) => {
    let op: ReturnType<typeof deposit> | null = null;
    switch (c.k) {
      case "dep":
        op = deposit(c.user, c.asset, BigInt(c.amount) * 1_000_000n, `d${i}`);
        break;
      case "wd":
        op = withdraw(c.user, c.asset, BigInt(c.amount) * 10_000_000n, `w${i}`);
        break;
      case "place": {
        const base = c.sym === BTC_USDT ? 50_000n : 3_000n;
        const qty = (c.sym === BTC_USDT ? 100_000n : 10_000n) * BigInt(c.lots);
        const price = (base + BigInt(c.tick)) * U;
        const cid = `c${i}`;
        cids.push({ user: c.user, cid });
        op = place({
          user: c.user,
          symbol: c.sym,
          side: c.buy ? "Buy" : "Sell",
          type: c.market ? "Market" : "Limit",
          price: c.market && !c.buy ? null : price,
          qty,
          cid,
          tif: c.market ? "IOC" : c.tif === 1 ? "IOC" : c.tif === 2 ? "FOK" : "GTC",
          post_only: !c.market && c.tif === 3,
        });
        break;
      }
      case "cancel": {
        const t = cids[cids.length - 1 - Math.min(c.back, cids.length - 1)];
        if (t) op = cancel(t.user, { cid: t.cid }, `x${i}`);
        break;
      }
      case "dup": {
        const t = sent[sent.length - 1 - Math.min(c.back, sent.length - 1)];
        if (t) op = t;
        break;
      }
    }
    if (op !== null) {
      sent.push(op);
      p.send(op);
    }
  });
  return p;
}

/** The whole state as text (the snapshot encoding is canonical for a given insertion order). */
function stateText(s: UbscoreState): string {
  return encodeUbscoreSnapshot({
    state: s,
    replay: { epoch: null, epochs: [], covered: 0, markerAt: -1n },
    journalFrom: 0n,
  });
}

type Fault = {
  at: number;
  kind: "dup" | "zombie" | "epoch" | "old-marker" | "checkpoint" | "late-marker" | "slipped";
  /** Picks a value where the fault needs one (an old marker, a stale `after`, legacy or not). */
  x: number;
};

/**
 * The pipeline's journal as a real one could look: incarnations with their epoch markers
 * (`after` = the high watermark read before appending; sometimes a legacy marker without it),
 * duplicated records (retried appends), a dead incarnation's late records, checkpoints and epoch
 * markers: a late marker whose `after` predates the live marker, and one that slips between a
 * starting incarnation's watermark read and its marker (that incarnation's marker is then stale
 * and it opens another epoch, as the service does).
 */
function journalOf(p: Pipeline, faults: Fault[]): JournalEntry[] {
  let epochN = 0;
  let epoch = "e0";
  const out: JournalEntry[] = [{ type: "epoch", v: 1, epoch }];
  const markers: JournalEntry[] = [out[0]];
  let live = 0; // offset of the marker in force
  let applied = 0;
  let zombies = 0;
  const marker = (e: string, after?: number): JournalEntry => {
    const m: JournalEntry =
      after === undefined
        ? { type: "epoch", v: 1, epoch: e }
        : { type: "epoch", v: 1, epoch: e, after: String(after) };
    markers.push(m);
    return m;
  };
  /** A marker of an incarnation that read the watermark before the live marker was appended. */
  const zombieMarker = (x: number) => marker(`z${zombies++}`, x % (live + 1));
  const byAt = new Map<number, Fault[]>();
  for (const f of faults) byAt.set(f.at, [...(byAt.get(f.at) ?? []), f]);
  p.journal.forEach((rec, i) => {
    for (const f of byAt.get(i) ?? []) {
      if (f.kind === "epoch" || f.kind === "slipped") {
        const dead = epoch;
        epoch = `e${++epochN}`;
        let after = out.length;
        if (f.kind === "slipped") {
          // A dead incarnation's marker lands after our watermark read: ours is stale, retry.
          out.push(zombieMarker(f.x));
          out.push(marker(`${epoch}-stale`, after));
          after = out.length;
        }
        live = out.length;
        out.push(f.x % 3 === 0 && f.kind === "epoch" ? marker(epoch) : marker(epoch, after));
        // The dead incarnation's late append: an input it never got acknowledged.
        out.push({
          ...rec,
          epoch: dead,
          ref: { ...rec.ref, offset: String(900_000 + zombies++) },
          msg: encode(deposit(1, BTC, 7n * U, `zombie-${zombies}`)),
        });
      } else if (f.kind === "old-marker") {
        // A retried append of an earlier marker, landing late: ignored.
        out.push({ ...markers[f.x % markers.length] });
      } else if (f.kind === "late-marker") {
        // A dead incarnation's marker landing late, and a record of its epoch: both ignored.
        const z = zombieMarker(f.x);
        out.push(z);
        out.push({
          ...rec,
          epoch: (z as { epoch: string }).epoch,
          ref: { ...rec.ref, offset: String(900_000 + zombies++) },
          msg: encode(deposit(2, BTC, 3n * U, `zombie-${zombies}`)),
        });
      } else if (f.kind === "zombie") {
        out.push({ ...rec, epoch: "a-dead-one" });
      } else if (f.kind === "dup" && i > 0) {
        out.push({ ...p.journal[i - 1], epoch });
      } else if (f.kind === "checkpoint") {
        out.push({ type: "checkpoint", v: 1, epoch, through: applied });
      }
    }
    out.push({ ...rec, epoch });
    applied++;
  });
  return out;
}

const faultsArb = fc.array(
  fc.record({
    at: fc.nat(400),
    kind: fc.constantFrom(
      "dup",
      "zombie",
      "epoch",
      "old-marker",
      "checkpoint",
      "late-marker",
      "slipped",
    ) as fc.Arbitrary<Fault["kind"]>,
    x: fc.nat(1_000),
  }),
  { maxLength: 12 },
);

describe("UBSCore snapshots", () => {
  it("round-trip: state → snapshot → state is the identity", () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 80 }), (cmds) => {
        const p = runPipeline(cmds);
        const text = encodeUbscoreSnapshot({
          state: p.ubs,
          replay: { epoch: "e", epochs: ["x", "e"], covered: p.ubs.recordsApplied, markerAt: 17n },
          journalFrom: 42n,
        });
        const back = decodeUbscoreSnapshot(text, config);
        expect(back.journalFrom).toBe(42n);
        expect(back.replay).toEqual({
          epoch: "e",
          epochs: ["x", "e"],
          covered: p.ubs.recordsApplied,
          markerAt: 17n,
        });
        expect(back.state.balances).toEqual(p.ubs.balances);
        expect(back.state.orders).toEqual(p.ubs.orders);
        expect(back.state.requests).toEqual(p.ubs.requests);
        expect(back.state.cids).toEqual(p.ubs.cids);
        expect(back.state.pendingCancels).toEqual(p.ubs.pendingCancels);
        expect(back.state.lastOutputSeq).toEqual(p.ubs.lastOutputSeq);
        expect(back.state.applied).toEqual(p.ubs.applied);
        expect(back.state.nextOrderId).toBe(p.ubs.nextOrderId);
        expect(back.state.recordsApplied).toBe(p.ubs.recordsApplied);
        expect(encodeUbscoreSnapshot({ ...back, state: back.state })).toBe(text);
      }),
      { numRuns: 60 },
    );
  });

  it("recovery from a snapshot at any journal position gives what replay from 0 gives", () => {
    fc.assert(
      fc.property(
        fc.array(cmdArb, { minLength: 1, maxLength: 80 }),
        faultsArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (cmds, faults, cutAt, backAt) => {
          const p = runPipeline(cmds);
          const journal = journalOf(p, faults);
          const cut = Math.floor(cutAt * journal.length);
          // The live service snapshots only once every applied record's outputs were
          // acknowledged; its snapshot says so (covered = records applied). Replay from 0 learns
          // it from the checkpoint the service journals before its next records.
          const prefix = new JournalReplayer(new UbscoreState(config));
          journal.slice(0, cut).forEach((e, i) => {
            prefix.feed(e, BigInt(i));
          });
          const entries: JournalEntry[] = [...journal.slice(0, cut)];
          if (prefix.epoch !== null) {
            const cp: JournalEntry = {
              type: "checkpoint",
              v: 1,
              epoch: prefix.epoch,
              through: prefix.state.recordsApplied,
            };
            prefix.feed(cp, BigInt(cut));
            entries.push(cp);
          }
          // Markers after the checkpoint were appended after it: watermarks read at or above the
          // cut saw it too.
          const shift = BigInt(entries.length - cut);
          for (const e of journal.slice(cut)) {
            entries.push(
              e.type === "epoch" && e.after !== undefined && BigInt(e.after) >= BigInt(cut)
                ? { ...e, after: String(BigInt(e.after) + shift) }
                : e,
            );
          }
          const snapAt = entries.length - (journal.length - cut); // entries below are reflected
          const full = new JournalReplayer(new UbscoreState(config));
          entries.forEach((e, i) => {
            full.feed(e, BigInt(i));
          });
          // The replayer's exact position, and the upper bound the service writes (journalFrom - 1).
          for (const markerAt of [prefix.markerAt, BigInt(snapAt) - 1n]) {
            const text = encodeUbscoreSnapshot({
              state: prefix.state,
              replay: { ...prefix.position(), markerAt },
              journalFrom: BigInt(snapAt),
            });
            const snap = decodeUbscoreSnapshot(text, config);
            // Replay may start anywhere at or below the snapshot's offset (the service records a
            // lower bound): entries fed again change nothing.
            const from = Math.floor(backAt * Number(snap.journalFrom));
            const resumed = new JournalReplayer(snap.state, snap.replay);
            for (let i = from; i < entries.length; i++) resumed.feed(entries[i], BigInt(i));
            expect(stateText(resumed.state)).toBe(stateText(full.state));
            // (With the upper bound, `markerAt` stays that bound until a marker above it is fed.)
            const f = full.position();
            if (f.markerAt < markerAt) f.markerAt = markerAt;
            expect(resumed.position()).toEqual(f);
            expect(resumed.pending).toEqual(full.pending);
          }
          // And both equal the state that applied every input once.
          expect(stateText(full.state)).toBe(stateText(p.ubs));
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ---- the matching engine ----

function msg(offset: number, value: string): ConsumedMessage {
  return { key: null, value, offset: String(offset), timestamp: String(1_000 + offset) };
}

/** The validated orders a pipeline sent to the ME, with re-sends (UBSCore re-publishes). */
function meInput(p: Pipeline, dups: number[]): ValidatedOrder[] {
  const out: ValidatedOrder[] = [];
  p.validated.forEach((v, i) => {
    out.push(v);
    for (const d of dups) if (d === i && i > 0) out.push(p.validated[i - 1]);
  });
  return out;
}

function apply(state: MatchingState, input: ValidatedOrder[], from: number, to: number): EngineOutput[] {
  const outs: EngineOutput[] = [];
  for (let i = from; i < to; i++) {
    const o = state.apply(0, msg(i, encode(input[i])), () => {});
    if (o !== null) outs.push(o);
  }
  return outs;
}

describe("ME snapshots", () => {
  it("round-trip and recovery from a snapshot at any input position give what replay from 0 gives", () => {
    fc.assert(
      fc.property(
        fc.array(cmdArb, { minLength: 1, maxLength: 80 }),
        fc.array(fc.nat(120), { maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (cmds, dups, cutAt) => {
          const p = runPipeline(cmds);
          const input = meInput(p, dups);
          const cut = Math.floor(cutAt * input.length);
          const full = new MatchingState();
          const fullOuts = apply(full, input, 0, input.length);

          const prefix = new MatchingState();
          apply(prefix, input, 0, cut);
          const outputsFrom = new Map([
            [0, 17n],
            [3, 4n],
          ]);
          const text = encodeMeSnapshot({ state: prefix, outputsFrom });
          const snap = decodeMeSnapshot(text);
          expect(snap.outputsFrom).toEqual(outputsFrom);
          expect(snap.state.processed).toEqual(prefix.processed);
          for (const [id, b] of prefix.books) {
            const c = snap.state.books.get(id)!;
            expect(c.matcher.stateHash()).toBe(b.matcher.stateHash());
            expect(c.matcher.snapshot()).toEqual(b.matcher.snapshot());
            expect(c.lastOutputSeq).toBe(b.lastOutputSeq);
            expect(c.seenOrders).toEqual(b.seenOrders);
            expect(c.seenCancels).toEqual(b.seenCancels);
            expect(c.openQty).toEqual(b.openQty);
          }
          expect(encodeMeSnapshot({ state: snap.state, outputsFrom })).toBe(text);
          // Resume: inputs at or below the snapshot's offsets are skipped, the rest gives the
          // same outputs (same output_seq, same trade ids) as the uninterrupted run.
          const resumedOuts = apply(snap.state, input, 0, input.length);
          const prefixCount = fullOuts.filter((o) => Number(o.input.offset) < cut).length;
          expect(resumedOuts).toEqual(fullOuts.slice(prefixCount));
          expect(encodeMeSnapshot({ state: snap.state, outputsFrom })).toBe(
            encodeMeSnapshot({ state: full, outputsFrom }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("rejects an inconsistent book", () => {
    const p = runPipeline([]);
    p.send(place({ user: 1, side: "Sell", price: 50_000n * U, qty: 100_000n, cid: "s" }));
    const j = JSON.parse(encodeMeSnapshot({ state: p.me, outputsFrom: new Map() }));
    j.books[0].seenOrders = []; // a resting order nobody placed
    expect(() => decodeMeSnapshot(JSON.stringify(j))).toThrow(/not in seen_order_ids/);
  });
});

// ---- the snapshot store on the simulated Kafka ----

function world(seed: number) {
  const sched = new Scheduler({ seed });
  const rates = {} as FaultRates;
  for (const n of FAULT_NAMES) rates[n] = 0;
  const faults = new FaultInjector(sched, rates);
  const kafka = new SimKafka(sched, faults);
  kafka.createTopic("snaps", 1);
  const portsOf = (proc: SimProcess) => ({
    clock: simClock(sched, proc),
    random: simRandom(sched, proc.name),
    log: kafka.client(proc),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
  /** Runs `fn` in a process of its own to the end (or until `stopWhen` says to crash it). */
  const inProcess = async <T>(name: string, fn: (ports: ReturnType<typeof portsOf>) => Promise<T>) => {
    let result: T | undefined;
    let done = false;
    const proc = new SimProcess(sched, name, async (pr) => {
      result = await fn(portsOf(pr));
      done = true;
    });
    proc.start();
    await sched.run({ until: () => done });
    expect(done, `${name} finished`).toBe(true);
    return result as T;
  };
  const append = (messages: Array<{ key: string; value: string }>) =>
    inProcess("appender", async (ports) => {
      const producer = ports.log.producer();
      await producer.connect();
      await producer.send({ topic: "snaps", messages: messages.map((m) => ({ ...m, partition: 0 })) });
    });
  const write = (text: string, meta: Record<string, unknown> = {}) =>
    inProcess("writer", async (ports) => {
      const producer = ports.log.producer({ idempotent: true });
      await producer.connect();
      const from = BigInt(kafka.records("snaps", 0).length);
      return writeSnapshot(ports, producer, "snaps", text, meta, from);
    });
  const read = () =>
    inProcess("reader", (ports) =>
      readLatestSnapshot(ports, "snaps", (text) => (text.startsWith("bad") ? null : text)),
    );
  return { sched, kafka, append, write, read, inProcess, portsOf };
}

describe("snapshot store", () => {
  it("a snapshot is due every N inputs, less often when the state is large, never with N = 0", () => {
    expect(snapshotDue(999, { snapshotEvery: 1_000, snapshotCharsPerInput: 1_000 }, 0)).toBe(false);
    expect(snapshotDue(1_000, { snapshotEvery: 1_000, snapshotCharsPerInput: 1_000 }, 0)).toBe(true);
    expect(snapshotDue(1_000, { snapshotEvery: 1_000, snapshotCharsPerInput: 1_000 }, 5_000_000)).toBe(false); // 5 MB: every 5,000 inputs
    expect(snapshotDue(5_000, { snapshotEvery: 1_000, snapshotCharsPerInput: 1_000 }, 5_000_000)).toBe(true);
    expect(snapshotDue(1_000, { snapshotEvery: 1_000, snapshotCharsPerInput: 0 }, 5_000_000)).toBe(true); // no bound
    expect(snapshotDue(1_000_000, { snapshotEvery: 0, snapshotCharsPerInput: 1_000 }, 0)).toBe(false);
  });

  it("cuts text into chunks without splitting a surrogate pair", () => {
    const text = `${"a".repeat(9)}😀${"b".repeat(20)}`;
    const parts = chunkText(text, 10);
    expect(parts.join("")).toBe(text);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(10);
      const last = p.charCodeAt(p.length - 1);
      expect(last >= 0xd800 && last <= 0xdbff, "ends in a high surrogate").toBe(false);
    }
    expect(chunkText("")).toEqual([""]);
  });

  it("finds the newest complete snapshot, multi-chunk, and skips what is partial or does not decode", async () => {
    const w = world(1);
    expect(await w.read()).toBeNull();
    const big = "x".repeat(250_000) + "end";
    const first = await w.write(big, { n: 1 });
    expect(first.chunks).toBe(3);
    let got = await w.read();
    expect(got?.value).toBe(big);
    expect(got?.manifest.meta).toEqual({ n: 1 });

    const second = await w.write("second");
    expect((await w.read())?.manifest.id).toBe(second.id);

    // A writer that crashed between its chunks: no manifest, ignored.
    await w.append([{ key: "c:crashed:0", value: "half of it" }]);
    expect((await w.read())?.value).toBe("second");
    // A manifest whose chunk is missing (cannot happen with one producer; still refused).
    await w.append([
      {
        key: "m:ghost",
        value: JSON.stringify({
          type: "manifest",
          v: 1,
          id: "ghost",
          from: "0",
          chunks: 1,
          length: 5,
          meta: {},
        }),
      },
    ]);
    expect((await w.read())?.value).toBe("second");
    // A snapshot the service refuses (does not decode): the reader falls back to the older one.
    await w.write("bad snapshot");
    expect((await w.read())?.value).toBe("second");
    // Chunks of two snapshots interleaved (a dead incarnation's late appends) and a duplicated chunk.
    const records = w.kafka.records("snaps", 0);
    const firstRecs = records.filter((r) => r.key?.includes(first.id));
    await w.append([
      { key: firstRecs[0].key!, value: firstRecs[0].value },
      { key: "c:other:0", value: "zzz" },
      ...firstRecs.map((r) => ({ key: r.key!, value: r.value })),
    ]);
    got = await w.read();
    expect(got?.manifest.id).toBe(first.id);
    expect(got?.value).toBe(big);
  });

  it("a writer crashed in the middle of a multi-send snapshot leaves the previous one in force", async () => {
    const w = world(2);
    await w.write("the older one");
    const huge = "y".repeat(1_200_000); // 12 chunks: several sends
    let crashed = false;
    const proc = new SimProcess(w.sched, "dying-writer", async (pr) => {
      const ports = w.portsOf(pr);
      const producer = ports.log.producer({ idempotent: true });
      await producer.connect();
      await writeSnapshot(ports, producer, "snaps", huge, {}, BigInt(w.kafka.records("snaps", 0).length));
    });
    proc.start();
    const before = w.kafka.records("snaps", 0).length;
    await w.sched.run({ until: () => w.kafka.records("snaps", 0).length > before });
    proc.crash();
    crashed = true;
    await w.sched.run({});
    const recs = w.kafka.records("snaps", 0);
    expect(crashed).toBe(true);
    expect(recs.length - before).toBeGreaterThan(0);
    expect(recs.at(-1)!.key!.startsWith("c:"), "no manifest landed").toBe(true);
    expect((await w.read())?.value).toBe("the older one");
  });

  it("readToEnd reads a range: from an offset, until another", async () => {
    const w = world(3);
    await w.append(Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: String(i) })));
    const got = await w.inProcess("range", async (ports) => {
      const seen: string[] = [];
      await readToEnd(ports, "snaps", (_p, m) => void seen.push(m.value), {
        from: new Map([[0, 7n]]),
        until: new Map([[0, 12n]]),
      });
      return seen;
    });
    expect(got).toEqual(["7", "8", "9", "10", "11"]);
  });
});
