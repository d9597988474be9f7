/**
 * Request signing, shared by clients (the harness, tests, real callers) and the gateway.
 *
 * A request carries three headers:
 *   x-api-key:    the caller's API key
 *   x-timestamp:  epoch milliseconds (an integer), within `authWindowMs` of the gateway's clock
 *   x-signature:  lowercase hex HMAC-SHA256(secret, payload) where payload is
 *
 *     `${METHOD}\n${path}\n${canonical query}\n${body}\n${timestamp}`
 *
 * - METHOD is upper case ("GET", "POST");
 * - path is the URL path exactly as sent, without the query ("/api/user/balance");
 * - canonical query: the query's (name, value) pairs, decoded, sorted by name then value (plain
 *   code-unit order), each `encodeURIComponent(name)=encodeURIComponent(value)`, joined by "&";
 *   "" without a query;
 * - body is the raw request body exactly as sent ("" for a GET);
 * - timestamp is the x-timestamp header's text.
 *
 * HMAC via node:crypto `createHmac` is deterministic (no randomness), so it may run in engine/.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const HEADER_KEY = "x-api-key";
export const HEADER_TIMESTAMP = "x-timestamp";
export const HEADER_SIGNATURE = "x-signature";

export type QueryValue = string | number | bigint | boolean;
export type QueryInput = string | Record<string, QueryValue | QueryValue[] | null | undefined>;

/** The decoded (name, value) pairs of a query, in their original order. */
export function queryPairs(query: QueryInput | undefined): Array<[string, string]> {
  if (query === undefined) return [];
  if (typeof query === "string") {
    const text = query.startsWith("?") ? query.slice(1) : query;
    return [...new URLSearchParams(text)];
  }
  const out: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) out.push([name, String(item)]);
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical form of a query (see the module comment); "" for none. */
export function canonicalQuery(query: QueryInput | undefined): string {
  return queryPairs(query)
    .sort((x, y) => cmp(x[0], y[0]) || cmp(x[1], y[1]))
    .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`)
    .join("&");
}

/** The text that is signed. */
export function signingPayload(
  method: string,
  path: string,
  canonical: string,
  body: string,
  timestamp: string,
): string {
  return `${method.toUpperCase()}\n${path}\n${canonical}\n${body}\n${timestamp}`;
}

export function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

/** Constant-time comparison of a presented signature with the expected one (hex, any case). */
export function signatureMatches(presented: string, expected: string): boolean {
  const p = presented.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(p) || expected.length !== 64) return false;
  return timingSafeEqual(Buffer.from(p, "ascii"), Buffer.from(expected, "ascii"));
}

export interface SignRequestInput {
  method: string;
  /** The URL path; a "?query" part here is merged with `query`. */
  path: string;
  query?: QueryInput;
  /** The body: a string is sent as is; anything else is sent as its JSON. */
  body?: unknown;
  key: string;
  secret: string;
  /** Epoch milliseconds. */
  timestamp: number;
}

export interface SignedRequest {
  method: string;
  /** Path plus canonical query: what to request (`app.inject({url})`, fetch). */
  url: string;
  /** The exact body text that was signed ("" for none): send it verbatim. */
  body: string;
  headers: Record<string, string>;
  signature: string;
}

/** Signs a request the way the gateway verifies it (client side; used by the harness and tests). */
export function signRequest(input: SignRequestInput): SignedRequest {
  const method = input.method.toUpperCase();
  const q = input.path.indexOf("?");
  const path = q < 0 ? input.path : input.path.slice(0, q);
  const pairs = [...queryPairs(q < 0 ? undefined : input.path.slice(q + 1)), ...queryPairs(input.query)];
  const canonical = canonicalQuery(Object.fromEntries(groupPairs(pairs)));
  const body =
    input.body === undefined || input.body === null
      ? ""
      : typeof input.body === "string"
        ? input.body
        : JSON.stringify(input.body);
  const timestamp = String(input.timestamp);
  const signature = hmacHex(input.secret, signingPayload(method, path, canonical, body, timestamp));
  const headers: Record<string, string> = {
    [HEADER_KEY]: input.key,
    [HEADER_TIMESTAMP]: timestamp,
    [HEADER_SIGNATURE]: signature,
  };
  if (body !== "") headers["content-type"] = "application/json";
  return { method, url: canonical === "" ? path : `${path}?${canonical}`, body, headers, signature };
}

function groupPairs(pairs: Array<[string, string]>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [n, v] of pairs) {
    const list = m.get(n);
    if (list) list.push(v);
    else m.set(n, [v]);
  }
  return m;
}
