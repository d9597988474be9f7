/**
 * Request validation: zod for shapes (which fields, which types, which enum values), then
 * engine/domain for everything about money (assets, symbols, amounts, price tick, quantity lot,
 * 64-bit range). Every error is a GatewayError whose message names the field and `data.field`
 * carries it. Unknown fields are rejected (a typo like "qty" for "quantity" must not be ignored).
 *
 * Amounts, prices and quantities are decimal strings in whole units ("0.01"); JSON numbers are
 * refused (no floating point on a money path).
 */
import { z } from "zod";
import { parseAmount } from "../domain/amount.ts";
import { ASSETS, type AssetInfo, assetByCode, isAssetCode } from "../domain/assets.ts";
import { parsePrice, parseQty } from "../domain/money.ts";
import { isSymbolName, SYMBOLS, type SymbolInfo, symbolByName } from "../domain/symbols.ts";
import type { Side, TimeInForce } from "../matching/types.ts";
import { type ErrorName, fromAmountError, GatewayError, isAmountError } from "./errors.ts";

// ---- primitives ----

const ID_TEXT = /^[\x21-\x7e]+$/;
/** A client id (request_id, cid): 1..64 printable ASCII characters without spaces. */
const idText = z
  .string()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(ID_TEXT, "must be printable ASCII without spaces");

/** Fields that carry money: a wrong type there is "not a decimal" (2010), not a generic 2003. */
const DECIMAL_FIELDS = new Set(["amount", "price", "quantity"]);

export const LIMIT_DEFAULT = 100;
export const LIMIT_MAX = 1000;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = input;
  for (const k of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** The first zod issue as a GatewayError naming the field. */
function fromZod(error: z.ZodError, input: unknown, where: "body" | "query"): GatewayError {
  const issue = error.issues[0];
  const field = issue.path.map(String).join(".");
  const got = valueAt(input, issue.path);
  let kind: ErrorName = "BAD_FIELD";
  let msg: string;
  switch (issue.code) {
    case "unrecognized_keys": {
      const keys = issue.keys;
      return new GatewayError(
        "BAD_FIELD",
        `unknown ${where === "body" ? "field" : "query parameter"}${keys.length > 1 ? "s" : ""} ${keys
          .map((k) => JSON.stringify(k))
          .join(", ")}`,
        { field: keys[0] },
      );
    }
    case "invalid_type":
      if (got === undefined) {
        kind = "MISSING_FIELD";
        msg = `${field} is required`;
      } else if (DECIMAL_FIELDS.has(field)) {
        kind = "AMOUNT_NOT_DECIMAL";
        msg = `${field} must be a decimal string like "0.01", got ${describe(got)}`;
      } else {
        msg = `${field} must be a ${issue.expected}, got ${describe(got)}`;
      }
      break;
    case "invalid_value":
      msg = `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(got)}`;
      break;
    default:
      msg = `${field} ${issue.message}${got === undefined ? "" : ` (got ${describe(got)})`}`;
  }
  return new GatewayError(kind, msg, { field });
}

function shape<T extends z.ZodType>(schema: T, input: unknown, where: "body" | "query"): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw fromZod(r.error, input, where);
  return r.data;
}

/** The body as a JSON object, or 2001. */
export function parseJsonObject(raw: unknown): Record<string, unknown> {
  const textBody = typeof raw === "string" ? raw : "";
  if (textBody.trim() === "")
    throw new GatewayError("BAD_BODY", "the request body is empty; expected a JSON object");
  let v: unknown;
  try {
    v = JSON.parse(textBody);
  } catch (err) {
    throw new GatewayError("BAD_BODY", `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new GatewayError("BAD_BODY", `the request body must be a JSON object, got ${describe(v)}`);
  }
  return v as Record<string, unknown>;
}

/**
 * A user id: a positive safe integer, as a JSON number or a string of digits. System accounts
 * (fees 0, external -1) are not users.
 */
export function parseUserId(v: unknown, field = "user_id"): number {
  const n =
    typeof v === "number" ? v : typeof v === "string" && /^[0-9]{1,16}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new GatewayError("BAD_FIELD", `${field} must be a positive integer, got ${describe(v)}`, { field });
  }
  return n;
}

/** An order id: a positive integer that fits int64, as a string of digits or a safe JSON integer. */
export function parseOrderId(v: unknown, field = "order_id"): string {
  let s: string | null = null;
  if (typeof v === "number" && Number.isSafeInteger(v)) s = String(v);
  else if (typeof v === "string" && /^[0-9]{1,19}$/.test(v)) s = v;
  const n = s === null ? -1n : BigInt(s);
  if (n <= 0n || n > 2n ** 63n - 1n) {
    throw new GatewayError("BAD_FIELD", `${field} must be a positive 64-bit integer, got ${describe(v)}`, {
      field,
    });
  }
  return n.toString();
}

function assetField(code: string, field = "asset"): AssetInfo {
  if (!isAssetCode(code)) {
    throw new GatewayError(
      "UNKNOWN_ASSET",
      `${field}: unknown asset ${describe(code)} (known: ${ASSETS.map((a) => a.code).join(", ")})`,
      { field },
    );
  }
  return assetByCode(code);
}

function symbolField(name: string, field = "symbol"): SymbolInfo {
  if (!isSymbolName(name)) {
    throw new GatewayError(
      "UNKNOWN_SYMBOL",
      `${field}: unknown symbol ${describe(name)} (known: ${SYMBOLS.map((s) => s.name).join(", ")})`,
      { field },
    );
  }
  return symbolByName(name);
}

function money<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (isAmountError(err)) throw fromAmountError(err, field);
    throw err;
  }
}

// ---- bodies ----

const TransferBody = z.strictObject({
  request_id: idText,
  user_id: z.unknown().optional(),
  asset: z.string(),
  amount: z.string(),
});

export interface TransferRequest {
  request_id: string;
  user_id: number;
  asset: AssetInfo;
  amount: bigint;
}

/** POST /api/v1/transfer_in and transfer_out: `{request_id, user_id, asset, amount}`. */
export function parseTransfer(body: Record<string, unknown>): TransferRequest {
  const b = shape(TransferBody, body, "body");
  if (b.user_id === undefined)
    throw new GatewayError("MISSING_FIELD", "user_id is required", { field: "user_id" });
  const user_id = parseUserId(b.user_id);
  const asset = assetField(b.asset);
  const amount = money("amount", () => parseAmount(b.amount, asset));
  return { request_id: b.request_id, user_id, asset, amount };
}

const OrderBody = z.strictObject({
  cid: idText,
  symbol: z.string(),
  side: z.enum(["Buy", "Sell"]),
  order_type: z.enum(["Limit", "Market"]),
  price: z.string().nullable().optional(),
  quantity: z.string(),
  time_in_force: z.enum(["GTC", "IOC", "FOK"]).optional(),
  post_only: z.boolean().optional(),
  user_id: z.unknown().optional(),
});

export interface PlaceRequest {
  cid: string;
  user_id: number | null;
  symbol: SymbolInfo;
  side: Side;
  order_type: "Limit" | "Market";
  tif: TimeInForce;
  post_only: boolean;
  /** Limit: the limit price. Market: an optional price cap (null = none). */
  price: bigint | null;
  qty: bigint;
}

/**
 * POST /api/orders. Rules beyond the shape:
 * - Limit needs a price (> 0, on the tick); Market may carry a price cap (same checks) or none;
 * - quantity > 0, on the lot;
 * - time_in_force defaults to GTC for Limit and IOC for Market (the ME treats a market GTC as IOC);
 * - post_only only with Limit GTC.
 */
export function parsePlace(body: Record<string, unknown>): PlaceRequest {
  const b = shape(OrderBody, body, "body");
  const user_id = b.user_id === undefined ? null : parseUserId(b.user_id);
  const symbol = symbolField(b.symbol);
  let price: bigint | null = null;
  if (b.price === undefined || b.price === null) {
    if (b.order_type === "Limit") {
      throw new GatewayError("MISSING_FIELD", "price is required for a Limit order", { field: "price" });
    }
  } else {
    const text = b.price;
    price = money("price", () => parsePrice(symbol, text, { label: `price (${symbol.name})` }));
  }
  const qty = money("quantity", () => parseQty(symbol, b.quantity, { label: `quantity (${symbol.name})` }));
  const tif: TimeInForce = b.time_in_force ?? (b.order_type === "Limit" ? "GTC" : "IOC");
  const post_only = b.post_only ?? false;
  if (post_only && (b.order_type !== "Limit" || tif !== "GTC")) {
    throw new GatewayError(
      "BAD_ORDER_FLAGS",
      `post_only is only allowed with order_type Limit and time_in_force GTC (got ${b.order_type} ${tif})`,
      { field: "post_only" },
    );
  }
  return { cid: b.cid, user_id, symbol, side: b.side, order_type: b.order_type, tif, post_only, price, qty };
}

const CancelBody = z.strictObject({
  order_id: z.unknown().optional(),
  cid: idText.optional(),
  request_id: idText.optional(),
  user_id: z.unknown().optional(),
});

export interface CancelRequest {
  user_id: number | null;
  order_id: string | null;
  cid: string | null;
  /** The client's request id, if given (else the route derives one from the target). */
  request_id: string | null;
}

/** POST /api/orders/cancel: `{order_id}` or `{cid}` (exactly one), optional request_id. */
export function parseCancel(body: Record<string, unknown>): CancelRequest {
  const b = shape(CancelBody, body, "body");
  const user_id = b.user_id === undefined ? null : parseUserId(b.user_id);
  const hasId = b.order_id !== undefined && b.order_id !== null;
  const hasCid = b.cid !== undefined;
  if (!hasId && !hasCid)
    throw new GatewayError("MISSING_FIELD", "order_id or cid is required", { field: "order_id" });
  if (hasId && hasCid) {
    throw new GatewayError("BAD_FIELD", "give either order_id or cid, not both", { field: "cid" });
  }
  return {
    user_id,
    order_id: hasId ? parseOrderId(b.order_id) : null,
    cid: hasCid ? (b.cid as string) : null,
    request_id: b.request_id ?? null,
  };
}

// ---- queries ----

/** The query string as an object; a parameter given twice is an error. */
export function parseQueryString(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    if (Object.hasOwn(out, k)) {
      throw new GatewayError("BAD_FIELD", `query parameter ${JSON.stringify(k)} is given more than once`, {
        field: k,
      });
    }
    out[k] = v;
  }
  return out;
}

const BalanceQuery = z.strictObject({ user_id: z.string().optional() });

/** GET /api/user/balance: `?user_id=` (optional: defaults to the key's owner). */
export function parseBalanceQuery(q: Record<string, string>): { user_id: number | null } {
  const b = shape(BalanceQuery, q, "query");
  return { user_id: b.user_id === undefined ? null : parseUserId(b.user_id) };
}

const HistoryQuery = z.strictObject({
  user_id: z.string().optional(),
  symbol: z.string(),
  limit: z.string().optional(),
});

export interface HistoryRequest {
  user_id: number | null;
  symbol: SymbolInfo;
  limit: number;
}

export function parseLimit(v: string | undefined): number {
  if (v === undefined) return LIMIT_DEFAULT;
  const n = /^[0-9]{1,4}$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= 1 && n <= LIMIT_MAX)) {
    throw new GatewayError(
      "BAD_LIMIT",
      `limit must be an integer from 1 to ${LIMIT_MAX}, got ${describe(v)}`,
      {
        field: "limit",
      },
    );
  }
  return n;
}

/** GET /api/user/trade_history and order_history: `?user_id&symbol&limit`. */
export function parseHistoryQuery(q: Record<string, string>): HistoryRequest {
  const b = shape(HistoryQuery, q, "query");
  return {
    user_id: b.user_id === undefined ? null : parseUserId(b.user_id),
    symbol: symbolField(b.symbol),
    limit: parseLimit(b.limit),
  };
}
