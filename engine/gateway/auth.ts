/**
 * Authentication (who is calling) and authorisation (may they touch this user_id).
 *
 * Keys live in the `api_keys` table (key -> user_id, secret), written by `provisionApiKey`. The
 * gateway caches found keys in memory, only as a cache: a new instance reads them again.
 *
 * A request is rejected, before anything is read for it or published, when:
 *   1001  a header is missing (x-api-key, x-timestamp, x-signature);
 *   1004  x-timestamp is not an integer;
 *   1005  x-timestamp is more than config.authWindowMs away from clock.now();
 *   1002  the key is unknown;
 *   1003  the signature does not match (see signing.ts for what is signed);
 *   1006  the request names a user_id (body or query) other than the key's owner.
 * A captured request can be replayed within the window; for writes that is harmless (a replay is
 * answered from the `requests` table and changes nothing), for reads it reveals nothing new.
 */
import type { FastifyRequest } from "fastify";
import { isRetriableStoreError } from "../common/retry.ts";
import type { EngineConfig } from "../config.ts";
import type { ResultSet, Store } from "../ports/index.ts";
import { TABLES } from "../schema/cql.ts";
import { type ApiKeyRecord, type GatewayContext, table } from "./context.ts";
import { run, text } from "./db.ts";
import { GatewayError } from "./errors.ts";
import {
  canonicalQuery,
  HEADER_KEY,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  hmacHex,
  signatureMatches,
  signingPayload,
} from "./signing.ts";

export type { ApiKeyRecord } from "./context.ts";

function header(req: FastifyRequest, name: string): string | null {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === "string" && s !== "" ? s : null;
}

/** The path and the raw query of a request's URL. */
export function splitUrl(url: string): { path: string; rawQuery: string } {
  const q = url.indexOf("?");
  return q < 0 ? { path: url, rawQuery: "" } : { path: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

async function lookupKey(ctx: GatewayContext, key: string): Promise<ApiKeyRecord | null> {
  const cached = ctx.keyCache.get(key);
  if (cached) return cached;
  const rs = await run(
    ctx,
    `SELECT user_id, secret FROM ${table(ctx.config, TABLES.apiKeys)} WHERE api_key = ?`,
    [key],
  );
  const row = rs.first();
  if (row === null) return null;
  const uid = row.user_id;
  const secret = text(row, "secret");
  const user_id = typeof uid === "bigint" ? Number(uid) : typeof uid === "number" ? uid : Number.NaN;
  if (!Number.isSafeInteger(user_id) || secret === null) {
    throw new Error(`api_keys row for key ${JSON.stringify(key)} is malformed`);
  }
  const rec: ApiKeyRecord = { key, user_id, secret };
  ctx.keyCache.set(key, rec);
  return rec;
}

/** Verifies a request's headers and signature; answers the key's record (its owner) or throws. */
export async function authenticate(ctx: GatewayContext, req: FastifyRequest): Promise<ApiKeyRecord> {
  const key = header(req, HEADER_KEY);
  const ts = header(req, HEADER_TIMESTAMP);
  const sig = header(req, HEADER_SIGNATURE);
  const missing = [
    key === null ? HEADER_KEY : null,
    ts === null ? HEADER_TIMESTAMP : null,
    sig === null ? HEADER_SIGNATURE : null,
  ].filter((h) => h !== null);
  if (key === null || ts === null || sig === null) {
    throw new GatewayError("AUTH_MISSING", `missing header(s): ${missing.join(", ")}`, { headers: missing });
  }
  if (!/^\d{1,16}$/.test(ts)) {
    throw new GatewayError(
      "AUTH_BAD_TIMESTAMP",
      `x-timestamp ${JSON.stringify(ts)} is not an integer of epoch ms`,
    );
  }
  const now = ctx.ports.clock.now();
  const skew = Number(ts) - now;
  if (Math.abs(skew) > ctx.config.authWindowMs) {
    throw new GatewayError(
      "AUTH_STALE_TIMESTAMP",
      `x-timestamp ${ts} is ${Math.abs(skew)} ms ${skew < 0 ? "behind" : "ahead of"} the gateway's clock; at most ${ctx.config.authWindowMs} ms are accepted`,
      { now },
    );
  }
  if (key.length > 256) throw new GatewayError("AUTH_UNKNOWN_KEY", "unknown API key");
  const rec = await lookupKey(ctx, key);
  if (rec === null) throw new GatewayError("AUTH_UNKNOWN_KEY", "unknown API key");
  const { path, rawQuery } = splitUrl(req.url);
  const body = typeof req.body === "string" ? req.body : "";
  const expected = hmacHex(rec.secret, signingPayload(req.method, path, canonicalQuery(rawQuery), body, ts));
  if (!signatureMatches(sig, expected)) {
    throw new GatewayError(
      "AUTH_BAD_SIGNATURE",
      "bad signature: expected hex HMAC-SHA256(secret, METHOD \\n path \\n canonical query \\n body \\n timestamp)",
    );
  }
  return rec;
}

/** Throws 1006 unless `user_id` is the caller's own. */
export function requireOwner(caller: ApiKeyRecord, user_id: number, where: "body" | "query"): void {
  if (user_id !== caller.user_id) {
    throw new GatewayError(
      "AUTH_FORBIDDEN_USER",
      `user_id ${user_id} in the ${where} is not the owner of this API key`,
      { field: "user_id" },
    );
  }
}

export interface ProvisionInput {
  user_id: number;
  key: string;
  secret: string;
}

/** Attempts of the conditional insert (a timed-out attempt may have applied; the retry sees it). No
 * clock is needed: the store's own timeouts pace the retries. */
const PROVISION_ATTEMPTS = 5;

/**
 * Creates an API key for a user (idempotent): `INSERT ... IF NOT EXISTS`. Provisioning the same
 * (key, user_id, secret) again, or a retry that finds its own earlier write, succeeds; a key that
 * already belongs to another user or has another secret is an error.
 */
export async function provisionApiKey(
  store: Store,
  config: EngineConfig,
  input: ProvisionInput,
): Promise<void> {
  const { user_id, key, secret } = input;
  if (!Number.isSafeInteger(user_id) || user_id <= 0)
    throw new RangeError(`provisionApiKey: bad user_id ${user_id}`);
  if (typeof key !== "string" || key === "" || key.length > 256)
    throw new RangeError("provisionApiKey: bad key");
  if (typeof secret !== "string" || secret === "") throw new RangeError("provisionApiKey: bad secret");
  const t = table(config, TABLES.apiKeys);
  for (let attempt = 1; ; attempt++) {
    let rs: ResultSet;
    try {
      rs = await store.execute(
        `INSERT INTO ${t} (api_key, user_id, secret) VALUES (?, ?, ?) IF NOT EXISTS`,
        [key, BigInt(user_id), secret],
        { prepare: true },
      );
    } catch (err) {
      // a timed-out conditional write may have applied: the retry then finds our own row
      if (!isRetriableStoreError(err) || attempt >= PROVISION_ATTEMPTS) throw err;
      continue;
    }
    if (rs.wasApplied()) return;
    const fromLwt = rs.first();
    const existing =
      fromLwt !== null && "secret" in fromLwt
        ? fromLwt
        : (
            await store.execute(`SELECT user_id, secret FROM ${t} WHERE api_key = ?`, [key], {
              prepare: true,
            })
          ).first();
    const owner = existing?.user_id;
    if (
      existing &&
      (typeof owner === "bigint" || typeof owner === "number") &&
      BigInt(owner) === BigInt(user_id) &&
      existing.secret === secret
    ) {
      return; // already provisioned exactly like this (possibly by our own timed-out attempt)
    }
    throw new Error(`provisionApiKey: key ${JSON.stringify(key)} already exists for another user or secret`);
  }
}
