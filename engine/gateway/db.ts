/**
 * Statements through the store port, with the gateway's retry policy: a transient failure
 * (timeout, no host, an unavailable/overloaded/read-timeout coordinator) is retried a few times
 * with a short backoff on the Clock port; anything else (a statement the cluster rejects) is a
 * bug and is thrown as is. The gateway only writes once (provisioning api keys, idempotently), so
 * retrying is always safe here.
 */
import type { CqlValue, ResultSet, Row } from "../ports/index.ts";
import type { GatewayContext } from "./context.ts";
import { GatewayError } from "./errors.ts";

/** Attempts per statement, and the first backoff (doubled each time), in ms. */
export const STORE_ATTEMPTS = 3;
export const STORE_BACKOFF_MS = 5;

/** True for failures worth retrying: timeouts, no host, and server-side overload/unavailability. */
export function isTransientStoreError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "OperationTimedOutError" || err.name === "NoHostAvailableError") return true;
  if (err.name === "ResponseError") {
    const code = (err as Error & { code?: number }).code;
    // unavailable 0x1000, overloaded 0x1001, isBootstrapping 0x1002, truncate 0x1003,
    // writeTimeout 0x1100, readTimeout 0x1200, readFailure 0x1300, ...
    return typeof code === "number" && code >= 0x1000 && code < 0x1500;
  }
  return false;
}

/**
 * Executes a read (or an idempotent write), retrying transient failures; after the last attempt
 * throws GatewayError STORE_UNAVAILABLE. Non-transient errors propagate (internal error).
 */
export async function run(ctx: GatewayContext, cql: string, params: CqlValue[]): Promise<ResultSet> {
  let backoff = STORE_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.ports.store.execute(cql, params, { prepare: true });
    } catch (err) {
      if (!isTransientStoreError(err)) throw err;
      if (attempt >= STORE_ATTEMPTS) {
        ctx.ports.logger.warn("gateway: store unavailable", { cql, error: String(err) });
        throw new GatewayError("STORE_UNAVAILABLE", `store unavailable: ${(err as Error).message}`);
      }
      await ctx.ports.clock.sleep(backoff);
      backoff *= 2;
    }
  }
}

// ---- column conversions (the store returns bigint for bigint columns; be exact about it) ----

export function big(row: Row, col: string): bigint {
  const v = row[col];
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
  if (v === null || v === undefined) return 0n;
  throw new TypeError(`column ${col}: expected an integer, got ${typeof v}`);
}

export function bigOrNull(row: Row, col: string): bigint | null {
  const v = row[col];
  return v === null || v === undefined ? null : big(row, col);
}

export function num(row: Row, col: string): number {
  const v = row[col];
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v === null || v === undefined) return 0;
  throw new TypeError(`column ${col}: expected a number, got ${typeof v}`);
}

export function text(row: Row, col: string): string | null {
  const v = row[col];
  return v === null || v === undefined ? null : String(v);
}
