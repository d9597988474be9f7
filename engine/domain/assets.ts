/**
 * The asset table: the ONE place that says which assets exist, their ids and their scales.
 *
 * - `decimals` is the scale amounts are KEPT at: an amount of `n` minor units means
 *   `n / 10^decimals` whole units (1 BTC = 100 000 000 minor units). Every amount in the
 *   engine is a `bigint` of minor units.
 * - `requestDecimals` is how many decimals a client may send in a request (USDT keeps 8 but
 *   accepts only 6); `parseAmount` enforces it.
 */
export type AssetCode = "BTC" | "USDT" | "ETH";

export interface AssetInfo {
  readonly id: number;
  readonly code: AssetCode;
  /** Decimals kept: 1 whole unit = 10^decimals minor units. */
  readonly decimals: number;
  /** Decimals accepted in requests (at most `decimals`). */
  readonly requestDecimals: number;
}

function asset(id: number, code: AssetCode, decimals: number, requestDecimals: number): AssetInfo {
  return Object.freeze({ id, code, decimals, requestDecimals });
}

export const BTC: AssetInfo = asset(1, "BTC", 8, 8);
export const USDT: AssetInfo = asset(2, "USDT", 8, 6);
export const ETH: AssetInfo = asset(3, "ETH", 8, 8);

/** Every asset, by ascending id. */
export const ASSETS: readonly AssetInfo[] = Object.freeze([BTC, USDT, ETH]);

const BY_CODE: ReadonlyMap<string, AssetInfo> = new Map(ASSETS.map((a) => [a.code, a]));
const BY_ID: ReadonlyMap<number, AssetInfo> = new Map(ASSETS.map((a) => [a.id, a]));

export function isAssetCode(code: string): code is AssetCode {
  return BY_CODE.has(code);
}

/** The asset named `code` ("BTC"); throws a RangeError naming the known codes otherwise. */
export function assetByCode(code: string): AssetInfo {
  const a = BY_CODE.get(code);
  if (a === undefined) {
    throw new RangeError(
      `unknown asset ${JSON.stringify(code)} (known: ${ASSETS.map((x) => x.code).join(", ")})`,
    );
  }
  return a;
}

/** The asset with id `id`; throws a RangeError otherwise. */
export function assetById(id: number): AssetInfo {
  const a = BY_ID.get(id);
  if (a === undefined) {
    throw new RangeError(`unknown asset id ${id} (known: ${ASSETS.map((x) => x.id).join(", ")})`);
  }
  return a;
}
