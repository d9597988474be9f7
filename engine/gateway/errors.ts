/**
 * The gateway's answer codes: the ONE table of every non-zero `status` the HTTP API can answer,
 * with the HTTP status that goes with it. Codes are stable: clients and the harness branch on
 * them, so a code is never renumbered or reused; add new ones at the end of their range.
 *
 *   0     ok
 *   1xxx  authentication and authorisation (nothing was read or changed)
 *   2xxx  validation: the request is malformed (nothing was published)
 *   3xxx  business rejections: the request was well-formed but refused downstream (UBSCore's verdict)
 *   5xxx  internal errors and unavailability; 5001/5002 mean "outcome unknown, retry with the same id"
 *
 * Every answer is the envelope `{status, msg, data}`: `status: 0, msg: "ok"` on success; on
 * failure a code from this table, a readable message naming the field or the reason, and
 * `data` with details (the field, the request id, the rejection reason) or null.
 */
import { AmountError, type AmountErrorCode } from "../domain/amount.ts";

export interface ErrorSpec {
  readonly code: number;
  readonly http: number;
  /** What the code means, for docs and for answers without a more specific message. */
  readonly summary: string;
}

function spec(code: number, http: number, summary: string): ErrorSpec {
  return Object.freeze({ code, http, summary });
}

export const ERRORS = {
  // ---- 1xxx: authentication / authorisation ----
  AUTH_MISSING: spec(1001, 401, "missing authentication header (x-api-key, x-timestamp, x-signature)"),
  AUTH_UNKNOWN_KEY: spec(1002, 401, "unknown API key"),
  AUTH_BAD_SIGNATURE: spec(1003, 401, "bad signature"),
  AUTH_BAD_TIMESTAMP: spec(1004, 401, "x-timestamp is not an integer of epoch milliseconds"),
  AUTH_STALE_TIMESTAMP: spec(1005, 401, "x-timestamp is outside the accepted window"),
  AUTH_FORBIDDEN_USER: spec(1006, 403, "user_id is not the owner of the API key"),

  // ---- 2xxx: validation ----
  BAD_BODY: spec(2001, 400, "the request body is not a JSON object"),
  MISSING_FIELD: spec(2002, 400, "a required field is missing"),
  BAD_FIELD: spec(2003, 400, "a field has the wrong type or value, or is not known"),
  UNKNOWN_ASSET: spec(2004, 400, "unknown asset"),
  UNKNOWN_SYMBOL: spec(2005, 400, "unknown symbol"),
  AMOUNT_NOT_DECIMAL: spec(2010, 400, "not a decimal string"),
  AMOUNT_TOO_MANY_DECIMALS: spec(2011, 400, "too many decimals"),
  AMOUNT_OUT_OF_RANGE: spec(2012, 400, "does not fit a signed 64-bit integer of minor units"),
  AMOUNT_NEGATIVE: spec(2013, 400, "must not be negative"),
  AMOUNT_ZERO: spec(2014, 400, "must be greater than zero"),
  PRICE_OFF_TICK: spec(2015, 400, "price is not a multiple of the symbol's tick"),
  QTY_OFF_LOT: spec(2016, 400, "quantity is not a multiple of the symbol's lot"),
  BAD_ORDER_FLAGS: spec(2020, 400, "invalid combination of order_type, price, time_in_force and post_only"),
  BAD_LIMIT: spec(2021, 400, "limit must be an integer from 1 to 1000"),
  REQUEST_ID_CONFLICT: spec(2030, 409, "the request id was already used for a different kind of request"),
  UNKNOWN_ROUTE: spec(2040, 404, "no such method and path"),

  // ---- 3xxx: business rejections (UBSCore's verdict) ----
  REJECTED: spec(3000, 422, "rejected"),
  INSUFFICIENT_FUNDS: spec(3001, 422, "insufficient available balance"),
  UNKNOWN_ORDER: spec(3002, 422, "unknown order, or no longer open"),
  NOT_ORDER_OWNER: spec(3003, 422, "the order belongs to another user"),
  DUPLICATE_ORDER: spec(3004, 422, "duplicate order"),
  POST_ONLY_WOULD_TAKE: spec(3005, 422, "post-only order would take liquidity"),
  INVALID_REQUEST: spec(3006, 422, "the request was refused as invalid downstream"),
  AMOUNT_TOO_LARGE: spec(3007, 422, "the resulting balance or hold would not fit a signed 64-bit integer"),

  // ---- 5xxx: internal / unavailable ----
  INTERNAL: spec(5000, 500, "internal error"),
  PENDING: spec(
    5001,
    202,
    "accepted for processing but no verdict arrived in time; repeat the request with the same request_id (or cid)",
  ),
  PUBLISH_UNCONFIRMED: spec(
    5002,
    503,
    "the operation could not be confirmed as published; it may or may not take effect; repeat the request with the same request_id (or cid)",
  ),
  STORE_UNAVAILABLE: spec(5003, 503, "the store is unavailable; nothing was changed"),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorName = keyof typeof ERRORS;

/** The envelope of every answer. */
export interface Envelope<T = unknown> {
  status: number;
  msg: string;
  data: T;
}

export function ok<T>(data: T): Envelope<T> {
  return { status: 0, msg: "ok", data };
}

/** A failure answer: thrown anywhere in a handler, turned into the envelope by the app. */
export class GatewayError extends Error {
  readonly kind: ErrorName;
  readonly data: unknown;

  constructor(kind: ErrorName, message?: string, data: unknown = null) {
    super(message ?? ERRORS[kind].summary);
    this.name = "GatewayError";
    this.kind = kind;
    this.data = data;
  }

  get code(): number {
    return ERRORS[this.kind].code;
  }

  get http(): number {
    return ERRORS[this.kind].http;
  }

  envelope(): Envelope {
    return { status: this.code, msg: this.message, data: this.data };
  }
}

const AMOUNT_CODES: Record<AmountErrorCode, ErrorName> = {
  "not-decimal": "AMOUNT_NOT_DECIMAL",
  "too-many-decimals": "AMOUNT_TOO_MANY_DECIMALS",
  "out-of-range": "AMOUNT_OUT_OF_RANGE",
  negative: "AMOUNT_NEGATIVE",
  zero: "AMOUNT_ZERO",
  "not-tick-multiple": "PRICE_OFF_TICK",
  "not-lot-multiple": "QTY_OFF_LOT",
};

/** An engine/domain AmountError as the gateway's answer (its message already names the field). */
export function fromAmountError(err: AmountError, field: string): GatewayError {
  return new GatewayError(AMOUNT_CODES[err.code], err.message, { field });
}

export function isAmountError(err: unknown): err is AmountError {
  return err instanceof AmountError;
}

/**
 * The answer code for a downstream rejection reason (UBSCore's vocabulary, engine/ubscore/state.ts,
 * and the ME's, engine/matching/types.ts; kebab or snake case). Unknown reasons map to the generic
 * REJECTED; the reason text is always passed on in the message and `data.reason`.
 */
export function rejectionKind(reason: string | null): ErrorName {
  const r = (reason ?? "")
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, "-");
  if (/^insufficient(-|$)/.test(r)) return "INSUFFICIENT_FUNDS";
  if (r === "unknown-order" || r === "order-not-found") return "UNKNOWN_ORDER";
  if (r === "not-owner") return "NOT_ORDER_OWNER";
  if (r === "duplicate" || r.startsWith("duplicate-")) return "DUPLICATE_ORDER";
  if (r === "post-only-would-take") return "POST_ONLY_WOULD_TAKE";
  if (r === "amount-too-large") return "AMOUNT_TOO_LARGE";
  if (r.startsWith("invalid-") || r.startsWith("unknown-") || r.startsWith("malformed"))
    return "INVALID_REQUEST";
  return "REJECTED";
}
