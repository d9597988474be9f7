/**
 * The matching core of one symbol: apply a command, get the resulting events in order.
 * Pure and synchronous: no I/O, no clock, no randomness, no floating point on amounts. The
 * Kafka-facing ME service (engine/me) wraps it, numbers the events with its per-symbol
 * `output_seq`, and restores books by replay or from `snapshot()` / `Matcher.fromSnapshot`.
 *
 * RULES (the reference implementation in test/matching/reference-matcher.ts states the same
 * rules the obvious way; property tests check that both agree event for event):
 *
 * Place, in this order:
 * 1. An order_id seen before (resting or terminal) -> `reject` event "duplicate"; nothing else
 *    happens. Otherwise the id is now used, even if the order is then rejected.
 * 2. Validation -> order event Rejected with "invalid-flags" (unknown side / order_type / tif;
 *    post_only on anything but Limit GTC), "invalid-qty" (qty not > 0, off the lot, or beyond
 *    int64), "invalid-price" (Limit: price not > 0, off the tick, beyond int64, or 2^53 ticks
 *    or more; Market: any price), "invalid-quote-limit" (Market Buy: missing or not > 0; anything else: present).
 * 3. Post-only: if the best opposite price crosses the limit price (even if the order there is
 *    the same user's) -> Rejected "post-only-would-take"; nothing trades.
 * 4. FOK (Limit or Market): walk the opposite side in price-time order without mutating,
 *    exactly as execution would: a resting order of the same user reached before the full qty
 *    is covered -> Cancelled "stp"; not enough crossing quantity (or, for a market buy, the
 *    quote_limit cannot pay for it) -> Cancelled "fok". Either way nothing trades. If the check
 *    passes, execution fills the whole qty.
 * 5. Matching, in price-time priority, against levels that cross (any level for Market):
 *    each fill is at the MAKER's price, for min(taker open, maker open); a maker filled
 *    completely is removed and gets an order event Filled right after its fill.
 *    - Self-trade prevention (cancel-taker): when the next resting order to match belongs to
 *      the taker's user, matching stops; fills before that point stand, the resting order is
 *      untouched, and the taker's remainder is Cancelled "stp" — for every order type and tif
 *      (a Limit GTC does not rest: resting would cross its own order).
 *    - Market buy: before each fill, if the fill's quote cost would exceed what is left of
 *      quote_limit, the fill shrinks to the most lots the rest of the budget pays for at that
 *      price; if that is zero lots, matching stops. Sum of quote_qty <= quote_limit, always.
 * 6. The taker's one order event: Filled if nothing is left; else Cancelled "stp" if STP
 *    stopped it; else Cancelled "market-unfilled" (Market, any tif: book exhausted or budget
 *    spent), "ioc" (Limit IOC); else (Limit GTC) it rests: New if nothing filled, else
 *    PartiallyFilled.
 *
 * Cancel: the resting order with that id -> order event Cancelled "user" (cancelled_qty = its
 * open qty). Not resting (unknown or already terminal) -> `reject` "unknown-order"; resting but
 * another user's -> `reject` "not-owner". A rejected cancel changes nothing.
 */
import { fitsInt64 } from "../domain/amount.ts";
import { maxQtyForQuote, quoteCost } from "../domain/money.ts";
import type { SymbolInfo } from "../domain/symbols.ts";
import { DUPLICATE } from "./id-tables.ts";
import { type BookSide, OrderBook, RestingOrder } from "./order-book.ts";
import type {
  BookConfig,
  BookSnapshot,
  CancelCommand,
  CancelReason,
  Command,
  CommandRejectReason,
  LevelSnapshot,
  MatchEvent,
  OrderEvent,
  OrderId,
  OrderStatus,
  PlaceCommand,
  RejectEvent,
  RejectReason,
  Side,
  UserId,
} from "./types.ts";

const INT64_MAX = 2n ** 63n - 1n;

/** min of two bigints (Math.min does not take bigints). */
function bmin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** The book parameters of a symbol from the symbol table. */
export function bookConfigOf(symbol: SymbolInfo): BookConfig {
  return { tick: symbol.tick, lot: symbol.lot, baseDecimals: symbol.base.decimals };
}

function validateConfig(c: BookConfig): void {
  if (typeof c.tick !== "bigint" || c.tick <= 0n)
    throw new RangeError(`book config: tick must be a positive bigint`);
  if (typeof c.lot !== "bigint" || c.lot <= 0n)
    throw new RangeError(`book config: lot must be a positive bigint`);
  if (!Number.isInteger(c.baseDecimals) || c.baseDecimals < 0 || c.baseDecimals > 38) {
    throw new RangeError(`book config: baseDecimals must be an integer in [0, 38]`);
  }
  // Every fill's quote cost must be exact: tick * lot must be a multiple of 10^baseDecimals.
  if ((c.tick * c.lot) % 10n ** BigInt(c.baseDecimals) !== 0n) {
    throw new RangeError(
      `book config: tick * lot is not a multiple of 10^baseDecimals; quote costs would not be exact`,
    );
  }
}

function orderEvent(
  order_id: OrderId,
  user_id: UserId,
  side: Side,
  status: OrderStatus,
  reason: CancelReason | RejectReason | null,
  filled_qty: bigint,
  remaining_qty: bigint,
  cancelled_qty: bigint,
): OrderEvent {
  return { type: "order", order_id, user_id, side, status, reason, filled_qty, remaining_qty, cancelled_qty };
}

function rejectEvent(
  command: "place" | "cancel",
  order_id: OrderId,
  user_id: UserId,
  reason: CommandRejectReason,
): RejectEvent {
  return { type: "reject", command, order_id, user_id, reason };
}

export class Matcher {
  readonly config: BookConfig;
  readonly book: OrderBook;
  private readonly lot: bigint;
  private readonly lotNum: number;
  private readonly baseDecimals: number;
  private nextTradeId = 1n;

  constructor(config: BookConfig) {
    validateConfig(config);
    this.config = { tick: config.tick, lot: config.lot, baseDecimals: config.baseDecimals };
    this.book = new OrderBook(config.tick);
    this.lot = config.lot;
    this.lotNum = Number(config.lot);
    this.baseDecimals = config.baseDecimals;
  }

  /**
   * Applies one command and returns its events in order (appended to `out` if given, which
   * lets a hot loop reuse one array).
   */
  apply(cmd: Command, out: MatchEvent[] = []): MatchEvent[] {
    if (cmd.type === "place") this.place(cmd, out);
    else if (cmd.type === "cancel") this.cancel(cmd, out);
    else throw new TypeError(`unknown command type ${JSON.stringify((cmd as { type: unknown }).type)}`);
    return out;
  }

  bestBid(): bigint | null {
    return this.book.bestBid();
  }

  bestAsk(): bigint | null {
    return this.book.bestAsk();
  }

  /** qty > 0, a multiple of the lot, within int64. */
  private validQty(qty: bigint): boolean {
    if (typeof qty !== "bigint") return false;
    // Fast path, no bigint comparison: Number(qty) is exact below 2^53 (and any larger bigint
    // converts to >= 2^53), and % on exact integer doubles is exact.
    const n = Number(qty);
    if (n > 0 && n <= 9007199254740991 && this.lotNum <= 9007199254740991) return n % this.lotNum === 0;
    return qty > 0n && qty <= INT64_MAX && qty % this.lot === 0n;
  }

  private place(c: PlaceCommand, out: MatchEvent[]): void {
    const id = c.order_id;
    const user = c.user_id;
    // Registers the id (used from now on, even if the order is rejected below).
    const slot = this.book.register(id);
    if (slot === DUPLICATE) {
      out.push(rejectEvent("place", id, user, "duplicate"));
      return;
    }

    const side = c.side;
    const qty = c.qty;
    const tif = c.tif ?? "GTC";
    const postOnly = c.post_only ?? false;
    const price = c.price ?? null;
    const quoteLimit = c.quote_limit ?? null;
    const isMarket = c.order_type === "Market";

    let invalid: RejectReason | null = null;
    let ticks = 0;
    if (
      (side !== "Buy" && side !== "Sell") ||
      (c.order_type !== "Limit" && !isMarket) ||
      (tif !== "GTC" && tif !== "IOC" && tif !== "FOK") ||
      (postOnly !== false && (postOnly !== true || isMarket || tif !== "GTC"))
    ) {
      invalid = "invalid-flags";
    } else if (!this.validQty(qty)) {
      invalid = "invalid-qty";
    } else if (!isMarket) {
      if (typeof price !== "bigint" || (ticks = this.book.ticksOf(price)) < 0) {
        invalid = "invalid-price";
      } else if (quoteLimit !== null) {
        invalid = "invalid-quote-limit";
      }
    } else if (price !== null) {
      invalid = "invalid-price";
    } else if (
      side === "Buy"
        ? typeof quoteLimit !== "bigint" || quoteLimit <= 0n || quoteLimit > INT64_MAX
        : quoteLimit !== null
    ) {
      invalid = "invalid-quote-limit";
    }
    if (invalid !== null) {
      out.push(orderEvent(id, user, side, "Rejected", invalid, 0n, 0n, typeof qty === "bigint" ? qty : 0n));
      return;
    }

    const book = this.book;
    const opp = side === "Buy" ? book.asks : book.bids;
    // A level of the opposite side crosses iff its key >= bound (keys: higher = better for its owner).
    const bound = isMarket ? Number.NEGATIVE_INFINITY : side === "Buy" ? -ticks : ticks;
    // A market buy is bounded by its quote_limit; `left` is what remains of it.
    const bounded = isMarket && side === "Buy";
    let left = bounded ? (quoteLimit as bigint) : 0n;

    if (postOnly) {
      const best = opp.best();
      if (best !== undefined && best.key >= bound) {
        out.push(orderEvent(id, user, side, "Rejected", "post-only-would-take", 0n, 0n, qty));
        return;
      }
    }
    if (tif === "FOK") {
      const why = this.fokCheck(opp, bound, user, qty, bounded ? left : -1n);
      if (why !== null) {
        out.push(orderEvent(id, user, side, "Cancelled", why, 0n, 0n, qty));
        return;
      }
    }

    let rem = qty;
    let stp = false;
    const bd = this.baseDecimals;
    outer: for (;;) {
      const lvl = opp.best();
      if (lvl === undefined || lvl.key < bound) break;
      const p = lvl.price;
      let m = lvl.head;
      while (m !== null) {
        if (m.user === user) {
          stp = true;
          break outer;
        }
        let take = bmin(m.remaining, rem);
        let cost = quoteCost(p, take, bd);
        let budgetBound = false;
        if (bounded && cost > left) {
          take = maxQtyForQuote(p, left, bd, this.lot);
          if (take === 0n) break outer;
          cost = quoteCost(p, take, bd);
          budgetBound = true;
        }
        m.remaining -= take;
        rem -= take;
        if (bounded) left -= cost;
        const tradeId = this.nextTradeId++;
        out.push({
          type: "fill",
          trade_id: tradeId,
          price: p,
          qty: take,
          quote_qty: cost,
          taker_side: side,
          maker_order_id: m.id,
          maker_user_id: m.user,
          maker_remaining: m.remaining,
          taker_order_id: id,
          taker_user_id: user,
          taker_remaining: rem,
        });
        const next = m.next;
        if (m.remaining === 0n) {
          book.remove(m);
          out.push(orderEvent(m.id, m.user, m.side, "Filled", null, m.qty, 0n, 0n));
        }
        if (rem === 0n || budgetBound) break outer;
        m = next;
      }
    }

    if (rem === 0n) {
      out.push(orderEvent(id, user, side, "Filled", null, qty, 0n, 0n));
    } else if (stp) {
      out.push(orderEvent(id, user, side, "Cancelled", "stp", qty - rem, 0n, rem));
    } else if (isMarket) {
      out.push(orderEvent(id, user, side, "Cancelled", "market-unfilled", qty - rem, 0n, rem));
    } else if (tif === "IOC") {
      out.push(orderEvent(id, user, side, "Cancelled", "ioc", qty - rem, 0n, rem));
    } else if (tif === "FOK") {
      throw new Error(`matcher invariant broken: FOK order ${String(id)} passed its check but did not fill`);
    } else {
      book.add(new RestingOrder(id, user, side, price as bigint, qty, rem), ticks, slot);
      out.push(orderEvent(id, user, side, rem === qty ? "New" : "PartiallyFilled", null, qty - rem, rem, 0n));
    }
  }

  /**
   * Would a FOK fill completely right now? Walks like execution, mutating nothing.
   * `budget`: what a market buy may spend, -1 for no bound.
   * null = yes; "stp" = an own resting order comes first; "fok" = not enough (or not affordable).
   */
  private fokCheck(
    opp: BookSide,
    bound: number,
    user: UserId,
    qty: bigint,
    budget: bigint,
  ): "fok" | "stp" | null {
    let need = qty;
    let left = budget;
    const levels = opp.levels;
    const bd = this.baseDecimals;
    for (let i = levels.length - 1; i >= 0; i--) {
      const lvl = levels[i];
      if (lvl.key < bound) return "fok";
      for (let m = lvl.head; m !== null; m = m.next) {
        if (m.user === user) return "stp";
        const take = bmin(m.remaining, need);
        if (left >= 0n) {
          const cost = quoteCost(lvl.price, take, bd);
          if (cost > left) return "fok";
          left -= cost;
        }
        need -= take;
        if (need === 0n) return null;
      }
    }
    return "fok";
  }

  private cancel(c: CancelCommand, out: MatchEvent[]): void {
    const o = this.book.get(c.order_id);
    if (o === undefined) {
      out.push(rejectEvent("cancel", c.order_id, c.user_id, "unknown-order"));
      return;
    }
    if (o.user !== c.user_id) {
      out.push(rejectEvent("cancel", c.order_id, c.user_id, "not-owner"));
      return;
    }
    this.book.remove(o);
    out.push(orderEvent(o.id, o.user, o.side, "Cancelled", "user", o.qty - o.remaining, 0n, o.remaining));
  }

  /** The whole state, canonical (see BookSnapshot). */
  snapshot(): BookSnapshot {
    return {
      version: 1,
      next_trade_id: this.nextTradeId,
      seen_order_ids: this.book.orders.ids(),
      bids: this.book.sideSnapshot("Buy"),
      asks: this.book.sideSnapshot("Sell"),
    };
  }

  /** A stable 64-bit hash (16 hex chars) of the snapshot. */
  stateHash(): string {
    return hashSnapshot(this.snapshot());
  }

  /** A matcher in exactly the state `snap` describes; throws if the snapshot is inconsistent. */
  static fromSnapshot(config: BookConfig, snap: BookSnapshot): Matcher {
    const m = new Matcher(config);
    if (snap.version !== 1) throw new Error(`snapshot: unsupported version ${String(snap.version)}`);
    if (typeof snap.next_trade_id !== "bigint" || snap.next_trade_id < 1n) {
      throw new Error(`snapshot: next_trade_id must be a bigint >= 1`);
    }
    m.nextTradeId = snap.next_trade_id;
    for (const id of snap.seen_order_ids) {
      if (m.book.register(id) === DUPLICATE) {
        throw new Error(`snapshot: order id ${String(id)} listed twice in seen_order_ids`);
      }
    }
    const load = (side: Side, levels: LevelSnapshot[]): void => {
      let prev: bigint | null = null;
      for (const lvl of levels) {
        const ticks = m.book.ticksOf(lvl.price);
        if (ticks < 0 || !fitsInt64(lvl.price))
          throw new Error(`snapshot: ${side} level price ${lvl.price} is invalid`);
        if (prev !== null && (side === "Buy" ? lvl.price >= prev : lvl.price <= prev)) {
          throw new Error(`snapshot: ${side} levels are not strictly ordered best first at ${lvl.price}`);
        }
        if (lvl.orders.length === 0) throw new Error(`snapshot: empty ${side} level at ${lvl.price}`);
        prev = lvl.price;
        for (const o of lvl.orders) {
          if (!m.book.isRegistered(o.order_id))
            throw new Error(`snapshot: resting order ${String(o.order_id)} not in seen_order_ids`);
          if (m.book.get(o.order_id) !== undefined)
            throw new Error(`snapshot: order ${String(o.order_id)} rests twice`);
          if (!m.validQty(o.qty) || !m.validQty(o.remaining) || o.remaining > o.qty) {
            throw new Error(`snapshot: order ${String(o.order_id)} has invalid qty/remaining`);
          }
          const order = new RestingOrder(o.order_id, o.user_id, side, lvl.price, o.qty, o.remaining);
          m.book.add(order, ticks, m.book.orders.slotOf(o.order_id));
        }
      }
    };
    load("Buy", snap.bids);
    load("Sell", snap.asks);
    const bb = m.book.bestBid();
    const ba = m.book.bestAsk();
    if (bb !== null && ba !== null && bb >= ba)
      throw new Error(`snapshot: book crossed (bid ${bb} >= ask ${ba})`);
    return m;
  }
}

function idText(id: OrderId): string {
  return typeof id === "bigint" ? `n${id}` : JSON.stringify(id);
}

/** The canonical text of a snapshot (what `hashSnapshot` hashes); handy in failing-test diffs. */
export function snapshotText(s: BookSnapshot): string {
  const parts: string[] = [
    `v${s.version}`,
    `t${s.next_trade_id}`,
    `seen:${s.seen_order_ids.map(idText).join(",")}`,
  ];
  for (const [name, levels] of [
    ["B", s.bids],
    ["A", s.asks],
  ] as const) {
    parts.push(name);
    for (const l of levels) {
      parts.push(
        `${l.price}:${l.orders.map((o) => `${idText(o.order_id)}/${o.user_id}/${o.qty}/${o.remaining}`).join(",")}`,
      );
    }
  }
  return parts.join("|");
}

/** A stable 64-bit hash (two 32-bit FNV-1a style lanes, 16 hex chars) of a snapshot. */
export function hashSnapshot(s: BookSnapshot): string {
  const text = snapshotText(s);
  let h1 = 0x811c9dc5;
  let h2 = 0x01234567;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}
