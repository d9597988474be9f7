import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../engine/config.ts";
import { ASSETS } from "../../engine/domain/assets.ts";
import { EXTERNAL_ACCOUNT, FEE_ACCOUNT } from "../../engine/protocol/messages.ts";
import { JournalReplayer } from "../../engine/ubscore/journal.ts";
import { UbscoreState as State, type UbscoreState } from "../../engine/ubscore/state.ts";
import { BTC, cancel, deposit, ETH, ETH_USDT, Pipeline, place, U, USDT, withdraw } from "./pipeline.ts";

/** Conservation, no negatives, frozen == what open orders hold, gapless seqs. */
function checkInvariants(p: Pipeline): void {
  const s = p.ubs;
  for (const a of ASSETS) expect(s.total(a.id), `total of asset ${a.code}`).toBe(0n);
  const held = s.heldByOrders();
  for (const [user, m] of s.balances) {
    for (const [asset, h] of m) {
      if (user !== EXTERNAL_ACCOUNT) {
        expect(h.avail >= 0n, `avail ${user}/${asset}`).toBe(true);
        expect(h.frozen >= 0n, `frozen ${user}/${asset}`).toBe(true);
      }
      expect(h.frozen, `frozen ${user}/${asset} vs open orders`).toBe(held.get(`${user}:${asset}`) ?? 0n);
    }
  }
  // Every account's events carry seq 1..n in order, and each row follows from the previous.
  const last = new Map<string, { seq: bigint; avail: bigint; frozen: bigint }>();
  for (const e of p.balanceEvents) {
    const k = `${e.user_id}:${e.asset_id}`;
    const prev = last.get(k) ?? { seq: 0n, avail: 0n, frozen: 0n };
    expect(BigInt(e.seq)).toBe(prev.seq + 1n);
    expect(BigInt(e.avail)).toBe(prev.avail + BigInt(e.delta_avail));
    expect(BigInt(e.frozen)).toBe(prev.frozen + BigInt(e.delta_frozen));
    last.set(k, { seq: BigInt(e.seq), avail: BigInt(e.avail), frozen: BigInt(e.frozen) });
  }
}

function stateDigest(s: UbscoreState): unknown {
  const bal: Record<string, string> = {};
  for (const [u, m] of s.balances)
    for (const [a, h] of m) bal[`${u}:${a}`] = `${h.avail}/${h.frozen}/${h.seq}`;
  return {
    bal,
    orders: [...s.orders.values()].map((o) => ({
      ...o,
      price: String(o.price),
      qty: String(o.qty),
      held: String(o.held),
      filled: String(o.filled),
      quote_limit: String(o.quote_limit),
    })),
    requests: [...s.requests.entries()],
    cids: [...s.cids.entries()],
    pendingCancels: [...s.pendingCancels.entries()],
    next: s.nextOrderId.toString(),
    seqs: [...s.lastOutputSeq.entries()].map(([k, v]) => [k, v.toString()]),
  };
}

const P50000 = 50_000n * U;
const P50100 = 50_100n * U;
const QTY_001 = 1_000_000n; // 0.01 BTC

describe("UBSCore state: deposits and withdrawals", () => {
  it("credits deposits against the external account and keeps every asset at zero", () => {
    const p = new Pipeline();
    const d = deposit(1, USDT, 1000n * U);
    p.send(d);
    expect(p.bal(1, USDT)).toEqual({ avail: 1000n * U, frozen: 0n });
    expect(p.bal(EXTERNAL_ACCOUNT, USDT)).toEqual({ avail: -1000n * U, frozen: 0n });
    expect(p.resultOf(d.request_id)).toMatchObject({ status: "accepted", kind: "deposit" });
    expect(p.balanceEvents.map((e) => [e.user_id, e.seq, e.cause, e.ref])).toEqual([
      [1, "1", "deposit", d.request_id],
      [-1, "1", "deposit", d.request_id],
    ]);
    checkInvariants(p);
  });

  it("rejects an uncovered withdrawal without changing anything, accepts a covered one", () => {
    const p = new Pipeline();
    p.send(deposit(1, USDT, 1000n * U));
    const events = p.balanceEvents.length;
    const w = withdraw(1, USDT, 2000n * U);
    p.send(w);
    expect(p.resultOf(w.request_id)).toMatchObject({ status: "rejected", reason: "insufficient-balance" });
    expect(p.balanceEvents.length).toBe(events);
    expect(p.bal(1, USDT).avail).toBe(1000n * U);
    const w2 = withdraw(1, USDT, 400n * U);
    p.send(w2);
    expect(p.resultOf(w2.request_id)?.status).toBe("accepted");
    expect(p.bal(1, USDT).avail).toBe(600n * U);
    expect(p.bal(EXTERNAL_ACCOUNT, USDT).avail).toBe(-600n * U);
    // Withdrawing frozen funds is not possible either.
    p.send(place({ user: 1, side: "Buy", price: P50000, qty: QTY_001 })); // freezes 500
    const w3 = withdraw(1, USDT, 200n * U);
    p.send(w3);
    expect(p.resultOf(w3.request_id)?.reason).toBe("insufficient-balance");
    checkInvariants(p);
  });

  it("answers a duplicated request id with the earlier verdict and changes nothing", () => {
    const p = new Pipeline();
    const d = deposit(1, BTC, U, "same-id");
    p.send(d);
    p.send(d);
    p.send(deposit(1, BTC, 5n * U, "same-id")); // same id, other body: still the first verdict
    expect(p.bal(1, BTC).avail).toBe(U);
    expect(p.results.filter((r) => r.request_id === "same-id")).toHaveLength(3);
    expect(new Set(p.results.map((r) => JSON.stringify(r))).size).toBe(1);
    // The id is per user: another user may use it.
    p.send(deposit(2, BTC, U, "same-id"));
    expect(p.bal(2, BTC).avail).toBe(U);
    checkInvariants(p);
  });

  it("rejects malformed and invalid operations with a reason", () => {
    const p = new Pipeline();
    p.send(deposit(0, BTC, U, "sys")); // the fee account is not a user
    p.send(deposit(1, 99, U, "asset"));
    p.send(
      JSON.stringify({
        v: 1,
        type: "deposit",
        request_id: "neg",
        user_id: 1,
        asset_id: 1,
        amount: "-5",
        ts: 0,
      }),
    );
    p.send(
      JSON.stringify({
        v: 1,
        type: "deposit",
        request_id: "big",
        user_id: 1,
        asset_id: 1,
        amount: "99999999999999999999",
        ts: 0,
      }),
    );
    p.send(JSON.stringify({ v: 1, type: "teleport", request_id: "bad", user_id: 1 }));
    p.send("not json");
    expect(p.resultOf("sys")?.reason).toBe("invalid-user");
    expect(p.resultOf("asset")?.reason).toBe("unknown-asset");
    expect(p.resultOf("neg")?.reason).toBe("invalid-amount");
    expect(p.resultOf("big")?.reason).toBe("invalid-amount");
    expect(p.resultOf("bad")?.status).toBe("rejected");
    expect(p.warnings.some((w) => w.includes("malformed"))).toBe(true);
    expect(p.balanceEvents).toHaveLength(0);
  });
});

describe("UBSCore state: orders through the matching core", () => {
  function funded(): Pipeline {
    const p = new Pipeline();
    p.send(deposit(1, BTC, U));
    p.send(deposit(2, USDT, 1000n * U));
    p.send(deposit(3, USDT, 1000n * U));
    p.send(deposit(3, BTC, U));
    return p;
  }

  it("limit taker buy at a better price: fees on the asset received, price improvement refunded", () => {
    const p = funded();
    const sell = place({ user: 1, side: "Sell", price: P50000, qty: QTY_001 });
    p.send(sell);
    expect(p.bal(1, BTC)).toEqual({ avail: U - QTY_001, frozen: QTY_001 });
    expect(p.resultOf(sell.request_id)).toMatchObject({
      status: "accepted",
      order_id: "1",
      order_status: "New",
    });
    const buy = place({ user: 2, side: "Buy", price: P50100, qty: QTY_001 });
    p.send(buy);
    expect(p.resultOf(buy.request_id)).toMatchObject({
      status: "accepted",
      order_id: "2",
      order_status: "Filled",
    });
    // Buyer (taker, 20 bps on BTC): paid 500 USDT, 1 USDT of improvement refunded.
    expect(p.bal(2, USDT)).toEqual({ avail: 500n * U, frozen: 0n });
    expect(p.bal(2, BTC)).toEqual({ avail: QTY_001 - 2_000n, frozen: 0n });
    // Seller (maker, 10 bps on USDT): 500 USDT - 0.5 USDT.
    expect(p.bal(1, USDT)).toEqual({ avail: 500n * U - 50_000_000n, frozen: 0n });
    expect(p.bal(1, BTC)).toEqual({ avail: U - QTY_001, frozen: 0n });
    expect(p.bal(FEE_ACCOUNT, BTC).avail).toBe(2_000n);
    expect(p.bal(FEE_ACCOUNT, USDT).avail).toBe(50_000_000n);
    expect(p.ubs.orders.size).toBe(0);
    checkInvariants(p);
  });

  it("uses the configured fee rates, rounded down", () => {
    const config = defaultConfig({
      fees: { BTC_USDT: { maker_bps: 0, taker_bps: 7 }, ETH_USDT: { maker_bps: 10, taker_bps: 20 } },
    });
    const p = new Pipeline(config);
    p.send(deposit(1, BTC, U));
    p.send(deposit(2, USDT, 1000n * U));
    p.send(place({ user: 2, side: "Buy", price: 12_345n * 1_000_000n, qty: 3_000n })); // 0.00003 BTC at 123.45
    p.send(place({ user: 1, side: "Sell", price: 12_345n * 1_000_000n, qty: 3_000n })); // taker sells
    const quote = (12_345n * 1_000_000n * 3_000n) / U; // 370350
    expect(p.bal(2, BTC).avail).toBe(3_000n); // maker buyer, 0 bps
    expect(p.bal(1, USDT).avail).toBe(quote - (quote * 7n) / 10_000n); // 370350 - 259
    expect(p.bal(FEE_ACCOUNT, USDT).avail).toBe(259n);
    checkInvariants(p);
  });

  it("partial fill, then cancel by cid releases the rest; a second cancel is rejected", () => {
    const p = funded();
    p.send(place({ user: 1, side: "Sell", price: P50000, qty: 2n * QTY_001, cid: "s1" }));
    p.send(place({ user: 2, side: "Buy", price: P50000, qty: QTY_001 }));
    expect(p.bal(1, BTC)).toEqual({ avail: U - 2n * QTY_001, frozen: QTY_001 });
    const c = cancel(1, { cid: "s1" });
    p.send(c);
    expect(p.resultOf(c.request_id)).toMatchObject({
      status: "accepted",
      order_id: "1",
      order_status: "Cancelled",
    });
    expect(p.bal(1, BTC)).toEqual({ avail: U - QTY_001, frozen: 0n });
    const c2 = cancel(1, { order_id: "1" });
    p.send(c2);
    expect(p.resultOf(c2.request_id)).toMatchObject({ status: "rejected", reason: "unknown-order" });
    // Another user cannot cancel someone else's order.
    p.send(place({ user: 1, side: "Sell", price: P50100, qty: QTY_001, cid: "s2" }));
    const c3 = cancel(2, { order_id: "3" });
    p.send(c3);
    expect(p.resultOf(c3.request_id)?.status).toBe("rejected");
    expect(p.ubs.orders.has("3")).toBe(true);
    checkInvariants(p);
  });

  it("a cancel racing a fill: accepted by UBSCore, rejected by the ME, answered rejected", () => {
    const p = funded();
    // Feed UBSCore a cancel while the ME already filled the order: simulate by cancelling an
    // order the ME fills in the same flow (place, then cancel arrives after a fill).
    p.send(place({ user: 1, side: "Sell", price: P50000, qty: QTY_001, cid: "x" }));
    p.send(place({ user: 2, side: "Buy", price: P50000, qty: QTY_001 }));
    const c = cancel(1, { cid: "x" });
    p.send(c);
    expect(p.resultOf(c.request_id)).toMatchObject({ status: "rejected", reason: "unknown-order" });
    checkInvariants(p);
  });

  it("market buy with a price: budget price × qty, unspent budget released", () => {
    const p = funded();
    p.send(place({ user: 1, side: "Sell", price: P50000, qty: QTY_001 }));
    const mb = place({ user: 2, side: "Buy", type: "Market", price: 60_000n * U, qty: 2n * QTY_001 });
    p.send(mb);
    // Budget 1200 USDT > 1000 available: rejected, nothing frozen.
    expect(p.resultOf(mb.request_id)).toMatchObject({ status: "rejected", reason: "insufficient-balance" });
    const mb2 = place({ user: 2, side: "Buy", type: "Market", price: 40_000n * U, qty: 2n * QTY_001 });
    p.send(mb2); // budget 800 USDT: buys 0.01 at 50000 = 500, book then empty
    expect(p.resultOf(mb2.request_id)).toMatchObject({ status: "accepted", order_status: "Cancelled" });
    expect(p.validated.at(-1)).toMatchObject({
      type: "place",
      price: null,
      quote_limit: (800n * U).toString(),
    });
    expect(p.bal(2, USDT)).toEqual({ avail: 500n * U, frozen: 0n });
    expect(p.bal(2, BTC).avail).toBe(QTY_001 - 2_000n);
    checkInvariants(p);
  });

  it("market buy without a price freezes all available quote and releases what it did not spend", () => {
    const p = funded();
    p.send(place({ user: 1, side: "Sell", price: P50000, qty: QTY_001 }));
    p.send(place({ user: 1, side: "Sell", price: P50100, qty: QTY_001 }));
    const mb = place({ user: 2, side: "Buy", type: "Market", qty: 5n * QTY_001 });
    p.send(mb);
    expect(p.validated.at(-1)).toMatchObject({ quote_limit: (1000n * U).toString() });
    // Spent 500 + 501 > 1000? 0.01 at 50100 = 501 USDT; budget after the first fill is 500, so
    // the second fill shrinks to what 500 USDT buys at 50100 in lots: 0.00998 BTC.
    const spent = p.outputs
      .flatMap((o) => o.events)
      .filter((e) => e.type === "fill")
      .reduce((s, e) => s + BigInt((e as { quote_qty: string }).quote_qty), 0n);
    expect(spent <= 1000n * U).toBe(true);
    expect(p.bal(2, USDT)).toEqual({ avail: 1000n * U - spent, frozen: 0n });
    expect(p.ubs.orders.size).toBe(1); // user 1's second sell, partly filled
    checkInvariants(p);
    // With nothing available, an uncapped market buy is rejected.
    p.send(withdraw(2, USDT, p.bal(2, USDT).avail));
    const mb3 = place({ user: 2, side: "Buy", type: "Market", qty: QTY_001 });
    p.send(mb3);
    expect(p.resultOf(mb3.request_id)?.reason).toBe("insufficient-balance");
  });

  it("market sell freezes qty and releases the unfilled rest", () => {
    const p = funded();
    p.send(place({ user: 2, side: "Buy", price: P50000, qty: QTY_001 }));
    const ms = place({ user: 1, side: "Sell", type: "Market", price: 1n * U, qty: 3n * QTY_001 });
    p.send(ms);
    expect(p.resultOf(ms.request_id)).toMatchObject({ status: "accepted", order_status: "Cancelled" });
    expect(p.bal(1, BTC)).toEqual({ avail: U - QTY_001, frozen: 0n });
    expect(p.bal(1, USDT).avail).toBe(500n * U - U); // taker 20 bps on 500 USDT = 1 USDT
    checkInvariants(p);
  });

  it("self-trade prevention cancels the taker's rest; nobody trades with themselves", () => {
    const p = funded();
    p.send(place({ user: 3, side: "Sell", price: P50000, qty: QTY_001 }));
    const own = place({ user: 3, side: "Buy", price: P50100, qty: QTY_001 });
    p.send(own);
    expect(p.resultOf(own.request_id)).toMatchObject({
      status: "accepted",
      order_status: "Cancelled",
      reason: "stp",
    });
    expect(p.bal(3, USDT)).toEqual({ avail: 1000n * U, frozen: 0n });
    expect(p.bal(3, BTC)).toEqual({ avail: U - QTY_001, frozen: QTY_001 });
    for (const o of p.outputs)
      for (const e of o.events) if (e.type === "fill") expect(e.maker_user_id).not.toBe(e.taker_user_id);
    checkInvariants(p);
  });

  it("post-only that would take is answered rejected and frees its funds; IOC and FOK", () => {
    const p = funded();
    p.send(place({ user: 1, side: "Sell", price: P50000, qty: QTY_001 }));
    const po = place({ user: 2, side: "Buy", price: P50000, qty: QTY_001, post_only: true });
    p.send(po);
    expect(p.resultOf(po.request_id)).toMatchObject({
      status: "rejected",
      reason: "post-only-would-take",
      order_status: "Rejected",
    });
    expect(p.bal(2, USDT)).toEqual({ avail: 1000n * U, frozen: 0n });
    const fok = place({ user: 2, side: "Buy", price: P50000, qty: 2n * QTY_001, tif: "FOK" });
    p.send(fok);
    expect(p.resultOf(fok.request_id)).toMatchObject({
      status: "accepted",
      order_status: "Cancelled",
      reason: "fok",
    });
    const ioc = place({ user: 2, side: "Buy", price: P50000, qty: 2n * QTY_001, tif: "IOC" });
    p.send(ioc);
    expect(p.resultOf(ioc.request_id)).toMatchObject({ order_status: "Cancelled", reason: "ioc" });
    expect(p.bal(2, USDT)).toEqual({ avail: 500n * U, frozen: 0n });
    checkInvariants(p);
  });

  it("validates places itself: tick, lot, flags, symbol, duplicate cid", () => {
    const p = funded();
    const cases: Array<[ReturnType<typeof place>, string]> = [
      [place({ user: 2, side: "Buy", price: P50000 + 1n, qty: QTY_001 }), "invalid-price"],
      [place({ user: 2, side: "Buy", price: P50000, qty: QTY_001 + 1n }), "invalid-qty"],
      [place({ user: 2, side: "Buy", price: null, qty: QTY_001 }), "invalid-price"],
      [
        place({ user: 2, side: "Buy", price: P50000, qty: QTY_001, tif: "IOC", post_only: true }),
        "invalid-flags",
      ],
      [place({ user: 2, side: "Buy", symbol: 7, price: P50000, qty: QTY_001 }), "unknown-symbol"],
      [place({ user: 2, side: "Buy", symbol: ETH_USDT, price: P50000, qty: 1_000n }), "invalid-qty"],
    ];
    for (const [op, reason] of cases) {
      p.send(op);
      expect(p.resultOf(op.request_id), reason).toMatchObject({ status: "rejected", reason });
    }
    const first = place({ user: 2, side: "Buy", price: P50000, qty: QTY_001, cid: "c1" });
    p.send(first);
    p.send({ ...first, request_id: "other-id" });
    expect(p.resultOf("other-id")?.reason).toBe("duplicate-cid");
    p.send(first); // same request id: the earlier verdict
    expect(
      p.results.filter((r) => r.request_id === first.request_id).every((r) => r.status === "accepted"),
    ).toBe(true);
    expect(p.ubs.orders.size).toBe(1);
    expect(p.bal(2, USDT).frozen).toBe(500n * U);
    checkInvariants(p);
    void ETH;
  });

  it("ignores duplicated engine outputs and duplicated validated orders", () => {
    const p = funded();
    p.send(place({ user: 1, side: "Sell", price: P50000, qty: 2n * QTY_001 }));
    p.send(place({ user: 2, side: "Buy", price: P50000, qty: QTY_001 }));
    const before = stateDigest(p.ubs);
    const outs = [...p.outputs];
    for (const o of outs) p.fromMe(o);
    expect(stateDigest(p.ubs)).toEqual(before);
    const outputsBefore = p.outputs.length;
    for (const v of [...p.validated]) p.resendToMe(v);
    expect(p.outputs.length).toBe(outputsBefore + 0);
    checkInvariants(p);
  });
});

describe("UBSCore journal replay", () => {
  function busy(): Pipeline {
    const p = new Pipeline();
    for (let u = 1; u <= 4; u++) {
      p.send(deposit(u, BTC, 2n * U));
      p.send(deposit(u, USDT, 100_000n * U));
      p.send(deposit(u, ETH, 10n * U));
    }
    let n = 0;
    for (let k = 0; k < 60; k++) {
      const u = 1 + (k % 4);
      const side = k % 3 === 0 ? "Sell" : "Buy";
      const price = (49_900n + BigInt((k * 37) % 200)) * U;
      const type = k % 11 === 5 ? "Market" : "Limit";
      const cid = `k${k}`;
      p.send(
        place({
          user: u,
          side,
          price: type === "Market" && side === "Buy" && k % 2 ? null : price,
          qty: QTY_001 * BigInt(1 + (k % 3)),
          type,
          cid,
          tif: k % 7 === 3 ? "IOC" : "GTC",
        }),
      );
      if (k % 5 === 4) p.send(cancel(1 + ((k + 1) % 4), { cid: `k${k - 2}` }));
      if (k % 13 === 0) p.send(withdraw(u, USDT, 10n * U));
      n++;
    }
    p.send(place({ user: 1, symbol: ETH_USDT, side: "Sell", price: 3_000n * U, qty: 10_000n * 5n }));
    p.send(place({ user: 2, symbol: ETH_USDT, side: "Buy", price: 3_001n * U, qty: 10_000n * 3n }));
    void n;
    return p;
  }

  it("rebuilds the same state and re-derives the same outputs, skipping duplicated records", () => {
    const p = busy();
    checkInvariants(p);
    const fresh = new State(p.config);
    const r = new JournalReplayer(fresh);
    let at = 0n;
    r.feed({ type: "epoch", v: 1, epoch: "e" }, at++);
    for (const rec of p.journal) {
      r.feed(rec, at++);
      if (rec.ref.offset.endsWith("3")) r.feed(rec, at++); // a retried append
    }
    expect(stateDigest(fresh)).toEqual(stateDigest(p.ubs));
    expect(r.pending.balanceEvents).toEqual(p.balanceEvents);
    expect(r.pending.results).toEqual(p.results);
    expect(r.pending.validated).toEqual(p.validated.slice(0, r.pending.validated.length));
    expect(r.skippedDuplicate).toBeGreaterThan(0);
  });

  it("follows the latest epoch: late appends of a dead incarnation are ignored; checkpoints drop pending", () => {
    const p = busy();
    const recs = p.journal;
    const half = Math.floor(recs.length / 2);
    // Incarnation A wrote the first half and a checkpoint; B starts, then a late append of A's
    // (the next record, which A never acknowledged) lands after B's marker.
    const entries = [
      { type: "epoch" as const, v: 1 as const, epoch: "A" },
      ...recs.slice(0, half).map((r) => ({ ...r, epoch: "A" })),
      { type: "checkpoint" as const, v: 1 as const, epoch: "A", through: half },
      { type: "epoch" as const, v: 1 as const, epoch: "B" },
      { ...recs[half], epoch: "A" },
      { type: "checkpoint" as const, v: 1 as const, epoch: "A", through: half + 1 },
      { type: "epoch" as const, v: 1 as const, epoch: "A" }, // a late duplicate marker of A
      ...recs.slice(half).map((r) => ({ ...r, epoch: "B" })),
    ];
    const fresh = new State(p.config);
    const r = new JournalReplayer(fresh);
    entries.forEach((e, i) => {
      r.feed(e, BigInt(i));
    });
    expect(r.epoch).toBe("B");
    expect(r.skippedForeign).toBe(1);
    expect(stateDigest(fresh)).toEqual(stateDigest(p.ubs));
    // Pending = outputs of B's records only (A's checkpoint covered the first half).
    const firstHalf = new State(p.config);
    const r1 = new JournalReplayer(firstHalf);
    r1.feed({ type: "epoch", v: 1, epoch: "A" }, 0n);
    recs.slice(0, half).forEach((rec, i) => {
      r1.feed({ ...rec, epoch: "A" }, BigInt(i + 1));
    });
    expect(r.pending.balanceEvents.length).toBe(p.balanceEvents.length - r1.pending.balanceEvents.length);
  });

  it("a checkpoint duplicated by a retried append does not cover the records after its first copy", () => {
    const p = busy();
    const [r1, r2, r3] = p.journal;
    const fresh = new State(p.config);
    const r = new JournalReplayer(fresh);
    const cp = (through: number) => ({ type: "checkpoint" as const, v: 1 as const, epoch: "e", through });
    // Append [r1]; publish; append [cp(1), r2] which times out appended and is retried:
    const fed = [{ type: "epoch" as const, v: 1 as const, epoch: "e" }, r1, cp(1), r2, cp(1), r2, r3];
    for (let i = 0; i < fed.length; i++) r.feed(fed[i], BigInt(i));
    // r2's and r3's outputs were never acknowledged: both are still pending (only r1 is covered).
    const epoch = { type: "epoch" as const, v: 1 as const, epoch: "e" };
    const all = new JournalReplayer(new State(p.config));
    [epoch, r1, r2, r3].forEach((e, i) => {
      all.feed(e, BigInt(i));
    });
    const first = new JournalReplayer(new State(p.config));
    [epoch, r1].forEach((e, i) => {
      first.feed(e, BigInt(i));
    });
    expect(r.pendingCount()).toBeGreaterThan(0);
    expect(r.pending.balanceEvents).toEqual(
      all.pending.balanceEvents.slice(first.pending.balanceEvents.length),
    );
    expect(r.pending.results).toEqual(all.pending.results.slice(first.pending.results.length));
    expect(r.pending.validated).toEqual(all.pending.validated.slice(first.pending.validated.length));
    expect(r.covered).toBe(1);
  });
});
