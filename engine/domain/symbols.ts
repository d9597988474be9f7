/**
 * The symbol table: the ONE place that says which symbols trade, their ids, tick and lot sizes
 * and their default fee rates.
 *
 * Units (see money.ts for the price representation):
 * - `tick`: the price step, in QUOTE minor units per ONE WHOLE base unit. BTC_USDT's tick of
 *   0.01 USDT is 0.01 * 10^8 = 1 000 000.
 * - `lot`: the quantity step, in BASE minor units. BTC_USDT's lot of 0.00001 BTC is 1 000.
 * Every price is a multiple of `tick` and every quantity a multiple of `lot`; together they
 * make `price * qty / 10^baseDecimals` an exact integer (checked in test/matching/domain).
 */
import { type AssetInfo, BTC, ETH, USDT } from "./assets.ts";

export type SymbolName = "BTC_USDT" | "ETH_USDT";

/** Fee rates in basis points (1 bp = 0.01 %), the shape a scenario's `config.fees` uses. */
export interface FeeRates {
  readonly maker_bps: number;
  readonly taker_bps: number;
}

/** Default fee rates for every symbol unless a scenario's config overrides them. */
export const DEFAULT_FEES: FeeRates = Object.freeze({ maker_bps: 10, taker_bps: 20 });

export interface SymbolInfo {
  readonly id: number;
  readonly name: SymbolName;
  readonly base: AssetInfo;
  readonly quote: AssetInfo;
  /** Price step in quote minor units per whole base unit. */
  readonly tick: bigint;
  /** Quantity step in base minor units. */
  readonly lot: bigint;
  /** The same steps as decimal strings, for messages and docs. */
  readonly tickText: string;
  readonly lotText: string;
  readonly fees: FeeRates;
}

function symbol(
  id: number,
  name: SymbolName,
  base: AssetInfo,
  quote: AssetInfo,
  tickText: string,
  tick: bigint,
  lotText: string,
  lot: bigint,
): SymbolInfo {
  return Object.freeze({ id, name, base, quote, tick, lot, tickText, lotText, fees: DEFAULT_FEES });
}

/** tick 0.01 USDT = 10^6 USDT minor units; lot 0.00001 BTC = 10^3 BTC minor units. */
export const BTC_USDT: SymbolInfo = symbol(0, "BTC_USDT", BTC, USDT, "0.01", 1_000_000n, "0.00001", 1_000n);
/** tick 0.01 USDT = 10^6 USDT minor units; lot 0.0001 ETH = 10^4 ETH minor units. */
export const ETH_USDT: SymbolInfo = symbol(1, "ETH_USDT", ETH, USDT, "0.01", 1_000_000n, "0.0001", 10_000n);

/** Every symbol, by ascending id. */
export const SYMBOLS: readonly SymbolInfo[] = Object.freeze([BTC_USDT, ETH_USDT]);

const BY_NAME: ReadonlyMap<string, SymbolInfo> = new Map(SYMBOLS.map((s) => [s.name, s]));
const BY_ID: ReadonlyMap<number, SymbolInfo> = new Map(SYMBOLS.map((s) => [s.id, s]));

export function isSymbolName(name: string): name is SymbolName {
  return BY_NAME.has(name);
}

/** The symbol named `name` ("BTC_USDT"); throws a RangeError naming the known symbols otherwise. */
export function symbolByName(name: string): SymbolInfo {
  const s = BY_NAME.get(name);
  if (s === undefined) {
    throw new RangeError(
      `unknown symbol ${JSON.stringify(name)} (known: ${SYMBOLS.map((x) => x.name).join(", ")})`,
    );
  }
  return s;
}

/** The symbol with id `id`; throws a RangeError otherwise. */
export function symbolById(id: number): SymbolInfo {
  const s = BY_ID.get(id);
  if (s === undefined) {
    throw new RangeError(`unknown symbol id ${id} (known: ${SYMBOLS.map((x) => x.id).join(", ")})`);
  }
  return s;
}
