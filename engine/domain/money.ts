/**
 * Prices, quote costs and fees. Pure bigint arithmetic; no floating point.
 *
 * PRICE REPRESENTATION. A price is an amount of QUOTE minor units per ONE WHOLE base unit:
 * "50000" USDT per BTC is 50000 * 10^8 = 5 000 000 000 000 (USDT keeps 8 decimals). It is
 * parsed exactly like a quote amount, then checked against the symbol's tick.
 * A quantity is an amount of BASE minor units (0.01 BTC = 1 000 000), checked against the lot.
 *
 * QUOTE COST. The quote value of `qty` base minor units at `price` is
 *   price * qty / 10^baseDecimals
 * computed once, here, and exact: price is a multiple of the tick and qty of the lot, and every
 * symbol's tick * lot is a multiple of 10^baseDecimals, so the division leaves no remainder.
 * `quoteCost` asserts that and throws instead of rounding.
 *
 * ROUNDING RULE (the only one). The one place anything is rounded is the fee:
 *   fee(amount, bps) = floor(amount * bps / 10000)
 * rounded DOWN, charged on the asset received. Rounding down means the fee account never
 * receives more than the stated rate, and since the fee is carved out of an amount that already
 * exists (the receiver gets amount - fee, the fee account gets fee) no money is created or lost.
 */
import { AmountError, formatDecimal, type ParseOptions, parseDecimal, pow10 } from "./amount.ts";
import type { SymbolInfo } from "./symbols.ts";

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyError";
  }
}

/**
 * Quote minor units for `qty` base minor units at `price` (quote minor units per whole base
 * unit): price * qty / 10^baseDecimals, exact. Throws a MoneyError if either input is negative
 * or the product is not divisible (a price off the tick or a quantity off the lot).
 */
export function quoteCost(price: bigint, qty: bigint, baseDecimals: number): bigint {
  if (price < 0n || qty < 0n) throw new MoneyError(`quoteCost: negative input (price ${price}, qty ${qty})`);
  const product = price * qty;
  const unit = pow10(baseDecimals);
  if (product % unit !== 0n) {
    throw new MoneyError(
      `quoteCost: price ${price} * qty ${qty} is not a multiple of 10^${baseDecimals}; ` +
        `a price off the tick or a quantity off the lot reached the money path`,
    );
  }
  return product / unit;
}

/**
 * The fee on `amount` at `bps` basis points, rounded DOWN: floor(amount * bps / 10000).
 * `amount` must be >= 0 and `bps` an integer in [0, 10000].
 */
export function fee(amount: bigint, bps: number | bigint): bigint {
  if (amount < 0n) throw new MoneyError(`fee: negative amount ${amount}`);
  const b = typeof bps === "bigint" ? bps : Number.isInteger(bps) ? BigInt(bps) : -1n;
  if (b < 0n || b > 10_000n) throw new MoneyError(`fee: bps must be an integer in [0, 10000], got ${bps}`);
  // amount and b are non-negative, so bigint division (which truncates) is floor.
  return (amount * b) / 10_000n;
}

/**
 * The largest multiple of `lot` base minor units whose quote cost at `price` is at most
 * `budget` quote minor units: floor(budget * 10^baseDecimals / (price * lot)) * lot.
 * Used to bound a market buy by the quote UBSCore froze for it.
 */
export function maxQtyForQuote(price: bigint, budget: bigint, baseDecimals: number, lot: bigint): bigint {
  if (price <= 0n || lot <= 0n) throw new MoneyError(`maxQtyForQuote: price and lot must be positive`);
  if (budget <= 0n) return 0n;
  return ((budget * pow10(baseDecimals)) / (price * lot)) * lot;
}

/**
 * Parses a price for `symbol` ("50000.25" USDT per BTC) into quote minor units per whole base
 * unit; accepts at most the quote asset's request decimals and requires a multiple of the tick.
 */
export function parsePrice(symbol: SymbolInfo, text: string, opts: ParseOptions = {}): bigint {
  const label = opts.label ?? `price (${symbol.name})`;
  const v = parseDecimal(text, symbol.quote.decimals, symbol.quote.requestDecimals, { ...opts, label });
  if (v % symbol.tick !== 0n) {
    throw new AmountError(
      "not-tick-multiple",
      text,
      `${label} ${JSON.stringify(text)} is not a multiple of the tick ${symbol.tickText}`,
    );
  }
  return v;
}

/**
 * Parses a quantity for `symbol` ("0.01" BTC) into base minor units; accepts at most the base
 * asset's request decimals and requires a multiple of the lot.
 */
export function parseQty(symbol: SymbolInfo, text: string, opts: ParseOptions = {}): bigint {
  const label = opts.label ?? `qty (${symbol.name})`;
  const v = parseDecimal(text, symbol.base.decimals, symbol.base.requestDecimals, { ...opts, label });
  if (v % symbol.lot !== 0n) {
    throw new AmountError(
      "not-lot-multiple",
      text,
      `${label} ${JSON.stringify(text)} is not a multiple of the lot ${symbol.lotText}`,
    );
  }
  return v;
}

export function formatPrice(symbol: SymbolInfo, price: bigint): string {
  return formatDecimal(price, symbol.quote.decimals);
}

export function formatQty(symbol: SymbolInfo, qty: bigint): string {
  return formatDecimal(qty, symbol.base.decimals);
}
