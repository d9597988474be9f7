/**
 * Decimal strings <-> minor units (`bigint`). Pure; no floating point anywhere.
 *
 * Accepted syntax: an optional "-", one or more digits, optionally "." and one or more digits
 * ("12", "0.5", "007.50", "-3.25"). Rejected: "", ".5", "5.", "+5", "1e3", " 5", "0x10", "1_000".
 * Trailing zeros after the point carry no precision, so "1.500000000" counts as 1 decimal.
 *
 * Errors are `AmountError`s with a stable `code` and a message naming the field and the input:
 * - "not-decimal":        not in the syntax above (or not a string at all);
 * - "too-many-decimals":  more significant decimals than allowed (the asset's request decimals);
 * - "out-of-range":       the value in minor units does not fit a signed 64-bit integer;
 * - "negative":           below zero where not allowed (the default);
 * - "zero":               zero where not allowed (the default);
 * - "not-tick-multiple" / "not-lot-multiple": used by money.ts for prices and quantities.
 */
import { type AssetCode, type AssetInfo, assetByCode } from "./assets.ts";

export type AmountErrorCode =
  | "not-decimal"
  | "too-many-decimals"
  | "out-of-range"
  | "negative"
  | "zero"
  | "not-tick-multiple"
  | "not-lot-multiple";

export class AmountError extends Error {
  readonly code: AmountErrorCode;
  /** The text that was rejected (stringified if it was not a string). */
  readonly input: string;

  constructor(code: AmountErrorCode, input: string, message: string) {
    super(message);
    this.name = "AmountError";
    this.code = code;
    this.input = input;
  }
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export function fitsInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 38; i++, p *= 10n) POW10.push(p);

/** 10^n as a bigint (cached for 0 <= n <= 38). */
export function pow10(n: number): bigint {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`pow10: bad exponent ${n}`);
  return n < POW10.length ? POW10[n] : 10n ** BigInt(n);
}

export interface ParseOptions {
  /** Accept zero (default false). */
  allowZero?: boolean;
  /** Accept negative values (default false). */
  allowNegative?: boolean;
  /** The field name used in error messages (default "amount"). */
  label?: string;
}

const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;
/** INT64_MAX has 19 digits: an integer part longer than that cannot fit at any scale >= 0. */
const MAX_INT_DIGITS = 19;

function show(text: unknown): string {
  return typeof text === "string"
    ? JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)
    : String(text);
}

/**
 * Parses `text` into minor units at `scale` decimals, allowing at most `maxDecimals`
 * significant decimals (`maxDecimals <= scale`).
 */
export function parseDecimal(
  text: string,
  scale: number,
  maxDecimals: number,
  opts: ParseOptions = {},
): bigint {
  if (
    !Number.isInteger(scale) ||
    scale < 0 ||
    !Number.isInteger(maxDecimals) ||
    maxDecimals < 0 ||
    maxDecimals > scale
  ) {
    throw new RangeError(`parseDecimal: bad scale ${scale} / maxDecimals ${maxDecimals}`);
  }
  const label = opts.label ?? "amount";
  const m = typeof text === "string" ? DECIMAL.exec(text) : null;
  if (m === null) {
    throw new AmountError(
      "not-decimal",
      String(text),
      `${label} ${show(text)} is not a decimal number (expected digits with an optional "-" and "." part, like "12.5")`,
    );
  }
  const negative = m[1] === "-";
  const intDigits = m[2].replace(/^0+/, "");
  const fracDigits = (m[3] ?? "").replace(/0+$/, "");
  if (fracDigits.length > maxDecimals) {
    throw new AmountError(
      "too-many-decimals",
      text,
      `${label} ${show(text)} has ${fracDigits.length} decimals; at most ${maxDecimals} are accepted`,
    );
  }
  if (intDigits.length > MAX_INT_DIGITS) {
    throw new AmountError(
      "out-of-range",
      text,
      `${label} ${show(text)} does not fit a signed 64-bit integer of minor units`,
    );
  }
  const magnitude =
    BigInt(intDigits || "0") * pow10(scale) + BigInt((fracDigits || "0").padEnd(scale, "0") || "0");
  const value = negative ? -magnitude : magnitude;
  if (!fitsInt64(value)) {
    throw new AmountError(
      "out-of-range",
      text,
      `${label} ${show(text)} does not fit a signed 64-bit integer of minor units`,
    );
  }
  if (value < 0n && !opts.allowNegative) {
    throw new AmountError("negative", text, `${label} ${show(text)} must not be negative`);
  }
  if (value === 0n && !opts.allowZero) {
    throw new AmountError("zero", text, `${label} ${show(text)} must be greater than zero`);
  }
  return value;
}

/**
 * Formats minor units at `scale` decimals as the minimal decimal string: no trailing zeros, no
 * trailing point, "0" for zero ("8999.99", "0", "0.5", "-12").
 */
export function formatDecimal(minor: bigint, scale: number): string {
  if (typeof minor !== "bigint") throw new TypeError(`formatDecimal: expected a bigint, got ${typeof minor}`);
  const unit = pow10(scale);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const intPart = (abs / unit).toString();
  const frac = scale === 0 ? "" : (abs % unit).toString().padStart(scale, "0").replace(/0+$/, "");
  return (negative ? "-" : "") + intPart + (frac === "" ? "" : `.${frac}`);
}

function assetOf(asset: AssetInfo | AssetCode): AssetInfo {
  return typeof asset === "string" ? assetByCode(asset) : asset;
}

/**
 * Parses an amount of `asset` from a request: kept at the asset's `decimals`, with at most its
 * `requestDecimals` ("1.1234567" USDT is rejected: USDT accepts 6). Positive unless `opts` say
 * otherwise.
 */
export function parseAmount(text: string, asset: AssetInfo | AssetCode, opts: ParseOptions = {}): bigint {
  const a = assetOf(asset);
  return parseDecimal(text, a.decimals, a.requestDecimals, {
    ...opts,
    label: `${opts.label ?? "amount"} (${a.code})`,
  });
}

/** Formats minor units of `asset` as a minimal decimal string. */
export function formatAmount(minor: bigint, asset: AssetInfo | AssetCode): string {
  return formatDecimal(minor, assetOf(asset).decimals);
}
