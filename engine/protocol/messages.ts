/**
 * The messages the services exchange over Kafka: JSON with an explicit `type` and `v`
 * (version); amounts are minor units as decimal integer strings ("100000000" = 1 BTC), so no
 * float ever carries money. `decode*` functions validate shape and throw a MessageError naming
 * the field; they are the only way a service reads a message.
 */
import type { Side, TimeInForce } from "../matching/types.ts";

export const MESSAGE_VERSION = 1;

/** System accounts (DOMAIN.md): fees are credited here; deposits come from / withdrawals go to external. */
export const FEE_ACCOUNT = 0;
export const EXTERNAL_ACCOUNT = -1;

// ---- balance.operations (Gateway → UBSCore), key = user_id ----

export interface DepositOp {
  type: "deposit";
  v: 1;
  request_id: string;
  user_id: number;
  asset_id: number;
  amount: string;
  ts: number;
}

export interface WithdrawOp {
  type: "withdraw";
  v: 1;
  request_id: string;
  user_id: number;
  asset_id: number;
  amount: string;
  ts: number;
}

export interface PlaceOp {
  type: "place";
  v: 1;
  /** The idempotency key of a place is its cid: request_id = "order:" + cid. */
  request_id: string;
  user_id: number;
  cid: string;
  symbol_id: number;
  side: Side;
  order_type: "Limit" | "Market";
  tif: TimeInForce;
  post_only: boolean;
  /** Quote minor units per whole base unit; null for a market order without a price cap. */
  price: string | null;
  qty: string;
  ts: number;
}

export interface CancelOp {
  type: "cancel";
  v: 1;
  request_id: string;
  user_id: number;
  /** Exactly one of order_id / cid. */
  order_id: string | null;
  cid: string | null;
  ts: number;
}

export type Operation = DepositOp | WithdrawOp | PlaceOp | CancelOp;

// ---- validated_orders (UBSCore → ME), key = symbol name ----

export interface ValidatedPlace {
  type: "place";
  v: 1;
  symbol_id: number;
  order_id: string;
  user_id: number;
  side: Side;
  order_type: "Limit" | "Market";
  tif: TimeInForce;
  post_only: boolean;
  price: string | null;
  qty: string;
  /** Market buy only: the quote UBSCore froze for it (the market-buy bound). */
  quote_limit: string | null;
}

export interface ValidatedCancel {
  type: "cancel";
  v: 1;
  symbol_id: number;
  order_id: string;
  user_id: number;
  /** Unique per cancel request, so the ME can drop a redelivered cancel. */
  cancel_id: string;
}

export type ValidatedOrder = ValidatedPlace | ValidatedCancel;

// ---- engine.outputs (ME → UBSCore, Settlement), key = symbol name ----

/**
 * One message per ME command that produced events: atomic (one append), numbered by output_seq
 * (per symbol, strictly increasing, never reset), and carrying the input it answers so the ME
 * can resume after a crash.
 */
export interface EngineOutput {
  type: "engine_output";
  v: 1;
  symbol_id: number;
  output_seq: string;
  input: { partition: number; offset: string };
  /** When the command was a cancel: its cancel_id (so UBSCore can answer the cancel request); else null. */
  cancel_id: string | null;
  events: EngineEvent[];
  /** The input message's timestamp (not the ME's clock), so a re-published output is identical. */
  ts: number;
}

export interface FillOut {
  type: "fill";
  trade_id: string;
  price: string;
  qty: string;
  quote_qty: string;
  taker_side: Side;
  maker_order_id: string;
  maker_user_id: number;
  maker_remaining: string;
  taker_order_id: string;
  taker_user_id: number;
  taker_remaining: string;
  /** Cumulative filled quantity of the maker / the taker after this fill (for order history). */
  maker_filled_qty: string;
  taker_filled_qty: string;
}

export interface OrderOut {
  type: "order";
  order_id: string;
  user_id: number;
  side: Side;
  status: "New" | "PartiallyFilled" | "Filled" | "Cancelled" | "Rejected";
  reason: string | null;
  filled_qty: string;
  remaining_qty: string;
  cancelled_qty: string;
}

export interface RejectOut {
  type: "reject";
  command: "place" | "cancel";
  order_id: string;
  user_id: number;
  reason: string;
}

export type EngineEvent = FillOut | OrderOut | RejectOut;

// ---- balance.events (UBSCore → Settlement), key = user_id ----

export type BalanceCause =
  | "deposit"
  | "withdraw"
  | "freeze"
  | "unfreeze"
  | "trade_debit"
  | "trade_credit"
  | "fee"
  | "refund";

export interface BalanceEvent {
  type: "balance";
  v: 1;
  user_id: number;
  asset_id: number;
  /** Per (user, asset): 1, 2, 3, ... gapless, never reused. */
  seq: string;
  delta_avail: string;
  delta_frozen: string;
  avail: string;
  frozen: string;
  cause: BalanceCause;
  /** What caused it: a request id, or "trade:<symbol>:<trade_id>", or "order:<order_id>". */
  ref: string;
  ts: number;
}

// ---- ubscore.results (UBSCore → Settlement → gateway), key = user_id ----

export interface OpResult {
  type: "result";
  v: 1;
  request_id: string;
  user_id: number;
  kind: Operation["type"];
  status: "accepted" | "rejected";
  reason: string | null;
  /** For places: the order id UBSCore assigned (null when UBSCore rejected it); for cancels: the order. */
  order_id: string | null;
  /**
   * Places and cancels: the order's status once the matching engine handled the command (a place's
   * verdict is published only then: "New", "PartiallyFilled", "Filled", "Cancelled" or
   * "Rejected"; a rejected-by-ME place has status "rejected"); null for deposits and withdrawals.
   */
  order_status: string | null;
  /** The request as accepted (amounts in minor units), for the gateway's answer. */
  body: Record<string, unknown>;
  ts: number;
}

export class MessageError extends Error {
  override name = "MessageError";
}

type Json = Record<string, unknown>;

function obj(raw: string, what: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new MessageError(`${what}: not JSON`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new MessageError(`${what}: not an object`);
  const o = v as Json;
  if (o.v !== MESSAGE_VERSION) throw new MessageError(`${what}: unsupported version ${String(o.v)}`);
  return o;
}

function str(o: Json, k: string, what: string): string {
  if (typeof o[k] !== "string") throw new MessageError(`${what}.${k}: expected a string`);
  return o[k] as string;
}

function int(o: Json, k: string, what: string): number {
  if (typeof o[k] !== "number" || !Number.isSafeInteger(o[k]))
    throw new MessageError(`${what}.${k}: expected an integer`);
  return o[k] as number;
}

function minor(o: Json, k: string, what: string): string {
  const s = str(o, k, what);
  if (!/^-?\d+$/.test(s))
    throw new MessageError(`${what}.${k}: ${JSON.stringify(s)} is not an integer amount`);
  return s;
}

export function decodeOperation(raw: string): Operation {
  const o = obj(raw, "operation");
  const what = `operation(${String(o.type)})`;
  str(o, "request_id", what);
  int(o, "user_id", what);
  switch (o.type) {
    case "deposit":
    case "withdraw":
      int(o, "asset_id", what);
      minor(o, "amount", what);
      return o as unknown as Operation;
    case "place":
      str(o, "cid", what);
      int(o, "symbol_id", what);
      minor(o, "qty", what);
      if (o.price !== null) minor(o, "price", what);
      return o as unknown as Operation;
    case "cancel":
      if ((o.order_id === null) === (o.cid === null))
        throw new MessageError(`${what}: exactly one of order_id, cid`);
      return o as unknown as Operation;
    default:
      throw new MessageError(`operation: unknown type ${JSON.stringify(o.type)}`);
  }
}

export function decodeValidatedOrder(raw: string): ValidatedOrder {
  const o = obj(raw, "validated_order");
  const what = `validated_order(${String(o.type)})`;
  int(o, "symbol_id", what);
  str(o, "order_id", what);
  int(o, "user_id", what);
  if (o.type === "place") {
    minor(o, "qty", what);
    return o as unknown as ValidatedOrder;
  }
  if (o.type === "cancel") {
    str(o, "cancel_id", what);
    return o as unknown as ValidatedOrder;
  }
  throw new MessageError(`validated_order: unknown type ${JSON.stringify(o.type)}`);
}

export function decodeEngineOutput(raw: string): EngineOutput {
  const o = obj(raw, "engine_output");
  if (o.type !== "engine_output")
    throw new MessageError(`engine_output: unknown type ${JSON.stringify(o.type)}`);
  int(o, "symbol_id", "engine_output");
  minor(o, "output_seq", "engine_output");
  if (!Array.isArray(o.events)) throw new MessageError("engine_output.events: expected an array");
  return o as unknown as EngineOutput;
}

export function decodeBalanceEvent(raw: string): BalanceEvent {
  const o = obj(raw, "balance_event");
  if (o.type !== "balance") throw new MessageError(`balance_event: unknown type ${JSON.stringify(o.type)}`);
  for (const k of ["seq", "delta_avail", "delta_frozen", "avail", "frozen"]) minor(o, k, "balance_event");
  int(o, "user_id", "balance_event");
  int(o, "asset_id", "balance_event");
  return o as unknown as BalanceEvent;
}

export function decodeResult(raw: string): OpResult {
  const o = obj(raw, "result");
  if (o.type !== "result") throw new MessageError(`result: unknown type ${JSON.stringify(o.type)}`);
  str(o, "request_id", "result");
  int(o, "user_id", "result");
  return o as unknown as OpResult;
}

export function encode(msg: Operation | ValidatedOrder | EngineOutput | BalanceEvent | OpResult): string {
  return JSON.stringify(msg);
}
