/**
 * A deliberately naive second implementation of the matching rules in
 * engine/matching/matcher.ts, used ONLY by tests. No clever structures: the resting orders are
 * one array, the best maker is found by filtering and sorting on every step, a FOK is tried on
 * a copy of the book and kept only if it filled completely, a market buy's affordable quantity
 * is found by taking lots away one at a time. Slow and obvious on purpose: the property tests
 * require both implementations to produce identical events and snapshots.
 */
import { quoteCost } from "../../engine/domain/money.ts";
import type {
  BookConfig,
  BookSnapshot,
  CancelReason,
  Command,
  LevelSnapshot,
  MatchEvent,
  OrderEvent,
  OrderId,
  PlaceCommand,
  RejectReason,
  Side,
  UserId,
} from "../../engine/matching/types.ts";

const INT64_MAX = 2n ** 63n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

interface RefOrder {
  id: OrderId;
  user: UserId;
  side: Side;
  price: bigint;
  qty: bigint;
  remaining: bigint;
  /** Arrival number: lower = earlier = higher time priority. */
  seq: number;
}

interface Taker {
  id: OrderId;
  user: UserId;
  side: Side;
  /** null = market (crosses any price). */
  limit: bigint | null;
  remaining: bigint;
  /** null = no quote bound. */
  budget: bigint | null;
}

function order(
  o: { id: OrderId; user: UserId; side: Side },
  status: OrderEvent["status"],
  reason: OrderEvent["reason"],
  filled: bigint,
  remaining: bigint,
  cancelled: bigint,
): OrderEvent {
  return {
    type: "order",
    order_id: o.id,
    user_id: o.user,
    side: o.side,
    status,
    reason,
    filled_qty: filled,
    remaining_qty: remaining,
    cancelled_qty: cancelled,
  };
}

export class ReferenceMatcher {
  readonly config: BookConfig;
  orders: RefOrder[] = [];
  seen: OrderId[] = [];
  nextTradeId = 1n;
  arrivals = 0;

  constructor(config: BookConfig) {
    this.config = config;
  }

  apply(cmd: Command): MatchEvent[] {
    const events: MatchEvent[] = [];
    if (cmd.type === "cancel") {
      const o = this.orders.find((x) => x.id === cmd.order_id);
      if (o === undefined) {
        events.push({
          type: "reject",
          command: "cancel",
          order_id: cmd.order_id,
          user_id: cmd.user_id,
          reason: "unknown-order",
        });
      } else if (o.user !== cmd.user_id) {
        events.push({
          type: "reject",
          command: "cancel",
          order_id: cmd.order_id,
          user_id: cmd.user_id,
          reason: "not-owner",
        });
      } else {
        this.orders = this.orders.filter((x) => x !== o);
        events.push(order(o, "Cancelled", "user", o.qty - o.remaining, 0n, o.remaining));
      }
      return events;
    }
    this.place(cmd, events);
    return events;
  }

  private validate(c: PlaceCommand): RejectReason | null {
    const { tick, lot } = this.config;
    const tif = c.tif ?? "GTC";
    const postOnly = c.post_only ?? false;
    const price = c.price ?? null;
    const quoteLimit = c.quote_limit ?? null;
    const flagsOk =
      ["Buy", "Sell"].includes(c.side) &&
      ["Limit", "Market"].includes(c.order_type) &&
      ["GTC", "IOC", "FOK"].includes(tif) &&
      (postOnly === false || (postOnly === true && c.order_type === "Limit" && tif === "GTC"));
    if (!flagsOk) return "invalid-flags";
    if (typeof c.qty !== "bigint" || c.qty <= 0n || c.qty > INT64_MAX || c.qty % lot !== 0n)
      return "invalid-qty";
    if (c.order_type === "Limit") {
      if (
        typeof price !== "bigint" ||
        price <= 0n ||
        price > INT64_MAX ||
        price % tick !== 0n ||
        price / tick > MAX_SAFE
      ) {
        return "invalid-price";
      }
      if (quoteLimit !== null) return "invalid-quote-limit";
      return null;
    }
    if (price !== null) return "invalid-price";
    if (c.side === "Buy") {
      if (typeof quoteLimit !== "bigint" || quoteLimit <= 0n || quoteLimit > INT64_MAX)
        return "invalid-quote-limit";
    } else if (quoteLimit !== null) {
      return "invalid-quote-limit";
    }
    return null;
  }

  /** Does a resting order at `price` cross the taker's limit? */
  private static crosses(t: Taker, price: bigint): boolean {
    if (t.limit === null) return true;
    return t.side === "Buy" ? price <= t.limit : price >= t.limit;
  }

  /** The resting order the taker would meet next, or undefined. */
  private static bestMaker(orders: RefOrder[], t: Taker): RefOrder | undefined {
    const candidates = orders.filter((o) => o.side !== t.side && ReferenceMatcher.crosses(t, o.price));
    candidates.sort((a, b) => {
      if (a.price !== b.price) {
        const aBetter = t.side === "Buy" ? a.price < b.price : a.price > b.price;
        return aBetter ? -1 : 1;
      }
      return a.seq - b.seq;
    });
    return candidates[0];
  }

  /**
   * Matches the taker against `orders` (mutated), appending events; returns why it stopped
   * with quantity left ("stp"), or null.
   */
  private execute(
    orders: RefOrder[],
    t: Taker,
    events: MatchEvent[],
    tradeIds: { next: bigint },
  ): { stp: boolean } {
    const { lot, baseDecimals } = this.config;
    while (t.remaining > 0n) {
      const maker = ReferenceMatcher.bestMaker(orders, t);
      if (maker === undefined) return { stp: false };
      if (maker.user === t.user) return { stp: true };
      // the smaller of the two (Math.min does not take bigints)
      let take = maker.remaining;
      if (t.remaining < take) take = t.remaining;
      if (t.budget !== null) {
        while (take > 0n && quoteCost(maker.price, take, baseDecimals) > t.budget) take -= lot;
        if (take === 0n) return { stp: false };
      }
      const cost = quoteCost(maker.price, take, baseDecimals);
      if (t.budget !== null) t.budget -= cost;
      maker.remaining -= take;
      t.remaining -= take;
      events.push({
        type: "fill",
        trade_id: tradeIds.next,
        price: maker.price,
        qty: take,
        quote_qty: cost,
        taker_side: t.side,
        maker_order_id: maker.id,
        maker_user_id: maker.user,
        maker_remaining: maker.remaining,
        taker_order_id: t.id,
        taker_user_id: t.user,
        taker_remaining: t.remaining,
      });
      tradeIds.next += 1n;
      if (maker.remaining === 0n) {
        orders.splice(orders.indexOf(maker), 1);
        events.push(order(maker, "Filled", null, maker.qty, 0n, 0n));
      }
    }
    return { stp: false };
  }

  private place(c: PlaceCommand, events: MatchEvent[]): void {
    const me = { id: c.order_id, user: c.user_id, side: c.side };
    if (this.seen.includes(c.order_id)) {
      events.push({
        type: "reject",
        command: "place",
        order_id: c.order_id,
        user_id: c.user_id,
        reason: "duplicate",
      });
      return;
    }
    this.seen.push(c.order_id);
    const invalid = this.validate(c);
    if (invalid !== null) {
      events.push(order(me, "Rejected", invalid, 0n, 0n, typeof c.qty === "bigint" ? c.qty : 0n));
      return;
    }
    const isMarket = c.order_type === "Market";
    const tif = c.tif ?? "GTC";
    const makeTaker = (): Taker => ({
      id: c.order_id,
      user: c.user_id,
      side: c.side,
      limit: isMarket ? null : (c.price as bigint),
      remaining: c.qty,
      budget: isMarket && c.side === "Buy" ? (c.quote_limit as bigint) : null,
    });

    if (c.post_only) {
      const t = makeTaker();
      if (this.orders.some((o) => o.side !== c.side && ReferenceMatcher.crosses(t, o.price))) {
        events.push(order(me, "Rejected", "post-only-would-take", 0n, 0n, c.qty));
        return;
      }
    }
    if (tif === "FOK") {
      // Try it on a copy; keep the outcome only if everything filled.
      const copy = this.orders.map((o) => ({ ...o }));
      const trial = makeTaker();
      const r = this.execute(copy, trial, [], { next: this.nextTradeId });
      if (trial.remaining > 0n) {
        events.push(order(me, "Cancelled", r.stp ? "stp" : "fok", 0n, 0n, c.qty));
        return;
      }
    }

    const t = makeTaker();
    const ids = { next: this.nextTradeId };
    const r = this.execute(this.orders, t, events, ids);
    this.nextTradeId = ids.next;
    const filled = c.qty - t.remaining;
    if (t.remaining === 0n) {
      events.push(order(me, "Filled", null, c.qty, 0n, 0n));
      return;
    }
    let reason: CancelReason | null = null;
    if (r.stp) reason = "stp";
    else if (isMarket) reason = "market-unfilled";
    else if (tif === "IOC") reason = "ioc";
    else if (tif === "FOK") throw new Error("reference: FOK passed its trial but did not fill");
    if (reason !== null) {
      events.push(order(me, "Cancelled", reason, filled, 0n, t.remaining));
      return;
    }
    this.orders.push({
      ...me,
      price: c.price as bigint,
      qty: c.qty,
      remaining: t.remaining,
      seq: this.arrivals++,
    });
    events.push(order(me, filled === 0n ? "New" : "PartiallyFilled", null, filled, t.remaining, 0n));
  }

  snapshot(): BookSnapshot {
    const side = (s: Side): LevelSnapshot[] => {
      const mine = this.orders.filter((o) => o.side === s);
      const prices = [...new Set(mine.map((o) => o.price))].sort((a, b) => {
        const aFirst = s === "Buy" ? a > b : a < b;
        return aFirst ? -1 : 1;
      });
      return prices.map((price) => ({
        price,
        orders: mine
          .filter((o) => o.price === price)
          .sort((a, b) => a.seq - b.seq)
          .map((o) => ({ order_id: o.id, user_id: o.user, qty: o.qty, remaining: o.remaining })),
      }));
    };
    return {
      version: 1,
      next_trade_id: this.nextTradeId,
      seen_order_ids: [
        ...this.seen.filter((id) => typeof id === "bigint").sort((a, b) => (a < b ? -1 : 1)),
        ...this.seen.filter((id) => typeof id === "string").sort((a, b) => (a < b ? -1 : 1)),
      ],
      bids: side("Buy"),
      asks: side("Sell"),
    };
  }
}
