/**
 * Statements through the store port, with the gateway's retry policy: a failure a retry may fix
 * (engine/common's isRetriableStoreError: timeouts, no host, unavailable, overloaded, ...) is
 * retried a few times with a short backoff on the Clock port, then answered 5003; anything else
 * (a statement the cluster rejects: unknown keyspace, partition key not restricted) is a bug and
 * is thrown as is (5000, logged). The gateway only writes once (provisioning api keys, idempotently), so
 * retrying is always safe here.
 */
import { isRetriableStoreError } from "../common/retry.ts";
import type { CqlValue, ResultSet, Row } from "../ports/index.ts";
import type { GatewayContext } from "./context.ts";
import { GatewayError } from "./errors.ts";

/** Attempts per statement, and the first backoff (doubled each time), in ms. */
export const STORE_ATTEMPTS = 3;
export const STORE_BACKOFF_MS = 5;

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
      if (!isRetriableStoreError(err)) throw err;
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
