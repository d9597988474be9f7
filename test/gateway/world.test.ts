/**
 * The gateway in the whole simulated exchange (sim/world): simulated Kafka and Scylla, the real
 * UBSCore, matching engine and Settlement. What the unit tests check against a stub, here
 * against the real pipeline: verdicts, idempotency, order states, and reads that the simulated
 * Scylla validates like Cassandra (full partition key, keyspace).
 */
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../engine/config.ts";
import { ERRORS, signRequest } from "../../engine/gateway/index.ts";
import { TOPICS } from "../../engine/protocol/topics.ts";
import { PROFILES } from "../../sim/faults/catalog.ts";
import { SIM_EPOCH_MS } from "../../sim/ports/clock.ts";
import type { ClientRequest } from "../../sim/world/client.ts";
import { World } from "../../sim/world/world.ts";
import { streamOf } from "./harness.ts";

const A = 1001;
const B = 1002;

async function world(): Promise<World> {
  const w = new World({ seed: 7, rates: PROFILES.none, config: defaultConfig(), users: [A, B] });
  await w.boot();
  return w;
}

interface Env<T = unknown> {
  http: number;
  status: number;
  msg: string;
  data: T;
}

/**
 * A signed request to the world's gateway, run until answered. Injected directly with a stream
 * payload (see harness.ts streamOf), so it goes through while the world is busy (a crashed
 * service's group rebalancing, say).
 */
async function ask<T = unknown>(w: World, user: number, req: ClientRequest): Promise<Env<T>> {
  const app = w.live.gateway;
  if (app === null) throw new Error("gateway down");
  const creds = w.credentials.get(user)!;
  const s = signRequest({ ...req, ...creds, timestamp: SIM_EPOCH_MS + Math.floor(w.sched.now() / 1000) });
  let res: { statusCode: number; body: string } | null = null;
  void app
    .inject({ method: req.method, url: s.url, headers: s.headers, payload: streamOf(s.body) })
    .then((r) => {
      res = r;
    });
  for (let i = 0; i < 1000 && res === null; i++) {
    await w.sched.run({ until: () => res !== null });
    if (res === null) await new Promise<void>((r) => setImmediate(r));
  }
  const r = res as { statusCode: number; body: string } | null;
  if (r === null) throw new Error("no answer");
  return { http: r.statusCode, ...(JSON.parse(r.body) as { status: number; msg: string; data: T }) };
}

const post = (path: string, body: unknown): ClientRequest => ({ method: "POST", path, body });
const get = (path: string, query: Record<string, string | number> = {}): ClientRequest => ({
  method: "GET",
  path,
  query,
});

function operationsPublished(w: World): number {
  let n = 0;
  for (let p = 0; p < w.kafka.partitions(TOPICS.operations); p++)
    n += w.kafka.highWatermark(TOPICS.operations, p);
  return n;
}

describe("gateway in the simulated exchange", () => {
  it("deposits, refuses an uncovered withdrawal, trades, cancels, and reads it all back", async () => {
    const w = await world();
    const dep = await ask(
      w,
      A,
      post("/api/v1/transfer_in", { request_id: "d1", user_id: A, asset: "BTC", amount: "2" }),
    );
    expect(dep).toEqual({
      http: 200,
      status: 0,
      msg: "ok",
      data: { request_id: "d1", user_id: A, asset: "BTC", amount: "2" },
    });
    const depB = await ask(
      w,
      B,
      post("/api/v1/transfer_in", { request_id: "d1", user_id: B, asset: "USDT", amount: "100000" }),
    );
    expect(depB.status).toBe(0);

    const wd = await ask(
      w,
      A,
      post("/api/v1/transfer_out", { request_id: "w1", user_id: A, asset: "BTC", amount: "2.5" }),
    );
    expect(wd.status).toBe(ERRORS.INSUFFICIENT_FUNDS.code);
    expect(wd.data).toMatchObject({ request_id: "w1", reason: "insufficient-balance" });

    // a resting sell, then a buy that takes half of it
    const sell = await ask<{ order_id: string; order_status: string; cid: string }>(
      w,
      A,
      post("/api/orders", {
        cid: "s1",
        symbol: "BTC_USDT",
        side: "Sell",
        order_type: "Limit",
        price: "50000",
        quantity: "1",
      }),
    );
    expect(sell.status).toBe(0);
    expect(sell.data).toMatchObject({ order_status: "New", cid: "s1" });
    const buy = await ask<{ order_id: string; order_status: string }>(
      w,
      B,
      post("/api/orders", {
        cid: "b1",
        symbol: "BTC_USDT",
        side: "Buy",
        order_type: "Limit",
        price: "50000",
        quantity: "0.5",
      }),
    );
    expect(buy.data).toMatchObject({ order_status: "Filled", cid: "b1" });

    // post-only that would take: refused by the ME, answered as a rejection, never success
    const po = await ask(
      w,
      B,
      post("/api/orders", {
        cid: "po",
        symbol: "BTC_USDT",
        side: "Buy",
        order_type: "Limit",
        price: "50000",
        quantity: "0.1",
        post_only: true,
      }),
    );
    expect(po.status).toBe(ERRORS.POST_ONLY_WOULD_TAKE.code);
    expect(po.data).toMatchObject({ order_status: "Rejected", cid: "po", reason: "post-only-would-take" });

    // B cannot cancel A's order; A can, by cid
    const theft = await ask(w, B, post("/api/orders/cancel", { order_id: sell.data.order_id }));
    expect(theft.status).toBe(ERRORS.UNKNOWN_ORDER.code);
    const cx = await ask<Record<string, unknown>>(w, A, post("/api/orders/cancel", { cid: "s1" }));
    expect(cx.status).toBe(0);
    expect(cx.data).toMatchObject({
      order_id: sell.data.order_id,
      cid: "s1",
      symbol: "BTC_USDT",
      side: "Sell",
      order_status: "Cancelled",
      quantity: "1",
      filled_qty: "0.5",
    });

    await w.sched.run(); // let Settlement catch up with everything
    const balA = await ask<Array<{ asset: string; avail: string; frozen: string }>>(
      w,
      A,
      get("/api/user/balance", { user_id: A }),
    );
    // 2 BTC - 0.5 sold; 25000 USDT less the 0.2 % taker... A was the maker: 10 bps of 25000 = 25
    expect(balA.data).toEqual([
      { asset: "BTC", avail: "1.5", frozen: "0" },
      { asset: "USDT", avail: "24975", frozen: "0" },
      { asset: "ETH", avail: "0", frozen: "0" },
    ]);
    const trades = await ask<Array<Record<string, unknown>>>(
      w,
      B,
      get("/api/user/trade_history", { symbol: "BTC_USDT" }),
    );
    expect(trades.data).toHaveLength(1);
    expect(trades.data[0]).toMatchObject({
      price: "50000",
      quantity: "0.5",
      quote_qty: "25000",
      role: "taker",
    });
    const orders = await ask<Array<Record<string, unknown>>>(
      w,
      A,
      get("/api/user/order_history", { symbol: "BTC_USDT" }),
    );
    expect(orders.data.map((o) => [o.cid, o.order_status, o.filled_qty])).toEqual([
      ["s1", "Cancelled", "0.5"],
    ]);

    expect(w.failures).toEqual([]);
  });

  it("answers a repeated request_id or cid from the requests table, publishing nothing", async () => {
    const w = await world();
    const body = { request_id: "d1", user_id: A, asset: "USDT", amount: "1000" };
    const first = await ask(w, A, post("/api/v1/transfer_in", body));
    const order = post("/api/orders", {
      cid: "c1",
      symbol: "BTC_USDT",
      side: "Buy",
      order_type: "Limit",
      price: "100",
      quantity: "1",
    });
    const placed = await ask(w, A, order);
    expect(placed.status).toBe(0);
    const n = operationsPublished(w);
    expect(await ask(w, A, post("/api/v1/transfer_in", body))).toEqual(first);
    expect(await ask(w, A, order)).toEqual(placed);
    expect(operationsPublished(w)).toBe(n);
    const bal = await ask<Array<{ asset: string; avail: string; frozen: string }>>(
      w,
      A,
      get("/api/user/balance"),
    );
    expect(bal.data[1]).toEqual({ asset: "USDT", avail: "900", frozen: "100" });
  });

  it("survives a send that times out although appended (the duplicate is dropped by UBSCore)", async () => {
    const w = await world();
    w.faults.arm("kafka.send-timeout-appended");
    const a = await ask(
      w,
      A,
      post("/api/v1/transfer_in", { request_id: "d1", user_id: A, asset: "ETH", amount: "3" }),
    );
    expect(a.status).toBe(0);
    await w.sched.run();
    const bal = await ask<Array<{ asset: string; avail: string }>>(w, A, get("/api/user/balance"));
    expect(bal.data[2]).toMatchObject({ asset: "ETH", avail: "3" });
    expect(w.faults.fired["kafka.send-timeout-appended"]).toBe(1);
  });

  it("answers pending while UBSCore is down, and the retry learns the verdict after it restarts", async () => {
    const w = await world();
    w.crash("ubscore");
    const body = { request_id: "d1", user_id: A, asset: "BTC", amount: "1" };
    const p = await ask(w, A, post("/api/v1/transfer_in", body));
    expect(p.status).toBe(ERRORS.PENDING.code);
    expect(p.http).toBe(202);
    w.restart("ubscore");
    await w.sched.run({ until: () => w.ready() });
    await w.sched.run();
    const r = await ask(w, A, post("/api/v1/transfer_in", body));
    expect(r).toMatchObject({ status: 0, data: { request_id: "d1", amount: "1" } });
    const bal = await ask<Array<{ asset: string; avail: string }>>(w, A, get("/api/user/balance"));
    expect(bal.data[0]).toMatchObject({ asset: "BTC", avail: "1" });
  });
});
