/**
 * The order book of one symbol: resting limit orders by price-time priority.
 *
 * Structure (chosen for a book whose activity is concentrated near the touch):
 * - each side keeps its price levels in an array sorted by `key`, best level LAST, so the best
 *   price is an O(1) read and removing the best level is a pop. A level's key is its price in
 *   ticks (a JS number: exact, since ticks < 2^53 is enforced), negated on the ask side, so
 *   "higher key = better price" on both sides and one code path serves both;
 * - finding a level is a binary search on the keys (O(log n) number comparisons, no bigint);
 *   inserting or removing a level costs O(log n) plus a shift of the levels BETTER than it,
 *   which near the touch is a handful of slots;
 * - each level holds its orders in an intrusive doubly-linked FIFO list (O(1) append, O(1)
 *   unlink); the order-id table (id-tables.ts) maps ids to resting orders for O(1) cancel and
 *   remembers every id ever placed, for duplicate detection.
 * Pure data structure: no matching rules here (see matcher.ts).
 */
import { DETACHED, OrderTable } from "./id-tables.ts";
import type { LevelSnapshot, OrderId, Side, UserId } from "./types.ts";

const INT64_MAX = 2n ** 63n - 1n;

export class RestingOrder {
  id: OrderId;
  user: UserId;
  side: Side;
  price: bigint;
  /** Original quantity. */
  qty: bigint;
  /** Open quantity; > 0 while the order is on the book. */
  remaining: bigint;
  level: Level | null = null;
  prev: RestingOrder | null = null;
  next: RestingOrder | null = null;
  /** Where the order-id table keeps this order (maintained by the table). */
  slot = DETACHED;

  constructor(id: OrderId, user: UserId, side: Side, price: bigint, qty: bigint, remaining: bigint) {
    this.id = id;
    this.user = user;
    this.side = side;
    this.price = price;
    this.qty = qty;
    this.remaining = remaining;
  }
}

export class Level {
  /** Price in ticks, negated for asks: a higher key is a better price on both sides. */
  readonly key: number;
  readonly price: bigint;
  head: RestingOrder | null = null;
  tail: RestingOrder | null = null;
  count = 0;

  constructor(key: number, price: bigint) {
    this.key = key;
    this.price = price;
  }
}

export class BookSide {
  readonly side: Side;
  /** Sorted by ascending key: the best level is the LAST one. */
  readonly levels: Level[] = [];

  constructor(side: Side) {
    this.side = side;
  }

  best(): Level | undefined {
    const l = this.levels;
    return l.length === 0 ? undefined : l[l.length - 1];
  }

  /** Index of the level with `key`, or -(insertion point) - 1. */
  private search(key: number): number {
    const l = this.levels;
    let lo = 0;
    let hi = l.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = l[mid].key;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** The level at `key`, created (empty) if absent. */
  levelFor(key: number, price: bigint): Level {
    const l = this.levels;
    const n = l.length;
    if (n === 0 || key > l[n - 1].key) {
      const lvl = new Level(key, price);
      l.push(lvl);
      return lvl;
    }
    if (key === l[n - 1].key) return l[n - 1];
    const i = this.search(key);
    if (i >= 0) return l[i];
    const lvl = new Level(key, price);
    l.splice(-i - 1, 0, lvl);
    return lvl;
  }

  removeLevel(level: Level): void {
    const l = this.levels;
    const n = l.length;
    if (n > 0 && l[n - 1] === level) {
      l.pop();
      return;
    }
    const i = this.search(level.key);
    if (i < 0 || l[i] !== level)
      throw new Error(`order book corrupt: level ${level.price} not on the ${this.side} side`);
    l.splice(i, 1);
  }
}

export class OrderBook {
  readonly bids = new BookSide("Buy");
  readonly asks = new BookSide("Sell");
  /** Every order id ever registered; the resting ones map to their order. */
  readonly orders = new OrderTable<RestingOrder>();
  readonly tick: bigint;
  private readonly tickNum: number;

  constructor(tick: bigint) {
    if (tick <= 0n) throw new RangeError(`tick must be positive, got ${tick}`);
    this.tick = tick;
    this.tickNum = Number(tick);
  }

  /**
   * The price in ticks as an exact JS number, or -1 when `price` is not a positive multiple of
   * the tick, exceeds int64, or its tick count is not a safe integer.
   */
  ticksOf(price: bigint): number {
    // Fast path, no bigint comparison: Number(price) is exact below 2^53 (and any larger
    // bigint converts to >= 2^53), and % and / on exact integer doubles are exact.
    const p = Number(price);
    if (p > 0 && p <= 9007199254740991 && this.tickNum <= 9007199254740991) {
      return p % this.tickNum === 0 ? p / this.tickNum : -1;
    }
    if (price <= 0n || price > INT64_MAX || price % this.tick !== 0n) return -1;
    const t = price / this.tick;
    return t <= 9007199254740991n ? Number(t) : -1;
  }

  sideOf(side: Side): BookSide {
    return side === "Buy" ? this.bids : this.asks;
  }

  oppositeOf(side: Side): BookSide {
    return side === "Buy" ? this.asks : this.bids;
  }

  /**
   * Registers a new order id: DUPLICATE (id-tables.ts) if it was registered before, else the
   * slot to pass to `add` (valid until the next `register`).
   */
  register(id: OrderId): number {
    return this.orders.register(id);
  }

  /** Was `id` ever registered? */
  isRegistered(id: OrderId): boolean {
    return this.orders.has(id);
  }

  /**
   * Appends `order` (its id registered, `slot` from `register`) at the back of its price level
   * (time priority). `ticks` = ticksOf(price).
   */
  add(order: RestingOrder, ticks: number, slot: number): void {
    const side = order.side === "Buy" ? this.bids : this.asks;
    const level = side.levelFor(order.side === "Buy" ? ticks : -ticks, order.price);
    order.level = level;
    order.next = null;
    order.prev = level.tail;
    if (level.tail === null) level.head = order;
    else level.tail.next = order;
    level.tail = order;
    level.count++;
    this.orders.attach(slot, order.id, order);
  }

  /** Unlinks `order` from its level (dropping the level if it empties); its id stays registered. */
  remove(order: RestingOrder): void {
    const level = order.level!;
    if (order.prev === null) level.head = order.next;
    else order.prev.next = order.next;
    if (order.next === null) level.tail = order.prev;
    else order.next.prev = order.prev;
    order.prev = null;
    order.next = null;
    order.level = null;
    if (--level.count === 0) (order.side === "Buy" ? this.bids : this.asks).removeLevel(level);
    this.orders.detach(order.id, order);
  }

  get(id: OrderId): RestingOrder | undefined {
    return this.orders.get(id);
  }

  bestBid(): bigint | null {
    const l = this.bids.best();
    return l === undefined ? null : l.price;
  }

  bestAsk(): bigint | null {
    const l = this.asks.best();
    return l === undefined ? null : l.price;
  }

  /** Number of resting orders. */
  get size(): number {
    return this.orders.live;
  }

  /** One side's levels, best first, orders in time priority. */
  sideSnapshot(side: Side): LevelSnapshot[] {
    const levels = this.sideOf(side).levels;
    const out: LevelSnapshot[] = [];
    for (let i = levels.length - 1; i >= 0; i--) {
      const lvl = levels[i];
      const orders = [];
      for (let o = lvl.head; o !== null; o = o.next) {
        orders.push({ order_id: o.id, user_id: o.user, qty: o.qty, remaining: o.remaining });
      }
      out.push({ price: lvl.price, orders });
    }
    return out;
  }
}
