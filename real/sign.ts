/**
 * Signs one gateway request and prints the curl command that sends it (or sends it: --send).
 * Requests are signed with HMAC-SHA256 over method, path, canonical query, body and timestamp
 * (engine/gateway/signing.ts); a signature is valid for 30 s, so sign right before sending.
 *
 *   npx node real/sign.ts --key K --secret S GET '/api/user/balance?user_id=1001'
 *   npx node real/sign.ts --key K --secret S POST /api/v1/transfer_in \
 *     '{"request_id":"dep-1","user_id":1001,"asset":"BTC","amount":"1"}'
 *   eval "$(npx node real/sign.ts --key K --secret S GET '/api/user/balance?user_id=1001')"
 *
 * `tradesim serve` prints the key and secret of its demo user.
 */
import { parseArgs } from "node:util";
import { curlLine } from "./serve.ts";

const USAGE =
  "usage: npx node real/sign.ts --key KEY --secret SECRET [--base http://127.0.0.1:3001] [--send] METHOD PATH [BODY]";

function main(): Promise<number> | number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [method, path, body] = positionals;
  if (!values.key || !values.secret || !method || !path || positionals.length > 3) {
    console.error(USAGE);
    return 2;
  }
  const base = values.base ?? "http://127.0.0.1:3001";
  const line = curlLine({ base, method, path, body, key: values.key, secret: values.secret });
  if (!values.send) {
    console.log(line);
    return 0;
  }
  return send(base, method, path, body, values.key, values.secret);
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      key: { type: "string" },
      secret: { type: "string" },
      base: { type: "string" },
      send: { type: "boolean" },
    },
  });
}

async function send(
  base: string,
  method: string,
  path: string,
  body: string | undefined,
  key: string,
  secret: string,
) {
  const { signRequest } = await import("../engine/gateway/signing.ts");
  const s = signRequest({ method, path, body, key, secret, timestamp: Date.now() });
  const res = await fetch(base + s.url, {
    method: s.method,
    headers: s.headers,
    body: s.body === "" ? undefined : s.body,
  });
  console.log(await res.text());
  return res.ok ? 0 : 1;
}

Promise.resolve(main()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
