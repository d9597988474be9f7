import { describe, expect, it } from "vitest";
import { parseAmount } from "../../engine/domain/amount.ts";
import { parsePrice, parseQty } from "../../engine/domain/money.ts";
import { BTC_USDT } from "../../engine/domain/symbols.ts";
import { bookConfigOf, hashSnapshot, Matcher } from "../../engine/matching/matcher.ts";
import type { Command, MatchEvent, OrderEvent, PlaceCommand } from "../../engine/matching/types.ts";
import { ReferenceMatcher } from "./reference-matcher.ts";

const cfg = bookConfigOf(BTC_USDT);
const P = (s: string) => parsePrice(BTC_USDT, s);
const Q = (s: string) => parseQty(BTC_USDT, s);
const USDT = (s: string) => parseAmount(s, "USDT");

let nextId = 1n;
function limit(
  user: number,
  side: "Buy" | "Sell",
  price: string,
  qty: string,
  extra: Partial<PlaceCommand> = {},
) {
  return {
    type: "place",
    order_id: nextId++,
    user_id: user,
    side,
    order_type: "Limit",
    price: P(price),
    qty: Q(qty),
    ...extra,
  } satisfies PlaceCommand;
}
function market(user: number, side: "Buy" | "Sell", qty: string, extra: Partial<PlaceCommand> = {}) {
  return {
    type: "place",
    order_id: nextId++,
    user_id: user,
    side,
    order_type: "Market",
    qty: Q(qty),
    ...extra,
  } satisfies PlaceCommand;
}

/** Runs commands on the matcher AND the reference, checks they agree, returns the matcher's events per command. */
function run(m: Matcher, ref: ReferenceMatcher, ...cmds: Command[]): MatchEvent[][] {
  return cmds.map((c) => {
    const a = m.apply(c);
    expect(ref.apply(c)).toEqual(a);
    expect(ref.snapshot()).toEqual(m.snapshot());
    return a;
  });
}
function fresh(): [Matcher, ReferenceMatcher] {
  return [new Matcher(cfg), new ReferenceMatcher(cfg)];
}
const orderEvents = (evs: MatchEvent[]) => evs.filter((e): e is OrderEvent => e.type === "order");
const last = (evs: MatchEvent[]) => evs[evs.length - 1];
const fills = (evs: MatchEvent[]) => evs.filter((e) => e.type === "fill");

describe("limit GTC", () => {
  it("rests when nothing crosses: one New event, exact shape", () => {
    const [m, r] = fresh();
    const c = limit(1, "Buy", "50000", "0.01");
    const [evs] = run(m, r, c);
    expect(evs).toEqual([
      {
        type: "order",
        order_id: c.order_id,
        user_id: 1,
        side: "Buy",
        status: "New",
        reason: null,
        filled_qty: 0n,
        remaining_qty: Q("0.01"),
        cancelled_qty: 0n,
      },
    ]);
    expect(m.bestBid()).toBe(P("50000"));
    expect(m.bestAsk()).toBe(null);
  });

  it("trades at the maker's price, scaled once: exact fill shape", () => {
    const [m, r] = fresh();
    const ask = limit(1, "Sell", "50000", "0.01");
    const bid = limit(2, "Buy", "50010", "0.01");
    const [, evs] = run(m, r, ask, bid);
    expect(evs).toEqual([
      {
        type: "fill",
        trade_id: 1n,
        price: P("50000"),
        qty: Q("0.01"),
        quote_qty: USDT("500"),
        taker_side: "Buy",
        maker_order_id: ask.order_id,
        maker_user_id: 1,
        maker_remaining: 0n,
        taker_order_id: bid.order_id,
        taker_user_id: 2,
        taker_remaining: 0n,
      },
      {
        type: "order",
        order_id: ask.order_id,
        user_id: 1,
        side: "Sell",
        status: "Filled",
        reason: null,
        filled_qty: Q("0.01"),
        remaining_qty: 0n,
        cancelled_qty: 0n,
      },
      {
        type: "order",
        order_id: bid.order_id,
        user_id: 2,
        side: "Buy",
        status: "Filled",
        reason: null,
        filled_qty: Q("0.01"),
        remaining_qty: 0n,
        cancelled_qty: 0n,
      },
    ]);
    expect(m.book.size).toBe(0);
  });

  it("price-time priority: better price first, then earlier order", () => {
    const [m, r] = fresh();
    const a1 = limit(1, "Sell", "101", "1");
    const a2 = limit(2, "Sell", "100", "1");
    const a3 = limit(3, "Sell", "100", "1");
    const [, , , evs] = run(m, r, a1, a2, a3, limit(4, "Buy", "101", "2.5"));
    expect(fills(evs).map((f) => [f.maker_order_id, f.price, f.qty])).toEqual([
      [a2.order_id, P("100"), Q("1")],
      [a3.order_id, P("100"), Q("1")],
      [a1.order_id, P("101"), Q("0.5")],
    ]);
    expect(fills(evs).map((f) => f.trade_id)).toEqual([1n, 2n, 3n]);
    expect(last(evs)).toMatchObject({ status: "Filled", filled_qty: Q("2.5") });
    // a1 still rests with 0.5
    expect(m.snapshot().asks).toEqual([
      { price: P("101"), orders: [{ order_id: a1.order_id, user_id: 1, qty: Q("1"), remaining: Q("0.5") }] },
    ]);
  });

  it("partially fills and rests the remainder as PartiallyFilled; the book is not crossed", () => {
    const [m, r] = fresh();
    const [, evs] = run(m, r, limit(1, "Sell", "100", "1"), limit(2, "Buy", "100.5", "3"));
    expect(last(evs)).toMatchObject({
      status: "PartiallyFilled",
      filled_qty: Q("1"),
      remaining_qty: Q("2"),
      cancelled_qty: 0n,
    });
    expect(m.bestBid()).toBe(P("100.5"));
    expect(m.bestAsk()).toBe(null);
  });

  it("a resting maker partially filled gets no order event until it is done", () => {
    const [m, r] = fresh();
    const ask = limit(1, "Sell", "100", "3");
    const [, e1, e2] = run(m, r, ask, limit(2, "Buy", "100", "1"), limit(3, "Buy", "100", "2"));
    expect(orderEvents(e1).map((e) => e.order_id)).not.toContain(ask.order_id);
    expect(fills(e1)[0]).toMatchObject({ maker_remaining: Q("2") });
    expect(orderEvents(e2).find((e) => e.order_id === ask.order_id)).toMatchObject({
      status: "Filled",
      filled_qty: Q("3"),
    });
  });
});

describe("IOC", () => {
  it("fills what it can and cancels the rest at once", () => {
    const [m, r] = fresh();
    const [, evs] = run(m, r, limit(1, "Sell", "100", "1"), limit(2, "Buy", "100", "3", { tif: "IOC" }));
    expect(fills(evs)).toHaveLength(1);
    expect(last(evs)).toMatchObject({
      status: "Cancelled",
      reason: "ioc",
      filled_qty: Q("1"),
      cancelled_qty: Q("2"),
    });
    expect(m.book.size).toBe(0);
  });

  it("with nothing to match is cancelled whole", () => {
    const [m, r] = fresh();
    const [evs] = run(m, r, limit(2, "Buy", "100", "3", { tif: "IOC" }));
    expect(evs).toHaveLength(1);
    expect(last(evs)).toMatchObject({
      status: "Cancelled",
      reason: "ioc",
      filled_qty: 0n,
      cancelled_qty: Q("3"),
    });
  });
});

describe("FOK", () => {
  it("not enough crossing quantity: cancelled whole, nothing trades", () => {
    const [m, r] = fresh();
    const [, , evs] = run(
      m,
      r,
      limit(1, "Sell", "100", "1"),
      limit(1, "Sell", "102", "5"),
      limit(2, "Buy", "101", "2", { tif: "FOK" }),
    );
    expect(evs).toEqual([
      expect.objectContaining({ status: "Cancelled", reason: "fok", cancelled_qty: Q("2") }),
    ]);
    expect(m.snapshot().asks.map((l) => l.orders[0].remaining)).toEqual([Q("1"), Q("5")]);
  });

  it("enough across several levels: fills completely", () => {
    const [m, r] = fresh();
    const [, , evs] = run(
      m,
      r,
      limit(1, "Sell", "100", "1"),
      limit(3, "Sell", "101", "5"),
      limit(2, "Buy", "101", "2", { tif: "FOK" }),
    );
    expect(fills(evs).map((f) => f.qty)).toEqual([Q("1"), Q("1")]);
    expect(last(evs)).toMatchObject({ status: "Filled" });
  });

  it("STP: an own order reached before the qty is covered cancels it whole with reason stp", () => {
    const [m, r] = fresh();
    const [, , evs] = run(
      m,
      r,
      limit(1, "Sell", "100", "1"),
      limit(2, "Sell", "100", "5"), // own order, behind user 1's
      limit(2, "Buy", "100", "2", { tif: "FOK" }),
    );
    expect(evs).toEqual([expect.objectContaining({ status: "Cancelled", reason: "stp", filled_qty: 0n })]);
    expect(m.book.size).toBe(2);
  });

  it("STP: an own order beyond the covered qty does not matter", () => {
    const [m, r] = fresh();
    const [, , evs] = run(
      m,
      r,
      limit(1, "Sell", "100", "2"),
      limit(2, "Sell", "100", "5"),
      limit(2, "Buy", "100", "2", { tif: "FOK" }),
    );
    expect(last(evs)).toMatchObject({ status: "Filled" });
  });

  it("market FOK buy honours the quote limit", () => {
    const [m, r] = fresh();
    const [, e1, e2] = run(
      m,
      r,
      limit(1, "Sell", "100", "2"),
      market(2, "Buy", "2", { tif: "FOK", quote_limit: USDT("199.99") }),
      market(2, "Buy", "2", { tif: "FOK", quote_limit: USDT("200") }),
    );
    expect(e1).toEqual([expect.objectContaining({ status: "Cancelled", reason: "fok" })]);
    expect(last(e2)).toMatchObject({ status: "Filled" });
    expect(fills(e2)[0]).toMatchObject({ quote_qty: USDT("200") });
  });
});

describe("post-only", () => {
  it("rejected if any part would take; rests otherwise", () => {
    const [m, r] = fresh();
    const [, e1, e2] = run(
      m,
      r,
      limit(1, "Sell", "100", "1"),
      limit(2, "Buy", "100", "1", { post_only: true }),
      limit(2, "Buy", "99.99", "1", { post_only: true }),
    );
    expect(e1).toEqual([
      expect.objectContaining({ status: "Rejected", reason: "post-only-would-take", cancelled_qty: Q("1") }),
    ]);
    expect(e2).toEqual([expect.objectContaining({ status: "New" })]);
  });

  it("rejected against the user's own resting order too (resting would cross the book)", () => {
    const [m, r] = fresh();
    const [, evs] = run(m, r, limit(1, "Sell", "100", "1"), limit(1, "Buy", "101", "1", { post_only: true }));
    expect(last(evs)).toMatchObject({ status: "Rejected", reason: "post-only-would-take" });
  });

  it("only allowed on Limit GTC", () => {
    const [m, r] = fresh();
    const [e1, e2] = run(
      m,
      r,
      limit(1, "Buy", "100", "1", { post_only: true, tif: "IOC" }),
      market(1, "Sell", "1", { post_only: true }),
    );
    expect(last(e1)).toMatchObject({ status: "Rejected", reason: "invalid-flags" });
    expect(last(e2)).toMatchObject({ status: "Rejected", reason: "invalid-flags" });
  });
});

describe("market orders", () => {
  it("market sell walks the book and never rests", () => {
    const [m, r] = fresh();
    const [, , evs] = run(
      m,
      r,
      limit(1, "Buy", "100", "1"),
      limit(3, "Buy", "90", "1"),
      market(2, "Sell", "3"),
    );
    expect(fills(evs).map((f) => f.price)).toEqual([P("100"), P("90")]);
    expect(last(evs)).toMatchObject({
      status: "Cancelled",
      reason: "market-unfilled",
      filled_qty: Q("2"),
      cancelled_qty: Q("1"),
    });
    expect(m.book.size).toBe(0);
  });

  it("on an empty book is cancelled whole", () => {
    const [m, r] = fresh();
    const [evs] = run(m, r, market(2, "Sell", "3", { tif: "GTC" }));
    expect(evs).toEqual([
      expect.objectContaining({ status: "Cancelled", reason: "market-unfilled", filled_qty: 0n }),
    ]);
  });

  it("market buy stops before spending more than quote_limit; qty stays on the lot", () => {
    const [m, r] = fresh();
    // 1 BTC at 100 and 1 BTC at 200; budget 250 USDT buys 1 at 100 then 0.75 at 200
    const [, , evs] = run(
      m,
      r,
      limit(1, "Sell", "100", "1"),
      limit(1, "Sell", "200", "1"),
      market(2, "Buy", "5", { quote_limit: USDT("250.001") }),
    );
    expect(fills(evs).map((f) => [f.price, f.qty, f.quote_qty])).toEqual([
      [P("100"), Q("1"), USDT("100")],
      [P("200"), Q("0.75"), USDT("150")],
    ]);
    expect(last(evs)).toMatchObject({
      status: "Cancelled",
      reason: "market-unfilled",
      filled_qty: Q("1.75"),
      cancelled_qty: Q("3.25"),
    });
    // the partly taken maker keeps the rest
    expect(m.snapshot().asks[0].orders[0].remaining).toBe(Q("0.25"));
  });

  it("market buy budget boundary: one minor unit short buys one lot less", () => {
    const [m, r] = fresh();
    const [, short, exact] = run(
      m,
      r,
      limit(1, "Sell", "100", "2"),
      market(2, "Buy", "1", { quote_limit: USDT("100") - 1n }),
      market(3, "Buy", "1", { quote_limit: USDT("100") }),
    );
    expect(fills(short).map((f) => [f.qty, f.quote_qty])).toEqual([[Q("0.99999"), USDT("99.999")]]);
    expect(last(short)).toMatchObject({
      status: "Cancelled",
      reason: "market-unfilled",
      cancelled_qty: Q("0.00001"),
    });
    expect(fills(exact).map((f) => [f.qty, f.quote_qty])).toEqual([[Q("1"), USDT("100")]]);
    expect(last(exact)).toMatchObject({ status: "Filled" });
  });

  it("market buy whose budget cannot pay one lot does not trade", () => {
    const [m, r] = fresh();
    const [, evs] = run(
      m,
      r,
      limit(1, "Sell", "50000", "1"),
      market(2, "Buy", "1", { quote_limit: USDT("0.49") }),
    );
    // one lot (0.00001 BTC) at 50000 costs 0.5 USDT
    expect(evs).toEqual([
      expect.objectContaining({ status: "Cancelled", reason: "market-unfilled", filled_qty: 0n }),
    ]);
  });

  it("market buy filled by qty before the budget runs out is Filled", () => {
    const [m, r] = fresh();
    const [, evs] = run(
      m,
      r,
      limit(1, "Sell", "100", "5"),
      market(2, "Buy", "1", { quote_limit: USDT("1000") }),
    );
    expect(last(evs)).toMatchObject({ status: "Filled", filled_qty: Q("1") });
  });

  it("quote_limit is required for market buys and refused elsewhere; market orders take no price", () => {
    const [m, r] = fresh();
    const evs = run(
      m,
      r,
      market(2, "Buy", "1"),
      market(2, "Buy", "1", { quote_limit: 0n }),
      market(2, "Sell", "1", { quote_limit: USDT("1") }),
      limit(2, "Buy", "1", "1", { quote_limit: USDT("1") }),
      market(2, "Sell", "1", { price: P("1") }),
    );
    expect(evs.map((e) => (last(e) as OrderEvent).reason)).toEqual([
      "invalid-quote-limit",
      "invalid-quote-limit",
      "invalid-quote-limit",
      "invalid-quote-limit",
      "invalid-price",
    ]);
  });
});

describe("self-trade prevention", () => {
  it("fills other users ahead of the own order, then cancels the taker's remainder (stp)", () => {
    const [m, r] = fresh();
    const own = limit(2, "Sell", "100", "1");
    const [, , evs] = run(m, r, limit(1, "Sell", "100", "1"), own, limit(2, "Buy", "100", "3"));
    expect(fills(evs)).toHaveLength(1);
    expect(fills(evs)[0]).toMatchObject({ maker_user_id: 1 });
    expect(last(evs)).toMatchObject({
      status: "Cancelled",
      reason: "stp",
      filled_qty: Q("1"),
      cancelled_qty: Q("2"),
    });
    // the own resting order is untouched and the taker did not rest
    expect(m.snapshot().asks).toEqual([
      { price: P("100"), orders: [{ order_id: own.order_id, user_id: 2, qty: Q("1"), remaining: Q("1") }] },
    ]);
    expect(m.bestBid()).toBe(null);
  });

  it("own order at the top: nothing trades", () => {
    const [m, r] = fresh();
    const [, , evs] = run(
      m,
      r,
      limit(2, "Sell", "100", "1"),
      limit(1, "Sell", "101", "1"),
      market(2, "Buy", "1", {
        quote_limit: USDT("1000"),
      }),
    );
    expect(evs).toEqual([expect.objectContaining({ status: "Cancelled", reason: "stp", filled_qty: 0n })]);
  });

  it("an own order that does not cross does not matter", () => {
    const [m, r] = fresh();
    const [, , evs] = run(
      m,
      r,
      limit(2, "Sell", "101", "1"),
      limit(1, "Sell", "100", "1"),
      limit(2, "Buy", "100", "2"),
    );
    expect(last(evs)).toMatchObject({ status: "PartiallyFilled", filled_qty: Q("1") });
  });

  it("IOC and market sells stop at own orders with reason stp", () => {
    const [m, r] = fresh();
    const [, e1, e2] = run(
      m,
      r,
      limit(2, "Buy", "100", "1"),
      limit(2, "Sell", "99", "1", { tif: "IOC" }),
      market(2, "Sell", "1"),
    );
    expect(last(e1)).toMatchObject({ status: "Cancelled", reason: "stp" });
    expect(last(e2)).toMatchObject({ status: "Cancelled", reason: "stp" });
  });
});

describe("cancel", () => {
  it("cancels a resting order (after a partial fill) and frees its level", () => {
    const [m, r] = fresh();
    const ask = limit(1, "Sell", "100", "3");
    const [, , evs] = run(m, r, ask, limit(2, "Buy", "100", "1"), {
      type: "cancel",
      order_id: ask.order_id,
      user_id: 1,
    });
    expect(evs).toEqual([
      {
        type: "order",
        order_id: ask.order_id,
        user_id: 1,
        side: "Sell",
        status: "Cancelled",
        reason: "user",
        filled_qty: Q("1"),
        remaining_qty: 0n,
        cancelled_qty: Q("2"),
      },
    ]);
    expect(m.book.size).toBe(0);
    expect(m.bestAsk()).toBe(null);
  });

  it("unknown, already terminal, twice, or another user's: rejected, nothing changes", () => {
    const [m, r] = fresh();
    const a = limit(1, "Sell", "100", "1");
    const b = limit(1, "Sell", "101", "1");
    const evs = run(
      m,
      r,
      a,
      b,
      limit(2, "Buy", "100", "1"), // fills a
      { type: "cancel", order_id: 999_999n, user_id: 1 },
      { type: "cancel", order_id: a.order_id, user_id: 1 },
      { type: "cancel", order_id: b.order_id, user_id: 2 },
      { type: "cancel", order_id: b.order_id, user_id: 1 },
      { type: "cancel", order_id: b.order_id, user_id: 1 },
    );
    expect(
      evs.slice(3).map((e) => e.map((x) => (x.type === "reject" ? `reject:${x.reason}` : `${x.type}`))),
    ).toEqual([
      ["reject:unknown-order"],
      ["reject:unknown-order"],
      ["reject:not-owner"],
      ["order"],
      ["reject:unknown-order"],
    ]);
    expect(evs[3][0]).toEqual({
      type: "reject",
      command: "cancel",
      order_id: 999_999n,
      user_id: 1,
      reason: "unknown-order",
    });
  });
});

describe("duplicates and validation", () => {
  it("a reused order id is rejected whether live, terminal or rejected, and changes nothing", () => {
    const [m, r] = fresh();
    const live = limit(1, "Buy", "100", "1");
    const bad = limit(1, "Buy", "100", "1", { price: P("100") + 1n }); // off the tick
    const before: string[] = [];
    const evs = run(m, r, live, bad);
    expect(last(evs[1])).toMatchObject({ status: "Rejected", reason: "invalid-price" });
    before.push(m.stateHash());
    for (const dup of [
      { ...live, side: "Sell" as const },
      { ...bad, price: P("100") },
      { ...live, order_type: "Market" as const, price: null },
    ]) {
      const [e] = run(m, r, dup);
      expect(e).toEqual([
        { type: "reject", command: "place", order_id: dup.order_id, user_id: 1, reason: "duplicate" },
      ]);
    }
    expect(m.stateHash()).toBe(before[0]);
  });

  it("string order ids work and are distinct from bigint ids", () => {
    const [m, r] = fresh();
    const evs = run(
      m,
      r,
      { ...limit(1, "Buy", "100", "1"), order_id: "7" },
      { ...limit(1, "Buy", "100", "1"), order_id: 7n },
      { ...limit(1, "Buy", "100", "1"), order_id: "7" },
      { type: "cancel", order_id: "7", user_id: 1 },
    );
    expect(
      evs.map(([e]) => (e.type === "order" ? e.status : e.type === "reject" ? e.reason : e.type)),
    ).toEqual(["New", "New", "duplicate", "Cancelled"]);
    expect(m.snapshot().bids[0].orders.map((o) => o.order_id)).toEqual([7n]);
  });

  it.each([
    ["qty zero", { qty: 0n }, "invalid-qty"],
    ["qty negative", { qty: -1000n }, "invalid-qty"],
    ["qty off the lot", { qty: 1001n }, "invalid-qty"],
    ["qty beyond int64", { qty: 2n ** 63n }, "invalid-qty"],
    ["price missing", { price: null }, "invalid-price"],
    ["price zero", { price: 0n }, "invalid-price"],
    ["price negative", { price: -1_000_000n }, "invalid-price"],
    ["price off the tick", { price: 1_000_001n }, "invalid-price"],
    ["price beyond int64", { price: 2n ** 63n }, "invalid-price"],
    ["unknown side", { side: "Long" }, "invalid-flags"],
    ["unknown type", { order_type: "Stop" }, "invalid-flags"],
    ["unknown tif", { tif: "GTD" }, "invalid-flags"],
    ["post_only not boolean", { post_only: "yes" }, "invalid-flags"],
  ] as const)("%s -> Rejected %s", (_name, patch, reason) => {
    const [m, r] = fresh();
    const c = { ...limit(1, "Buy", "100", "1"), ...patch } as unknown as PlaceCommand;
    const [evs] = run(m, r, c);
    expect(evs).toEqual([
      expect.objectContaining({
        type: "order",
        status: "Rejected",
        reason,
        filled_qty: 0n,
        remaining_qty: 0n,
      }),
    ]);
    expect(m.book.size).toBe(0);
  });

  it("throws on an unknown command type", () => {
    expect(() => new Matcher(cfg).apply({ type: "amend" } as unknown as Command)).toThrow(
      /unknown command type/,
    );
  });

  it("refuses a config whose quote costs would not be exact", () => {
    expect(() => new Matcher({ tick: 1n, lot: 1n, baseDecimals: 8 })).toThrow(/not a multiple/);
    expect(() => new Matcher({ tick: 0n, lot: 1n, baseDecimals: 0 })).toThrow(/tick/);
  });
});

describe("snapshots", () => {
  it("round-trip: a restored matcher has the same hash and behaves identically", () => {
    const [m, r] = fresh();
    run(
      m,
      r,
      limit(1, "Sell", "100", "3"),
      limit(2, "Sell", "100", "1"),
      limit(3, "Sell", "101", "1"),
      limit(2, "Buy", "99", "1"),
      limit(4, "Buy", "98", "1"),
      limit(4, "Buy", "100", "1"),
    );
    const snap = m.snapshot();
    const copy = Matcher.fromSnapshot(cfg, snap);
    expect(copy.snapshot()).toEqual(snap);
    expect(copy.stateHash()).toBe(m.stateHash());
    expect(hashSnapshot(r.snapshot())).toBe(m.stateHash());
    const next = [limit(5, "Buy", "101", "4"), limit(5, "Sell", "97", "2"), limit(6, "Buy", "100", "1")];
    for (const c of next) expect(copy.apply(c)).toEqual(m.apply(c));
    expect(copy.stateHash()).toBe(m.stateHash());
  });

  it("the hash changes with the state and is stable", () => {
    const m = new Matcher(cfg);
    const h0 = m.stateHash();
    expect(h0).toMatch(/^[0-9a-f]{16}$/);
    m.apply({ ...limit(1, "Sell", "100", "3"), order_id: 1n });
    const h1 = m.stateHash();
    expect(h1).not.toBe(h0);
    const m2 = new Matcher(cfg);
    m2.apply({ ...limit(1, "Sell", "100", "3"), order_id: 1n });
    expect(m2.stateHash()).toBe(h1);
  });

  it("rejects inconsistent snapshots", () => {
    const base = {
      version: 1 as const,
      next_trade_id: 1n,
      seen_order_ids: [1n, 2n],
      bids: [{ price: P("100"), orders: [{ order_id: 1n, user_id: 1, qty: Q("1"), remaining: Q("1") }] }],
      asks: [{ price: P("100"), orders: [{ order_id: 2n, user_id: 2, qty: Q("1"), remaining: Q("1") }] }],
    };
    expect(() => Matcher.fromSnapshot(cfg, base)).toThrow(/crossed/);
    expect(() => Matcher.fromSnapshot(cfg, { ...base, seen_order_ids: [1n] })).toThrow(/not in seen/);
    expect(() =>
      Matcher.fromSnapshot(cfg, {
        ...base,
        asks: [{ price: P("101"), orders: [{ order_id: 2n, user_id: 2, qty: 1n, remaining: 1n }] }],
      }),
    ).toThrow(/invalid qty/);
  });
});

describe("unusual book configs (the slow bigint paths)", () => {
  it("ticks and lots beyond 2^53 behave like small ones", () => {
    const big = { tick: 2n ** 60n, lot: 3n, baseDecimals: 0 };
    const m = new Matcher(big);
    const r = new ReferenceMatcher(big);
    const q = 3n * 2n ** 55n; // > 2^53, on the lot
    const cmds: Command[] = [
      {
        type: "place",
        order_id: 1n,
        user_id: 1,
        side: "Sell",
        order_type: "Limit",
        price: 2n ** 61n,
        qty: q,
      },
      {
        type: "place",
        order_id: 2n,
        user_id: 1,
        side: "Sell",
        order_type: "Limit",
        price: 2n ** 60n,
        qty: 3n,
      },
      {
        type: "place",
        order_id: 3n,
        user_id: 2,
        side: "Buy",
        order_type: "Limit",
        price: 2n ** 61n,
        qty: q + 3n,
      },
      {
        type: "place",
        order_id: 4n,
        user_id: 2,
        side: "Buy",
        order_type: "Limit",
        price: 2n ** 60n + 1n,
        qty: 3n,
      },
      {
        type: "place",
        order_id: 5n,
        user_id: 2,
        side: "Buy",
        order_type: "Limit",
        price: 2n ** 60n,
        qty: q + 1n,
      },
    ];
    const evs = cmds.map((c) => {
      const e = m.apply(c);
      expect(r.apply(c)).toEqual(e);
      return e;
    });
    expect(fills(evs[2]).map((f) => [f.price, f.qty, f.quote_qty])).toEqual([
      [2n ** 60n, 3n, 3n * 2n ** 60n],
      [2n ** 61n, q, q * 2n ** 61n],
    ]);
    expect(last(evs[3])).toMatchObject({ status: "Rejected", reason: "invalid-price" });
    expect(last(evs[4])).toMatchObject({ status: "Rejected", reason: "invalid-qty" });
    expect(m.snapshot()).toEqual(r.snapshot());
  });
});
