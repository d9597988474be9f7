/**
 * UBSCore, the ME and Settlement in the simulated world (sim/kafka, sim/scylla): a scenario
 * runs to quiescence without faults, then again with crashes of each service at many different
 * steps and with Kafka and Scylla faults, and must end in the same balances, books, ledger and trades.
 */
import { describe, expect, it } from "vitest";
import { defaultConfig, type EngineConfig } from "../../engine/config.ts";
import { ASSETS } from "../../engine/domain/assets.ts";
import { hashSnapshot } from "../../engine/matching/matcher.ts";
import { EXTERNAL_ACCOUNT, encode, FEE_ACCOUNT, type Operation } from "../../engine/protocol/messages.ts";
import { TOPICS } from "../../engine/protocol/topics.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { BTC, cancel, deposit, ETH, ETH_USDT, place, U, USDT, withdraw } from "./pipeline.ts";
import { SERVICES, type Service, World, type WorldOpts } from "./world.ts";

const P = (whole: bigint) => whole * U;
const Q = 1_000_000n; // 0.01 BTC

function scenario(): Operation[] {
  const ops: Operation[] = [];
  for (let u = 1; u <= 4; u++) {
    ops.push(deposit(u, BTC, U, `dep-btc-${u}`));
    ops.push(deposit(u, USDT, 10_000n * U, `dep-usdt-${u}`));
    ops.push(deposit(u, ETH, 10n * U, `dep-eth-${u}`));
  }
  ops.push(deposit(1, BTC, U, "dep-btc-1")); // duplicated request id: no effect
  ops.push(withdraw(2, USDT, 20_000n * U, "wd-uncovered")); // rejected
  ops.push(place({ user: 1, side: "Sell", price: P(50_000n), qty: 2n * Q, cid: "a1" }));
  ops.push(place({ user: 1, side: "Sell", price: P(50_100n), qty: Q, cid: "a2" }));
  ops.push(place({ user: 2, side: "Buy", price: P(50_200n), qty: Q, cid: "b1" })); // taker, improvement
  ops.push(place({ user: 3, side: "Buy", type: "Market", price: P(51_000n), qty: 2n * Q, cid: "m1" })); // capped
  ops.push(place({ user: 4, side: "Buy", price: P(49_000n), qty: 3n * Q, cid: "b2" }));
  ops.push(place({ user: 4, side: "Sell", price: P(48_000n), qty: Q, cid: "stp" })); // STP against own bid
  ops.push(place({ user: 2, side: "Sell", type: "Market", qty: Q, cid: "ms" }));
  ops.push(place({ user: 3, side: "Buy", price: P(49_000n), qty: Q, cid: "po", post_only: true }));
  ops.push(place({ user: 1, side: "Sell", price: P(48_500n), qty: Q, cid: "po2", post_only: true })); // would take
  ops.push(place({ user: 1, side: "Sell", price: P(49_000n), qty: 5n * Q, cid: "fok", tif: "FOK" })); // not enough
  ops.push(place({ user: 1, side: "Sell", price: P(49_000n), qty: Q, cid: "ioc", tif: "IOC" }));
  ops.push(cancel(4, { cid: "b2" }, "cx-b2"));
  ops.push(cancel(4, { cid: "b2" }, "cx-b2-again")); // already cancelled
  ops.push(cancel(3, { cid: "po" }, "cx-po"));
  ops.push(place({ user: 1, side: "Sell", price: P(50_000n), qty: Q, cid: "a1" })); // duplicate cid
  ops.push(place({ user: 2, side: "Buy", type: "Market", qty: Q, cid: "mb-all" })); // uncapped: all USDT
  ops.push(place({ user: 3, symbol: ETH_USDT, side: "Sell", price: P(3_000n), qty: 50_000n, cid: "e1" }));
  ops.push(place({ user: 4, symbol: ETH_USDT, side: "Buy", price: P(3_010n), qty: 30_000n, cid: "e2" }));
  ops.push(place({ user: 2, symbol: ETH_USDT, side: "Buy", price: P(2_990n), qty: 10_000n, cid: "e3" }));
  ops.push(withdraw(4, ETH, 100_000n, "wd-eth"));
  ops.push(withdraw(1, USDT, 100n * U, "wd-usdt"));
  ops.push(cancel(3, { cid: "e1" }, "cx-e1"));
  return ops;
}

interface Outcome {
  balances: Record<string, string>;
  books: Record<string, string>;
  results: Record<string, string>;
  ledgerLatest: Record<string, string>;
  trades: number;
  world: World;
}

async function runScenario(
  opts: WorldOpts,
  crash?: { service: Service; step: number; restartAfterMs?: number },
): Promise<Outcome> {
  const w = new World(opts);
  w.startAll();
  w.feed(scenario());
  if (crash) {
    await w.sched.run({ maxSteps: crash.step });
    w.crash(crash.service, crash.restartAfterMs);
  }
  await w.settle();
  expect(w.failures, w.failures.join("\n")).toEqual([]);
  expect(w.feederDone, "feeder finished").toBe(true);
  expect(w.allRunning()).toBe(true);
  return { ...observe(w), world: w };
}

function observe(w: World): Omit<Outcome, "world"> {
  const ubs = w.live.ubscore!.state;
  const balances: Record<string, string> = {};
  for (const [u, m] of ubs.balances)
    for (const [a, h] of m) balances[`${u}:${a}`] = `${h.avail}/${h.frozen}/${h.seq}`;
  const books: Record<string, string> = {};
  for (const [id, b] of w.live.matching!.books)
    books[id] = `${hashSnapshot(b.matcher.snapshot())}#${b.lastOutputSeq}`;
  const results: Record<string, string> = {};
  const seenVerdicts = new Map<string, string>();
  for (const r of w.results()) {
    const key = `${r.user_id}:${r.request_id}`;
    const text = JSON.stringify(r);
    // One verdict per request: every copy on the topic is identical.
    if (seenVerdicts.has(key)) expect(text, `verdicts of ${key}`).toBe(seenVerdicts.get(key));
    seenVerdicts.set(key, text);
    // Across runs, everything but the timestamp must agree.
    results[key] = JSON.stringify({ ...r, ts: 0 });
  }
  // balance.events: copies of one (account, seq) identical, seqs gapless, last = UBSCore's state.
  const bySeq = new Map<string, string>();
  for (const e of w.balanceEvents()) {
    const k = `${e.user_id}:${e.asset_id}:${e.seq}`;
    const text = JSON.stringify(e);
    if (bySeq.has(k)) expect(text, `balance event ${k}`).toBe(bySeq.get(k));
    bySeq.set(k, text);
  }
  for (const [u, m] of ubs.balances) {
    for (const [a, h] of m) {
      for (let s = 1n; s <= h.seq; s++)
        expect(bySeq.has(`${u}:${a}:${s}`), `event ${u}:${a}:${s}`).toBe(true);
      expect(bySeq.has(`${u}:${a}:${h.seq + 1n}`)).toBe(false);
    }
  }
  // engine.outputs: copies of one (symbol, output_seq) identical and seqs gapless.
  const outs = new Map<string, string>();
  const maxSeq = new Map<number, bigint>();
  for (const o of w.engineOutputs()) {
    const k = `${o.symbol_id}:${o.output_seq}`;
    const text = JSON.stringify(o);
    if (outs.has(k)) expect(text, `engine output ${k}`).toBe(outs.get(k));
    outs.set(k, text);
    const s = BigInt(o.output_seq);
    if (s > (maxSeq.get(o.symbol_id) ?? 0n)) maxSeq.set(o.symbol_id, s);
  }
  for (const [sym, max] of maxSeq) for (let s = 1n; s <= max; s++) expect(outs.has(`${sym}:${s}`)).toBe(true);
  // Conservation in UBSCore, and frozen == what open orders hold.
  for (const a of ASSETS) expect(ubs.total(a.id)).toBe(0n);
  const held = ubs.heldByOrders();
  for (const [u, m] of ubs.balances)
    for (const [a, h] of m) expect(h.frozen).toBe(held.get(`${u}:${a}`) ?? 0n);
  // The ledger: per account, seq 1..n with no gap, each row consistent, the latest = UBSCore.
  const rows = w.rows("balance_ledger");
  const byAccount = new Map<string, Array<Record<string, unknown>>>();
  for (const r of rows) {
    const k = `${r.user_id}:${r.asset_id}`;
    if (!byAccount.has(k)) byAccount.set(k, []);
    byAccount.get(k)!.push(r);
  }
  const ledgerLatest: Record<string, string> = {};
  for (const [k, list] of byAccount) {
    list.sort((x, y) => (BigInt(x.seq as bigint) < BigInt(y.seq as bigint) ? -1 : 1));
    let avail = 0n;
    let frozen = 0n;
    list.forEach((r, i) => {
      expect(r.seq, `ledger ${k} seq`).toBe(BigInt(i + 1));
      avail += r.delta_avail as bigint;
      frozen += r.delta_frozen as bigint;
      expect(r.avail).toBe(avail);
      expect(r.frozen).toBe(frozen);
    });
    ledgerLatest[k] = `${avail}/${frozen}/${list.length}`;
  }
  expect(ledgerLatest).toEqual(balances);
  // Every trade settled exactly once (one row per trade id), and every fill has one.
  const fills = new Set<string>();
  for (const o of w.engineOutputs())
    for (const e of o.events) if (e.type === "fill") fills.add(`${o.symbol_id}:${e.trade_id}`);
  const trades = w.rows("settled_trades");
  expect(new Set(trades.map((t) => t.trade_id)).size).toBe(fills.size);
  expect(trades.length).toBe(fills.size);
  // Every request has its verdict row.
  expect(w.rows("requests").length).toBe(Object.keys(results).length);
  // Orders: every order known to the store that UBSCore no longer holds open is terminal.
  for (const o of w.rows("orders")) {
    const open = ubs.orders.has(String(o.order_id));
    if (!open) expect(["Filled", "Cancelled", "Rejected"], `order ${o.order_id}`).toContain(o.status);
  }
  return { balances, books, results, ledgerLatest, trades: trades.length };
}

function comparable(o: Outcome) {
  return { balances: o.balances, books: o.books, results: o.results, trades: o.trades };
}

/** Every Kafka and store fault, and a random service crashed now and then, until the feed is done. */
async function crashStorm(seed: number, config?: EngineConfig): Promise<World> {
  const w = new World({
    seed,
    ...(config ? { config } : {}),
    rates: {
      "kafka.latency": 1,
      "kafka.send-timeout-appended": 0.08,
      "kafka.send-retry-duplicate": 0.5,
      "kafka.rebalance-mid-batch": 0.05,
      "kafka.consumer-crash-before-commit": 0.03,
      "kafka.broker-unavailable": 0.004,
      "scylla.latency": 1,
      "scylla.write-timeout": 0.08,
    },
  });
  w.startAll();
  w.feed(scenario());
  const rng = w.sched.rng("test/crashes");
  for (let n = 0; n < 400 && !w.feederDone && w.sched.pending > 0; n++) {
    await w.sched.run({ maxSteps: 50 + rng.int(400) });
    if (rng.float() < 0.3) w.crash(SERVICES[rng.int(SERVICES.length)], 1 + rng.int(200));
  }
  await w.settle();
  return w;
}

describe("services in the simulated world", () => {
  it("runs the scenario to the expected balances without faults", async () => {
    const o = await runScenario({ seed: 1 });
    const ubs = o.world.live.ubscore!.state;
    // Spot checks (the unit tests pin the arithmetic; here: it all went through Kafka).
    expect(ubs.peek(1, BTC).avail + ubs.peek(1, BTC).frozen).toBeLessThan(2n * U); // sold some
    expect(ubs.peek(FEE_ACCOUNT, USDT).avail).toBeGreaterThan(0n);
    expect(ubs.peek(FEE_ACCOUNT, BTC).avail).toBeGreaterThan(0n);
    expect(ubs.peek(EXTERNAL_ACCOUNT, BTC).avail).toBe(-4n * U);
    expect(JSON.parse(o.results["2:wd-uncovered"]).status).toBe("rejected");
    expect(JSON.parse(o.results["4:order:stp"])).toMatchObject({
      status: "accepted",
      order_status: "Cancelled",
      reason: "stp",
    });
    expect(JSON.parse(o.results["1:order:po2"])).toMatchObject({
      status: "rejected",
      order_status: "Rejected",
    });
    expect(JSON.parse(o.results["4:cx-b2"])).toMatchObject({ status: "accepted", order_status: "Cancelled" });
    expect(JSON.parse(o.results["4:cx-b2-again"]).status).toBe("rejected");
    expect(JSON.parse(o.results["1:order:a1"]).status).toBe("accepted");
    expect(o.trades).toBeGreaterThan(4);
    expect(ubs.peek(1, BTC).seq).toBeGreaterThan(0n);
    // Deterministic: the same seed gives the same trace.
    const again = await runScenario({ seed: 1 });
    expect(again.world.sched.trace.hash()).toBe(o.world.sched.trace.hash());
  });

  it("survives two crashes of different services, the second during the first's recovery", async () => {
    const base = await runScenario({ seed: 5 });
    const expected = comparable(base);
    const total = base.world.sched.step;
    for (let i = 1; i <= 12; i++) {
      const w = new World({ seed: 5 });
      w.startAll();
      w.feed(scenario());
      await w.sched.run({ maxSteps: Math.floor((total * i) / 13) });
      w.crash("ubscore", 5);
      w.crash("matching", 5);
      await w.sched.run({ maxSteps: 3 + i });
      w.crash(i % 2 ? "settlement" : "ubscore", 10);
      await w.settle();
      expect(w.failures).toEqual([]);
      expect(comparable({ ...observe(w), world: w }), `double crash ${i}`).toEqual(expected);
    }
  }, 120_000);

  it("ends in the same state whatever the latency seed", async () => {
    const base = comparable(await runScenario({ seed: 1, rates: { "kafka.latency": 1 } }));
    for (const seed of [2, 3]) {
      expect(comparable(await runScenario({ seed, rates: { "kafka.latency": 1 } }))).toEqual(base);
    }
  });

  for (const service of SERVICES) {
    it(`survives a crash of ${service} at many different steps`, async () => {
      const base = await runScenario({ seed: 7 });
      const total = base.world.sched.step;
      const expected = comparable(base);
      const points = 60;
      for (let i = 1; i <= points; i++) {
        const step = Math.max(1, Math.floor((total * i) / (points + 1)) + (i % 3));
        const got = await runScenario({ seed: 7 }, { service, step, restartAfterMs: 1 + (i % 5) * 20 });
        expect(comparable(got), `crash of ${service} at step ${step}`).toEqual(expected);
      }
    }, 120_000);
  }

  it("survives Kafka faults: appended timeouts, retry duplicates, rebalances, crashes before commit, outages", async () => {
    const expected = comparable(await runScenario({ seed: 11 }));
    let totalStoreTimeouts = 0;
    for (const seed of [11, 12, 13, 14]) {
      const got = await runScenario({
        seed,
        rates: {
          "kafka.latency": 1,
          "kafka.send-timeout-appended": 0.05,
          "kafka.send-retry-duplicate": 0.5,
          "kafka.rebalance-mid-batch": 0.03,
          "kafka.consumer-crash-before-commit": 0.02,
          "kafka.broker-unavailable": 0.002,
          "scylla.latency": 1,
          "scylla.write-timeout": 0.05,
          "scylla.batch-partial": 0.05,
        },
      });
      expect(comparable(got), `seed ${seed}`).toEqual(expected);
      const c = got.world.kafka.counts();
      expect(c.lostAcks + c.duplicateRecords + c.consumerCrashes, "faults fired").toBeGreaterThan(0);
      const st = got.world.scylla.stats.timeouts;
      totalStoreTimeouts += st.lost + st.applied + st["applied-late"];
    }
    expect(totalStoreTimeouts, "scylla write timeouts fired").toBeGreaterThan(0);
  }, 120_000);

  it("converges under random crashes of random services combined with every Kafka and store fault", async () => {
    const expected = comparable(await runScenario({ seed: 21 }));
    for (let seed = 300; seed < 340; seed++) {
      const w = await crashStorm(seed);
      expect(w.failures, `seed ${seed}`).toEqual([]);
      expect(w.feederDone && w.allRunning(), `seed ${seed} finished`).toBe(true);
      expect(comparable({ ...observe(w), world: w }), `seed ${seed}`).toEqual(expected);
    }
  }, 300_000);

  it("UBSCore replay skips a duplicated journal record and a dead incarnation's late append", async () => {
    const o = await runScenario({ seed: 3 });
    const w = o.world;
    const before = comparable(o);
    const entries = w.kafka.records(TOPICS.ubscoreJournal, 0).map((r) => JSON.parse(r.value));
    const epoch = entries.filter((e) => e.type === "epoch").at(-1).epoch;
    const rec = entries.find((e) => e.type === "rec" && e.epoch === epoch && e.msg.includes('"deposit"'));
    expect(rec).toBeDefined();
    const late = {
      ...rec,
      epoch: "a-dead-incarnation",
      ref: { ...rec.ref, offset: "999999" },
      msg: encode(deposit(1, BTC, 5n * U, "zombie-deposit")),
    };
    let appended = false;
    const writer = new SimProcess(w.sched, "journal-writer", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      const messages = [rec, late].map((e) => ({ key: "j", value: JSON.stringify(e), partition: 0 }));
      await producer.send({ topic: TOPICS.ubscoreJournal, messages });
      appended = true;
    });
    writer.start();
    await w.sched.run({ until: () => appended });
    w.crash("ubscore", 1);
    await w.settle();
    expect(w.failures).toEqual([]);
    expect(w.live.ubscore!.state.requests.has("1:zombie-deposit")).toBe(false);
    expect(comparable({ ...observe(w), world: w })).toEqual(before);
  });
  /**
   * A SimProcess standing in for a dead incarnation whose append lands late: it connects at once,
   * then sends `entries` to the journal when `go()` is called (one produce round trip later).
   */
  function zombieAppend(w: World, entries: object[]): { go: () => void; done: () => boolean } {
    let appended = false;
    let go!: () => void;
    const gate = new Promise<void>((resolve) => {
      go = resolve;
    });
    const writer = new SimProcess(w.sched, "zombie-journal-writer", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      await gate;
      const messages = entries.map((e) => ({ key: "j", value: JSON.stringify(e), partition: 0 }));
      await producer.send({ topic: TOPICS.ubscoreJournal, messages });
      appended = true;
    });
    writer.start();
    return { go, done: () => appended };
  }
  const journalEntries = (w: World) =>
    w.kafka.records(TOPICS.ubscoreJournal, 0).map((r) => JSON.parse(r.value) as Record<string, unknown>);
  const zombieRec = (w: World, epoch: string) => {
    const rec = journalEntries(w).find((e) => e.type === "rec" && String(e.msg).includes('"deposit"'))!;
    return {
      ...rec,
      epoch,
      ref: { ...(rec.ref as object), offset: "999999" },
      msg: encode(deposit(1, BTC, 5n * U, "zombie-deposit")),
    };
  };

  /** The fault-free outcome of seed 3, and a world of seed 3 run to `share` of its steps. */
  const partway = async (share: number) => {
    const base = await runScenario({ seed: 3 });
    const total = base.world.sched.step;
    const w = new World({ seed: 3 });
    w.startAll();
    w.feed(scenario());
    await w.sched.run({ maxSteps: Math.floor(total * share) });
    expect(w.live.ubscore?.phase).toBe("running");
    return { w, expected: comparable(base), total };
  };

  it("a dead incarnation's epoch marker landing late (while UBSCore runs) is stale: a restart loses nothing", async () => {
    const { w, expected, total } = await partway(0.3);
    const recsBefore = journalEntries(w).filter((e) => e.type === "rec").length;
    // The dead incarnation read the watermark (0) before the live marker existed; its marker
    // and a record of its epoch land now, in the middle of the live incarnation's records.
    const z = zombieAppend(w, [
      { type: "epoch", v: 1, epoch: "dead-zombie", after: "0" },
      zombieRec(w, "dead-zombie"),
    ]);
    z.go();
    await w.sched.run({ until: z.done });
    const zombieAt = journalEntries(w).findIndex((e) => e.epoch === "dead-zombie");
    expect(zombieAt).toBeGreaterThan(0);
    // UBSCore applies more inputs under its epoch, after the zombie marker, then crashes.
    await w.sched.run({ maxSteps: Math.floor(total * 0.3) });
    const recsAfter = journalEntries(w)
      .slice(zombieAt)
      .filter((e) => e.type === "rec" && e.epoch !== "dead-zombie").length;
    expect(recsAfter, "live records after the zombie marker").toBeGreaterThan(0);
    expect(recsBefore).toBeGreaterThan(0);
    w.crash("ubscore", 1);
    await w.settle();
    expect(w.failures, w.failures.join("\n")).toEqual([]);
    expect(w.feederDone && w.allRunning()).toBe(true);
    expect(w.live.ubscore!.stats.staleMarkers).toBe(1);
    expect(w.live.ubscore!.state.requests.has("1:zombie-deposit")).toBe(false);
    expect(comparable({ ...observe(w), world: w })).toEqual(expected);
  });

  it("a dead incarnation's epoch marker landing after the new incarnation's marker, during its replay, is stale", async () => {
    const { w, expected } = await partway(0.4);
    // The dying incarnation's last watermark read: the zombie marker's window starts here.
    const watermark = journalEntries(w).length;
    const z = zombieAppend(w, [
      { type: "epoch", v: 1, epoch: "dead-zombie", after: String(watermark) },
      zombieRec(w, "dead-zombie"),
    ]);
    w.crash("ubscore", 1);
    const markers = () => journalEntries(w).filter((e) => e.type === "epoch").length;
    const before = markers();
    await w.sched.run({ until: () => markers() > before });
    expect(w.live.ubscore?.phase, "the new incarnation is still starting").not.toBe("running");
    z.go();
    await w.sched.run({ until: z.done });
    await w.settle();
    expect(w.failures, w.failures.join("\n")).toEqual([]);
    expect(w.feederDone && w.allRunning()).toBe(true);
    // The new incarnation's replay saw the zombie marker after its own, and ignored it.
    expect(w.live.ubscore!.stats.staleMarkers).toBe(1);
    expect(w.live.ubscore!.stats.epochAttempts).toBe(1);
    expect(w.live.ubscore!.state.requests.has("1:zombie-deposit")).toBe(false);
    expect(comparable({ ...observe(w), world: w })).toEqual(expected);
    // And a further restart (replaying through both markers) still agrees.
    w.crash("ubscore", 1);
    await w.settle();
    expect(w.failures, w.failures.join("\n")).toEqual([]);
    expect(comparable({ ...observe(w), world: w })).toEqual(expected);
  });
});

describe("recovery snapshots in the simulated world", () => {
  const snapConfig = (every: number) => defaultConfig({ snapshotEvery: every, snapshotCharsPerInput: 0 });
  const SNAPSHOT_TOPIC = { ubscore: TOPICS.ubscoreSnapshots, matching: TOPICS.meSnapshots } as const;

  /** How recovery started: from a snapshot or from offset 0. */
  function fromSnapshot(w: World, service: "ubscore" | "matching"): boolean {
    return service === "ubscore"
      ? w.live.ubscore!.stats.snapshotRecords > 0
      : w.live.matching!.stats.fromSnapshot;
  }

  for (const service of ["ubscore", "matching"] as const) {
    it(`${service}: a crash before, during or right after each snapshot write ends in the same state`, async () => {
      const expected = comparable(await runScenario({ seed: 9 }));
      // Find the steps at which the service's snapshots were appended.
      const base = new World({ seed: 9, config: snapConfig(4) });
      base.startAll();
      base.feed(scenario());
      const count = () => base.kafka.records(SNAPSHOT_TOPIC[service], 0).length;
      const appended: number[] = [];
      for (let last = count(); ; last = count()) {
        const why = await base.sched.run({ until: () => count() !== last });
        if (why !== "until") break;
        appended.push(base.sched.step);
      }
      expect(comparable({ ...observe(base), world: base })).toEqual(expected);
      expect(appended.length, "snapshots written").toBeGreaterThan(3);
      let recoveredFromSnapshot = 0;
      let runs = 0;
      for (const at of [appended[1], appended[Math.floor(appended.length / 2)], appended.at(-1)!]) {
        for (let d = -6; d <= 6; d++) {
          const got = await runScenario(
            { seed: 9, config: snapConfig(4) },
            { service, step: at + d, restartAfterMs: 1 },
          );
          expect(
            comparable(got),
            `crash of ${service} at step ${at + d} (snapshot appended at ${at})`,
          ).toEqual(expected);
          runs++;
          if (fromSnapshot(got.world, service)) recoveredFromSnapshot++;
        }
      }
      expect(recoveredFromSnapshot, "recoveries that started from a snapshot").toBeGreaterThan(runs / 2);
    }, 120_000);
  }

  for (const service of SERVICES) {
    it(`survives a crash of ${service} at many different steps, snapshots every 3 records`, async () => {
      const base = await runScenario({ seed: 7, config: snapConfig(3) });
      const total = base.world.sched.step;
      const expected = comparable(base);
      expect(expected).toEqual(comparable(await runScenario({ seed: 7 })));
      const points = 30;
      for (let i = 1; i <= points; i++) {
        const step = Math.max(1, Math.floor((total * i) / (points + 1)) + (i % 3));
        const got = await runScenario(
          { seed: 7, config: snapConfig(3) },
          { service, step, restartAfterMs: 1 + (i % 5) * 20 },
        );
        expect(comparable(got), `crash of ${service} at step ${step}`).toEqual(expected);
      }
    }, 120_000);
  }

  it("converges under random crashes and every Kafka and store fault, snapshots every 2 records", async () => {
    const expected = comparable(await runScenario({ seed: 21 }));
    let snapshotsWritten = 0;
    for (let seed = 500; seed < 520; seed++) {
      const w = await crashStorm(seed, snapConfig(2));
      expect(w.failures, `seed ${seed}`).toEqual([]);
      expect(w.feederDone && w.allRunning(), `seed ${seed} finished`).toBe(true);
      expect(comparable({ ...observe(w), world: w }), `seed ${seed}`).toEqual(expected);
      snapshotsWritten += w.kafka.records(TOPICS.ubscoreSnapshots, 0).length;
    }
    expect(snapshotsWritten).toBeGreaterThan(0);
  }, 300_000);

  it("zombie snapshots (an old one appended late, after a newer epoch), a partial one and late journal duplicates", async () => {
    const base = await runScenario({ seed: 3, config: snapConfig(3) });
    const expected = comparable(base);
    const total = base.world.sched.step;
    const w = new World({ seed: 3, config: snapConfig(3) });
    w.startAll();
    w.feed(scenario());
    await w.sched.run({ maxSteps: Math.floor(total * 0.4) });
    w.crash("ubscore", 5); // a newer epoch after the first snapshots
    await w.sched.run({ maxSteps: Math.floor(total * 0.25) });
    expect(w.live.ubscore?.phase).toBe("running");

    const firstSnapshot = (topic: string) => {
      const recs = w.kafka.records(topic, 0);
      const m = recs.find((r) => r.key!.startsWith("m:"))!;
      expect(m, `a snapshot in ${topic}`).toBeDefined();
      const id = m.key!.slice(2);
      return recs.filter((r) => r.key === `m:${id}` || r.key!.startsWith(`c:${id}:`));
    };
    const oldUbs = firstSnapshot(TOPICS.ubscoreSnapshots);
    const oldMe = firstSnapshot(TOPICS.meSnapshots);
    const oldManifest = JSON.parse(oldUbs.at(-1)!.value);
    const firstEpoch = JSON.parse(w.kafka.records(TOPICS.ubscoreJournal, 0)[0].value).epoch;
    expect(oldManifest.meta.epoch, "the old snapshot is the dead first incarnation's").toBe(firstEpoch);
    const journal = w.kafka.records(TOPICS.ubscoreJournal, 0);
    const dupRecs = journal.filter((r) => JSON.parse(r.value).type === "rec").slice(0, 5);

    // Both services go down first (restarting 50 ms later), so no snapshot of theirs lands after
    // the zombie's: recovery must pick the zombie's as the newest.
    w.crash("ubscore", 50);
    w.crash("matching", 50);
    let appended = false;
    const writer = new SimProcess(w.sched, "zombie-writer", async (proc) => {
      const producer = w.kafka.client(proc).producer();
      await producer.connect();
      const copy = (r: { key: string | null; value: string }) => ({
        key: r.key!,
        value: r.value,
        partition: 0,
      });
      // The dead incarnations' late appends: their (old) snapshots, then a chunk of one that never finished.
      await producer.send({ topic: TOPICS.ubscoreSnapshots, messages: oldUbs.map(copy) });
      await producer.send({ topic: TOPICS.meSnapshots, messages: oldMe.map(copy) });
      await producer.send({
        topic: TOPICS.ubscoreSnapshots,
        messages: [{ key: "c:never-finished:0", value: "{", partition: 0 }],
      });
      // Records the old snapshot covers, appended again (a retried append landing late).
      await producer.send({ topic: TOPICS.ubscoreJournal, messages: dupRecs.map(copy) });
      appended = true;
    });
    writer.start();
    await w.sched.run({ until: () => appended });
    expect(w.live.ubscore, "the zombie's appends landed while UBSCore was down").toBeNull();
    await w.settle();
    expect(w.failures).toEqual([]);
    expect(w.feederDone && w.allRunning()).toBe(true);
    // Recovery used the zombie snapshot (the newest manifest in the topic) and replayed after it.
    expect(w.live.ubscore!.stats.snapshotRecords).toBe(oldManifest.meta.records);
    expect(w.live.ubscore!.stats.replayedFrom).toBe(BigInt(oldManifest.meta.journalFrom));
    expect(w.live.matching!.stats.fromSnapshot).toBe(true);
    expect(comparable({ ...observe(w), world: w })).toEqual(expected);
  });
});
