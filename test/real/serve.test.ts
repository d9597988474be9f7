/**
 * `tradesim serve --adapters real`: the exchange on real Kafka and Cassandra with the gateway
 * listening. The printed curl line (signed for the demo user) answers the balance as DOMAIN.md
 * shows; a signed deposit changes it. Runs in its own keyspace and topic namespace.
 *
 * Brings Kafka and Cassandra up itself; without Java 17 or Maven it FAILS with the scripts' message.
 */
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../engine/gateway/signing.ts";
import { type RealEnv, stampedId } from "../../real/env.ts";
import { curlLine, type Served, serve } from "../../real/serve.ts";
import { useRealEnv } from "./real-env.ts";

let env: RealEnv;
let served: Served;
const prefix = `tsr.${stampedId()}.`;
useRealEnv((e) => {
  env = e;
});

beforeAll(async () => {
  // Its own keyspace (the test env's, dropped at the end) and topics, on any free port.
  served = await serve({
    port: 0,
    keyspace: env.keyspace,
    topicPrefix: prefix,
    demoUser: 1001,
    log: () => {},
  });
}, 600_000);

afterAll(async () => {
  await served?.stop();
  await env?.dropTopics(prefix, ["ubscore", "matching-engine", "settlement"]);
}, 120_000);

const sh = (line: string) =>
  new Promise<string>((resolve, reject) =>
    execFile("sh", ["-c", line], { timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );

describe("tradesim serve", () => {
  it("answers the demo user's signed balance request, and a signed deposit shows in it", async () => {
    const demo = served.demo!;
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const balance = `/api/user/balance?user_id=${demo.user}`;
    const before = JSON.parse(
      await sh(
        curlLine({ base: served.url, method: "GET", path: balance, key: demo.key, secret: demo.secret }),
      ),
    );
    expect(before).toEqual({
      status: 0,
      msg: "ok",
      data: [
        { asset: "BTC", avail: "0", frozen: "0" },
        { asset: "USDT", avail: "0", frozen: "0" },
        { asset: "ETH", avail: "0", frozen: "0" },
      ],
    });

    const body = JSON.stringify({ request_id: "dep-1", user_id: demo.user, asset: "BTC", amount: "1.5" });
    const s = signRequest({
      method: "POST",
      path: "/api/v1/transfer_in",
      body,
      key: demo.key,
      secret: demo.secret,
      timestamp: Date.now(),
    });
    const res = await fetch(served.url + s.url, { method: "POST", headers: s.headers, body: s.body });
    expect(await res.json()).toMatchObject({ status: 0, msg: "ok" });

    const after = JSON.parse(
      await sh(
        curlLine({ base: served.url, method: "GET", path: balance, key: demo.key, secret: demo.secret }),
      ),
    );
    expect(after.data[0]).toEqual({ asset: "BTC", avail: "1.5", frozen: "0" });

    const unsigned = await fetch(`${served.url}${balance}`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ status: 1001 });
  }, 60_000);

  it("tradesim serve --adapters sim is refused with exit 2", async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, ["bin/tradesim.js", "serve", "--adapters", "sim"], (err, _o, stderr) =>
        resolve({ code: err === null ? 0 : Number(err.code), stderr }),
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--adapters sim");
  }, 60_000);
});
