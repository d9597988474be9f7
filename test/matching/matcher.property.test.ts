import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quoteCost } from "../../engine/domain/money.ts";
import { BTC_USDT, ETH_USDT, type SymbolInfo } from "../../engine/domain/symbols.ts";
import { bookConfigOf, hashSnapshot, Matcher } from "../../engine/matching/matcher.ts";
import type { Command, MatchEvent, OrderId, PlaceCommand } from "../../engine/matching/types.ts";
import { opArb, toCommands } from "./flow.ts";
import { ReferenceMatcher } from "./reference-matcher.ts";

interface Tracked {
  cmd: PlaceCommand;
  filled: bigint;
  quote: bigint;
  /** null while resting; the terminal status once reached. */
  terminal: string | null;
  rests: boolean;
}

const TERMINAL = new Set(["Filled", "Cancelled", "Rejected"]);
const symArb = fc.constantFrom(BTC_USDT, ETH_USDT);

/**
 * Checks every invariant of one command's events against an independent model of the orders
 * (built from the commands and events alone, not from either matcher's internals).
 */
function checkStep(
  sym: SymbolInfo,
  m: Matcher,
  cmd: Command,
  evs: MatchEvent[],
  orders: Map<OrderId, Tracked>,
  trades: { next: bigint },
): void {
  const bd = sym.base.decimals;
  const where = () => `after ${JSON.stringify(cmd, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`;
  let takerOrderEvents = 0;
  let fillQty = 0n;
  let fillQuote = 0n;
  for (const e of evs) {
    if (e.type === "fill") {
      expect(cmd.type, where()).toBe("place");
      const c = cmd as PlaceCommand;
      const maker = orders.get(e.maker_order_id);
      expect(maker, where()).toBeDefined();
      if (maker === undefined) return;
      // every fill at the maker's price; never a self trade; on the lot; quote exact
      expect(e.price, where()).toBe(maker.cmd.price);
      expect(maker.terminal, where()).toBe(null);
      expect(maker.rests, where()).toBe(true);
      expect(e.maker_user_id, where()).toBe(maker.cmd.user_id);
      expect(e.taker_order_id, where()).toBe(c.order_id);
      expect(e.taker_user_id, where()).toBe(c.user_id);
      expect(e.taker_side, where()).toBe(c.side);
      expect(e.maker_user_id, where()).not.toBe(e.taker_user_id);
      expect(maker.cmd.side, where()).not.toBe(c.side);
      expect(e.qty > 0n && e.qty % sym.lot === 0n, where()).toBe(true);
      expect(e.quote_qty, where()).toBe(quoteCost(e.price, e.qty, bd));
      expect(e.trade_id, where()).toBe(trades.next);
      trades.next++;
      if (c.order_type === "Limit") {
        expect(c.side === "Buy" ? e.price <= c.price! : e.price >= c.price!, where()).toBe(true);
      }
      expect(c.post_only === true, where()).toBe(false);
      maker.filled += e.qty;
      maker.quote += e.quote_qty;
      expect(e.maker_remaining, where()).toBe(maker.cmd.qty - maker.filled);
      fillQty += e.qty;
      fillQuote += e.quote_qty;
      expect(e.taker_remaining, where()).toBe(c.qty - fillQty);
    } else if (e.type === "order") {
      let t = orders.get(e.order_id);
      if (cmd.type === "place" && e.order_id === cmd.order_id) {
        takerOrderEvents++;
        expect(t, where()).toBeUndefined();
        t = { cmd, filled: fillQty, quote: fillQuote, terminal: null, rests: false };
        orders.set(cmd.order_id, t);
      }
      expect(t, where()).toBeDefined();
      if (t === undefined) return;
      expect(t.terminal, `${where()}: event after terminal`).toBe(null);
      expect(e.user_id, where()).toBe(t.cmd.user_id);
      expect(e.side, where()).toBe(t.cmd.side);
      // quantity conservation
      expect(e.filled_qty, where()).toBe(t.filled);
      expect(e.filled_qty + e.remaining_qty + e.cancelled_qty, where()).toBe(t.cmd.qty);
      if (TERMINAL.has(e.status)) {
        expect(e.remaining_qty, where()).toBe(0n);
        t.terminal = e.status;
        t.rests = false;
        if (e.status === "Filled") expect(e.cancelled_qty, where()).toBe(0n);
        if (e.status === "Rejected") expect(e.filled_qty, where()).toBe(0n);
        expect(e.reason === null, where()).toBe(e.status === "Filled");
      } else {
        expect(e.reason, where()).toBe(null);
        expect(e.cancelled_qty, where()).toBe(0n);
        expect(e.remaining_qty > 0n, where()).toBe(true);
        expect(e.status, where()).toBe(e.filled_qty === 0n ? "New" : "PartiallyFilled");
        // only Limit GTC rests
        expect(t.cmd.order_type === "Limit" && (t.cmd.tif ?? "GTC") === "GTC", where()).toBe(true);
        t.rests = true;
      }
      if (e.reason === "user") expect(cmd.type, where()).toBe("cancel");
      // FOK: all or nothing
      if ((t.cmd.tif ?? "GTC") === "FOK")
        expect(e.filled_qty === 0n || e.filled_qty === t.cmd.qty, where()).toBe(true);
    } else {
      // command rejections never change anything
      expect(e.order_id, where()).toBe(cmd.order_id);
      expect(e.command, where()).toBe(cmd.type);
    }
  }
  if (cmd.type === "place") {
    const dup = evs.length === 1 && evs[0].type === "reject";
    expect(dup || takerOrderEvents === 1, `${where()}: one order event for the taker`).toBe(true);
    if (!dup) {
      const t = orders.get(cmd.order_id)!;
      t.quote = fillQuote;
      // a market buy never spends more than its quote_limit
      if (cmd.order_type === "Market" && cmd.side === "Buy")
        expect(fillQuote <= cmd.quote_limit!, where()).toBe(true);
    }
  } else {
    expect(evs.length, where()).toBe(1);
  }
  // the book is never crossed
  const bb = m.bestBid();
  const ba = m.bestAsk();
  if (bb !== null && ba !== null) expect(bb < ba, `${where()}: crossed book ${bb} >= ${ba}`).toBe(true);
}

function runFlow(sym: SymbolInfo, cmds: Command[], compareSnapshotsEvery: number): void {
  const cfg = bookConfigOf(sym);
  const m = new Matcher(cfg);
  const ref = new ReferenceMatcher(cfg);
  const orders = new Map<OrderId, Tracked>();
  const trades = { next: 1n };
  cmds.forEach((cmd, i) => {
    const evs = m.apply(cmd);
    const refEvs = ref.apply(cmd);
    expect(evs, `command #${i}`).toEqual(refEvs);
    checkStep(sym, m, cmd, evs, orders, trades);
    if (i % compareSnapshotsEvery === 0) expect(m.snapshot(), `command #${i}`).toEqual(ref.snapshot());
  });
  const snap = m.snapshot();
  expect(snap).toEqual(ref.snapshot());
  expect(m.stateHash()).toBe(hashSnapshot(ref.snapshot()));
  // exactly the non-terminal orders rest, with the remaining quantities the events imply
  const resting = new Map<OrderId, bigint>();
  for (const l of [...snap.bids, ...snap.asks])
    for (const o of l.orders) resting.set(o.order_id, o.remaining);
  for (const [id, t] of orders) {
    if (t.terminal === null) {
      expect(t.rests).toBe(true);
      expect(resting.get(id)).toBe(t.cmd.qty - t.filled);
    } else {
      expect(resting.has(id)).toBe(false);
    }
  }
  expect(resting.size).toBe([...orders.values()].filter((t) => t.terminal === null).length);
}

describe("matcher vs reference on random flows", () => {
  it("identical events and snapshots; all invariants hold (short flows, 4 users)", () => {
    fc.assert(
      fc.property(symArb, fc.array(opArb(), { maxLength: 120, size: "max" }), (sym, ops) => {
        runFlow(sym, toCommands(ops, sym), 1);
      }),
      { numRuns: 600 },
    );
  });

  it("same with 2 users (self-trade prevention everywhere)", () => {
    fc.assert(
      fc.property(
        symArb,
        fc.array(opArb(fc.integer({ min: 1, max: 2 })), { maxLength: 120, size: "max" }),
        (sym, ops) => {
          runFlow(sym, toCommands(ops, sym), 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("same on long flows (deep books)", () => {
    fc.assert(
      fc.property(symArb, fc.array(opArb(), { minLength: 300, maxLength: 1500, size: "max" }), (sym, ops) => {
        runFlow(sym, toCommands(ops, sym), 50);
      }),
      { numRuns: 25 },
    );
  });

  it("a matcher restored from a snapshot mid-flow continues identically", () => {
    fc.assert(
      fc.property(symArb, fc.array(opArb(), { maxLength: 150, size: "max" }), fc.nat(), (sym, ops, cut) => {
        const cmds = toCommands(ops, sym);
        const k = cmds.length === 0 ? 0 : cut % cmds.length;
        const cfg = bookConfigOf(sym);
        const a = new Matcher(cfg);
        for (const c of cmds.slice(0, k)) a.apply(c);
        const b = Matcher.fromSnapshot(cfg, a.snapshot());
        expect(b.stateHash()).toBe(a.stateHash());
        for (const c of cmds.slice(k)) expect(b.apply(c)).toEqual(a.apply(c));
        expect(b.stateHash()).toBe(a.stateHash());
      }),
      { numRuns: 200 },
    );
  });

  it("is deterministic: the same flow twice gives the same events and hash", () => {
    fc.assert(
      fc.property(symArb, fc.array(opArb(), { maxLength: 150, size: "max" }), (sym, ops) => {
        const cmds = toCommands(ops, sym);
        const a = new Matcher(bookConfigOf(sym));
        const b = new Matcher(bookConfigOf(sym));
        expect(cmds.map((c) => b.apply(c))).toEqual(cmds.map((c) => a.apply(c)));
        expect(b.stateHash()).toBe(a.stateHash());
      }),
      { numRuns: 100 },
    );
  });
});
