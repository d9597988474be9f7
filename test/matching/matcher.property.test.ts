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

/** Cheap assertions for the per-event checks (vitest's expect is too slow for millions of them). */
function eq(actual: unknown, expected: unknown, where: string | (() => string)): void {
  if (!Object.is(actual, expected)) {
    throw new Error(
      `${typeof where === "string" ? where : where()}: expected ${String(expected)}, got ${String(actual)}`,
    );
  }
}
function ne(actual: unknown, unexpected: unknown, where: string | (() => string)): void {
  if (Object.is(actual, unexpected)) {
    throw new Error(`${typeof where === "string" ? where : where()}: did not expect ${String(unexpected)}`);
  }
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
      eq(cmd.type, "place", where);
      const c = cmd as PlaceCommand;
      const maker = orders.get(e.maker_order_id);
      ne(maker, undefined, where);
      if (maker === undefined) return;
      // every fill at the maker's price; never a self trade; on the lot; quote exact
      eq(e.price, maker.cmd.price, where);
      eq(maker.terminal, null, where);
      eq(maker.rests, true, where);
      eq(e.maker_user_id, maker.cmd.user_id, where);
      eq(e.taker_order_id, c.order_id, where);
      eq(e.taker_user_id, c.user_id, where);
      eq(e.taker_side, c.side, where);
      ne(e.maker_user_id, e.taker_user_id, where);
      ne(maker.cmd.side, c.side, where);
      eq(e.qty > 0n && e.qty % sym.lot === 0n, true, where);
      eq(e.quote_qty, quoteCost(e.price, e.qty, bd), where);
      eq(e.trade_id, trades.next, where);
      trades.next++;
      if (c.order_type === "Limit") {
        eq(c.side === "Buy" ? e.price <= c.price! : e.price >= c.price!, true, where);
      }
      eq(c.post_only === true, false, where);
      maker.filled += e.qty;
      maker.quote += e.quote_qty;
      eq(e.maker_remaining, maker.cmd.qty - maker.filled, where);
      fillQty += e.qty;
      fillQuote += e.quote_qty;
      eq(e.taker_remaining, c.qty - fillQty, where);
    } else if (e.type === "order") {
      let t = orders.get(e.order_id);
      if (cmd.type === "place" && e.order_id === cmd.order_id) {
        takerOrderEvents++;
        eq(t, undefined, where);
        t = { cmd, filled: fillQty, quote: fillQuote, terminal: null, rests: false };
        orders.set(cmd.order_id, t);
      }
      ne(t, undefined, where);
      if (t === undefined) return;
      eq(t.terminal, null, () => `${where()}: event after terminal`);
      eq(e.user_id, t.cmd.user_id, where);
      eq(e.side, t.cmd.side, where);
      // quantity conservation
      eq(e.filled_qty, t.filled, where);
      eq(e.filled_qty + e.remaining_qty + e.cancelled_qty, t.cmd.qty, where);
      if (TERMINAL.has(e.status)) {
        eq(e.remaining_qty, 0n, where);
        t.terminal = e.status;
        t.rests = false;
        if (e.status === "Filled") eq(e.cancelled_qty, 0n, where);
        if (e.status === "Rejected") eq(e.filled_qty, 0n, where);
        eq(e.reason === null, e.status === "Filled", where);
      } else {
        eq(e.reason, null, where);
        eq(e.cancelled_qty, 0n, where);
        eq(e.remaining_qty > 0n, true, where);
        eq(e.status, e.filled_qty === 0n ? "New" : "PartiallyFilled", where);
        // only Limit GTC rests
        eq(t.cmd.order_type === "Limit" && (t.cmd.tif ?? "GTC") === "GTC", true, where);
        t.rests = true;
      }
      if (e.reason === "user") eq(cmd.type, "cancel", where);
      // FOK: all or nothing
      if ((t.cmd.tif ?? "GTC") === "FOK") eq(e.filled_qty === 0n || e.filled_qty === t.cmd.qty, true, where);
    } else {
      // command rejections never change anything
      eq(e.order_id, cmd.order_id, where);
      eq(e.command, cmd.type, where);
    }
  }
  if (cmd.type === "place") {
    const dup = evs.length === 1 && evs[0].type === "reject";
    eq(dup || takerOrderEvents === 1, true, () => `${where()}: one order event for the taker`);
    if (!dup) {
      const t = orders.get(cmd.order_id)!;
      t.quote = fillQuote;
      // a market buy never spends more than its quote_limit
      if (cmd.order_type === "Market" && cmd.side === "Buy") eq(fillQuote <= cmd.quote_limit!, true, where);
      // ... and stops only when it must: with asks left, what remains of the budget cannot pay
      // one lot at the best ask
      const final = evs[evs.length - 1];
      const ba = m.bestAsk();
      const bb = m.bestBid();
      if (final.type === "order" && final.reason === "market-unfilled") {
        if (cmd.side === "Buy") {
          if (ba !== null) eq(cmd.quote_limit! - fillQuote < quoteCost(ba, sym.lot, bd), true, where);
        } else {
          eq(bb, null, where);
        }
      }
      // IOC leftovers are cancelled only when nothing crossing is left
      if (final.type === "order" && final.reason === "ioc") {
        if (cmd.side === "Buy") eq(ba === null || ba > cmd.price!, true, where);
        else eq(bb === null || bb < cmd.price!, true, where);
      }
    }
  } else {
    eq(evs.length, 1, where);
  }
  // the book is never crossed
  const bb = m.bestBid();
  const ba = m.bestAsk();
  if (bb !== null && ba !== null) eq(bb < ba, true, () => `${where()}: crossed book ${bb} >= ${ba}`);
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
        runFlow(sym, toCommands(ops, sym), 7);
      }),
      { numRuns: 400 },
    );
  }, 180_000);

  it("same with 2 users (self-trade prevention everywhere)", () => {
    fc.assert(
      fc.property(
        symArb,
        fc.array(opArb(fc.integer({ min: 1, max: 2 })), { maxLength: 120, size: "max" }),
        (sym, ops) => {
          runFlow(sym, toCommands(ops, sym), 7);
        },
      ),
      { numRuns: 200 },
    );
  }, 180_000);

  it("same on long flows (deep books)", () => {
    fc.assert(
      fc.property(symArb, fc.array(opArb(), { minLength: 300, maxLength: 1500, size: "max" }), (sym, ops) => {
        runFlow(sym, toCommands(ops, sym), 50);
      }),
      { numRuns: 25 },
    );
  }, 180_000);

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
  }, 180_000);

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
  }, 180_000);
});
