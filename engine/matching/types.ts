/**
 * The matching core's contract: commands in, events out. Every amount is a `bigint` of minor
 * units (see engine/domain/money.ts): a price is quote minor units per ONE WHOLE base unit, a
 * quantity is base minor units.
 *
 * Per command the core returns its events in order; the ME service numbers them with its
 * per-symbol `output_seq` (never reset) when it publishes them to `engine.outputs`.
 */

export type Side = "Buy" | "Sell";
export type OrderType = "Limit" | "Market";
export type TimeInForce = "GTC" | "IOC" | "FOK";

/**
 * An order id, as UBSCore assigned it: a bigint or a string. Ids are compared with `===` /
 * SameValueZero, so `1n` and `"1"` are DIFFERENT ids; a deployment uses one representation.
 */
export type OrderId = bigint | string;

/** A user id: a safe integer (JSON number). Self-trade prevention compares user ids with `===`. */
export type UserId = number;

export interface PlaceCommand {
  type: "place";
  order_id: OrderId;
  user_id: UserId;
  side: Side;
  order_type: OrderType;
  /**
   * Limit: GTC (default) rests the remainder; IOC cancels it at once; FOK fills all at once or
   * nothing. Market orders never rest: GTC and IOC both mean "fill what you can, cancel the
   * rest"; FOK means "fill all at once or nothing".
   */
  tif?: TimeInForce;
  /** Only with Limit GTC: rejected if any part would take liquidity. Default false. */
  post_only?: boolean;
  /** Limit: required, > 0, a multiple of the tick. Market: must be absent or null. */
  price?: bigint | null;
  /** Base minor units, > 0, a multiple of the lot. */
  qty: bigint;
  /**
   * THE MARKET-BUY BOUND. Market Buy: required, > 0 — the most quote (in quote minor units)
   * the order may spend, i.e. what UBSCore froze for it. Matching stops before a fill would
   * take the total quote cost (sum of `quote_qty` of its fills) above it; each fill's quantity
   * stays a multiple of the lot. Every other order: must be absent or null (a limit order's
   * spend is already bounded by price * qty, since trades happen at the maker's price).
   */
  quote_limit?: bigint | null;
}

export interface CancelCommand {
  type: "cancel";
  order_id: OrderId;
  /** Must be the order's owner; otherwise the cancel is rejected with "not-owner". */
  user_id: UserId;
}

export type Command = PlaceCommand | CancelCommand;

/** One trade. The price is always the maker's (resting order's) price. */
export interface FillEvent {
  type: "fill";
  /** Per book: 1, 2, 3, ... (part of the book's state, kept in snapshots). */
  trade_id: bigint;
  price: bigint;
  qty: bigint;
  /** price * qty / 10^baseDecimals, exact (engine/domain/money.ts quoteCost). */
  quote_qty: bigint;
  taker_side: Side;
  maker_order_id: OrderId;
  maker_user_id: UserId;
  /** The maker's open quantity after this fill (0: the maker is filled; an order event follows). */
  maker_remaining: bigint;
  taker_order_id: OrderId;
  taker_user_id: UserId;
  /** The taker's unfilled quantity after this fill. */
  taker_remaining: bigint;
}

/**
 * Statuses of an order event. "New" and "PartiallyFilled" mean the order is now resting on the
 * book (with nothing / something filled); the other three are terminal.
 */
export type OrderStatus = "New" | "PartiallyFilled" | "Filled" | "Cancelled" | "Rejected";

export type CancelReason =
  /** A cancel command from the owner. */
  | "user"
  /** Limit IOC: the part that did not fill at once. */
  | "ioc"
  /** FOK that could not fill completely at once (nothing was traded). */
  | "fok"
  /** Self-trade prevention: the next resting order to match belonged to the same user. */
  | "stp"
  /** Market order: the part that did not fill (book exhausted, or the quote_limit reached). */
  | "market-unfilled";

export type RejectReason =
  | "post-only-would-take"
  /** Limit without a valid price (> 0, on the tick, in range), or a Market order with a price. */
  | "invalid-price"
  /** qty not > 0, not a multiple of the lot, or out of range. */
  | "invalid-qty"
  /** Market Buy without a positive quote_limit, or a quote_limit on any other order. */
  | "invalid-quote-limit"
  /** Unknown side / order_type / tif, or post_only on anything but a Limit GTC. */
  | "invalid-flags";

/**
 * A change of one order's state. Emitted for the incoming order exactly once per place
 * command (after its fills), for a maker when a fill completes it (right after that fill), and
 * for a user cancel. Partial fills of a resting maker appear only as fill events.
 *
 * Quantities: filled_qty + remaining_qty + cancelled_qty = the order's original qty, always.
 */
export interface OrderEvent {
  type: "order";
  order_id: OrderId;
  user_id: UserId;
  side: Side;
  status: OrderStatus;
  /** Set for Cancelled (a CancelReason) and Rejected (a RejectReason); null otherwise. */
  reason: CancelReason | RejectReason | null;
  /** Cumulative quantity filled. */
  filled_qty: bigint;
  /** Quantity open on the book after this event (0 for terminal statuses). */
  remaining_qty: bigint;
  /** Quantity that will never fill: the unfilled rest (Cancelled), the whole qty (Rejected); else 0. */
  cancelled_qty: bigint;
}

export type CommandRejectReason =
  /** A place whose order_id was already used (live or terminal). The existing order is untouched. */
  | "duplicate"
  /** A cancel of an order id that is not resting (never seen, or already terminal). */
  | "unknown-order"
  /** A cancel of a resting order that belongs to another user. */
  | "not-owner";

/**
 * A command the core refused WITHOUT changing any order's state. Deliberately not an order
 * event: a duplicate place carries the id of an existing order, and applying "Rejected" to that
 * order would corrupt it; consumers must only acknowledge the command.
 */
export interface RejectEvent {
  type: "reject";
  command: "place" | "cancel";
  order_id: OrderId;
  user_id: UserId;
  reason: CommandRejectReason;
}

export type MatchEvent = FillEvent | OrderEvent | RejectEvent;

/** What a book needs to know about its symbol (see bookConfigOf in matcher.ts). */
export interface BookConfig {
  /** Price step, quote minor units per whole base unit. */
  tick: bigint;
  /** Quantity step, base minor units. */
  lot: bigint;
  /** The base asset's kept decimals (quote cost = price * qty / 10^baseDecimals). */
  baseDecimals: number;
}

export interface RestingOrderSnapshot {
  order_id: OrderId;
  user_id: UserId;
  /** Original quantity. */
  qty: bigint;
  /** Open quantity (> 0). */
  remaining: bigint;
}

export interface LevelSnapshot {
  price: bigint;
  /** In time priority (first = oldest). */
  orders: RestingOrderSnapshot[];
}

/** A book's whole state, canonical: two books with equal snapshots behave identically. */
export interface BookSnapshot {
  version: 1;
  /** The trade id the next fill gets. */
  next_trade_id: bigint;
  /**
   * Every order id ever placed (accepted or rejected), in canonical order: bigints ascending,
   * then strings by UTF-16 code units. (Only membership matters: it decides "duplicate".)
   */
  seen_order_ids: OrderId[];
  /** Best (highest) price first. */
  bids: LevelSnapshot[];
  /** Best (lowest) price first. */
  asks: LevelSnapshot[];
}
