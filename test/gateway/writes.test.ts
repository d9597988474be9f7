import { describe, expect, it } from "vitest";
import { buildGateway, ERRORS, signRequest } from "../../engine/gateway/index.ts";
import { TOPICS } from "../../engine/protocol/topics.ts";
import { drive, idleProcess } from "./fakes.ts";
import { ALICE, type Answer, BOB, call, deposit, type Gw, KEYS, publishedCount, setup } from "./harness.ts";

const BTC = 1;
const USDT = 2;

function transferIn(gw: Gw, request_id: string, amount: string, asset = "BTC", user = ALICE) {
  return call(gw, user, "/api/v1/transfer_in", { body: { request_id, user_id: user, asset, amount } });
}

function transferOut(gw: Gw, request_id: string, amount: string, asset = "BTC", user = ALICE) {
  return call(gw, user, "/api/v1/transfer_out", { body: { request_id, user_id: user, asset, amount } });
}

function place(gw: Gw, cid: string, extra: Record<string, unknown> = {}, user = ALICE) {
  return call<{ order_id: string | null; order_status: string; cid: string }>(gw, user, "/api/orders", {
    body: {
      cid,
      symbol: "BTC_USDT",
      side: "Buy",
      order_type: "Limit",
      price: "50000",
      quantity: "0.01",
      ...extra,
    },
  });
}

function expectEnvelope(a: Answer) {
  expect(Object.keys(a.env).sort()).toEqual(["data", "msg", "status"]);
  expect(Number.isInteger(a.env.status)).toBe(true);
  expect(typeof a.env.msg).toBe("string");
  if (a.env.status === 0) expect(a.env.msg).toBe("ok");
  else expect(a.env.msg).not.toBe("ok");
}

describe("gateway writes: transfers", () => {
  it("publishes a deposit keyed by user_id and answers the accepted request", async () => {
    const gw = await setup();
    const t0 = gw.world.clock.now();
    const a = await transferIn(gw, "d-1", "1.5");
    expectEnvelope(a);
    expect(a.http).toBe(200);
    expect(a.env).toEqual({
      status: 0,
      msg: "ok",
      data: { request_id: "d-1", user_id: ALICE, asset: "BTC", amount: "1.5" },
    });
    expect(gw.world.log.appended).toHaveLength(1);
    const m = gw.world.log.appended[0];
    expect(m.topic).toBe(TOPICS.operations);
    expect(m.key).toBe(String(ALICE));
    const op = JSON.parse(m.value);
    expect(op).toEqual({
      type: "deposit",
      v: 1,
      request_id: "d-1",
      user_id: ALICE,
      asset_id: BTC,
      amount: "150000000",
      ts: op.ts,
    });
    // ts is the gateway clock when it published (after the key and idempotency reads)
    expect(op.ts).toBeGreaterThanOrEqual(t0);
    expect(op.ts).toBeLessThanOrEqual(t0 + 5);
    expect(gw.world.exchange.balance(ALICE, BTC).avail).toBe(150_000_000n);
    // the verdict came after a few virtual ms of polling, not after the timeout
    expect(gw.world.clock.now() - t0).toBeLessThan(100);
  });

  it("never answers success for a withdrawal that is not covered (3001), and changes nothing", async () => {
    const gw = await setup();
    await deposit(gw, ALICE, "BTC", "1", "d-1");
    const a = await transferOut(gw, "w-1", "1.00000001");
    expectEnvelope(a);
    expect(a.http).toBe(422);
    expect(a.env.status).toBe(ERRORS.INSUFFICIENT_FUNDS.code);
    expect(a.env.msg).toBe("withdrawal rejected: insufficient-balance");
    expect(a.env.data).toMatchObject({
      request_id: "w-1",
      reason: "insufficient-balance",
      amount: "1.00000001",
    });
    expect(gw.world.exchange.balance(ALICE, BTC).avail).toBe(100_000_000n);

    const ok = await transferOut(gw, "w-2", "0.4");
    expect(ok.env).toEqual({
      status: 0,
      msg: "ok",
      data: { request_id: "w-2", user_id: ALICE, asset: "BTC", amount: "0.4" },
    });
    expect(gw.world.exchange.balance(ALICE, BTC).avail).toBe(60_000_000n);
  });

  it("answers a repeated request_id with the earlier result and publishes nothing", async () => {
    const gw = await setup();
    const first = await transferIn(gw, "d-1", "2");
    const again = await transferIn(gw, "d-1", "2");
    const changed = await transferIn(gw, "d-1", "5"); // same id, other amount: still the earlier result
    expect(again).toEqual(first);
    expect(changed).toEqual(first);
    expect(publishedCount(gw)).toBe(1);
    expect(gw.world.exchange.balance(ALICE, BTC).avail).toBe(200_000_000n);

    const rejected = await transferOut(gw, "w-1", "3");
    const rejectedAgain = await transferOut(gw, "w-1", "3");
    expect(rejected.env.status).toBe(ERRORS.INSUFFICIENT_FUNDS.code);
    expect(rejectedAgain).toEqual(rejected);
    expect(publishedCount(gw)).toBe(2);
  });

  it("request ids are per user: Bob may use an id Alice used", async () => {
    const gw = await setup();
    await transferIn(gw, "same", "1");
    const b = await transferIn(gw, "same", "3", "BTC", BOB);
    expect(b.env.status).toBe(0);
    expect(gw.world.exchange.balance(BOB, BTC).avail).toBe(300_000_000n);
    expect(publishedCount(gw)).toBe(2);
  });

  it("refuses a request id already used for another kind of request (2030), publishing nothing", async () => {
    const gw = await setup();
    await transferIn(gw, "x-1", "1");
    const a = await transferOut(gw, "x-1", "1");
    expectEnvelope(a);
    expect(a.env.status).toBe(ERRORS.REQUEST_ID_CONFLICT.code);
    expect(a.http).toBe(409);
    expect(publishedCount(gw)).toBe(1);
    expect(gw.world.exchange.balance(ALICE, BTC).avail).toBe(100_000_000n);
  });

  it("answers 5001 pending when no verdict arrives in time; the retry with the same id learns the outcome", async () => {
    const gw = await setup({ gatewayResultTimeoutMs: 2_000 });
    gw.world.exchange.silent = true;
    const t0 = gw.world.clock.now();
    const p = await transferIn(gw, "d-1", "1");
    expectEnvelope(p);
    expect(p.http).toBe(202);
    expect(p.env.status).toBe(ERRORS.PENDING.code);
    expect(p.env.data).toEqual({ request_id: "d-1", state: "pending" });
    expect(p.env.msg).toContain("same request_id");
    const waited = gw.world.clock.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(2_000);
    expect(waited).toBeLessThan(2_050);

    // a retry while still silent publishes again (harmless: UBSCore dedupes) and is pending again
    const p2 = await transferIn(gw, "d-1", "1");
    expect(p2.env.status).toBe(ERRORS.PENDING.code);
    expect(publishedCount(gw)).toBe(2);

    // UBSCore catches up and sees both copies: applies one, drops the duplicate
    gw.world.exchange.silent = false;
    gw.world.exchange.replay(gw.world.log.operations());
    await gw.world.sched.run();
    expect(gw.world.exchange.duplicatesDropped).toEqual([`${ALICE}:d-1`]);

    const r = await transferIn(gw, "d-1", "1");
    expect(r.env).toEqual({
      status: 0,
      msg: "ok",
      data: { request_id: "d-1", user_id: ALICE, asset: "BTC", amount: "1" },
    });
    expect(publishedCount(gw)).toBe(2);
    expect(gw.world.exchange.balance(ALICE, BTC).avail).toBe(100_000_000n);
  });

  it("retries a send that timed out although appended; the duplicate is harmless", async () => {
    const gw = await setup();
    gw.world.exchange.delayMs = 30; // the verdict comes after the gateway's retry
    gw.world.log.faults.push("timeout-appended");
    const a = await transferIn(gw, "d-1", "1");
    expect(a.env.status).toBe(0);
    expect(gw.world.log.sendAttempts).toBe(2);
    expect(publishedCount(gw)).toBe(2);
    expect(gw.world.exchange.duplicatesDropped).toEqual([`${ALICE}:d-1`]);
    expect(gw.world.exchange.balance(ALICE, BTC).avail).toBe(100_000_000n);
    expect(gw.world.logger.lines.some((l) => l.level === "warn" && l.msg.includes("retrying"))).toBe(true);
  });

  it("takes the verdict as proof of publication: no retry once it is there, even if the send failed", async () => {
    const gw = await setup();
    gw.world.exchange.delayMs = 1; // the verdict comes before the retry's backoff ends
    gw.world.log.faults.push("timeout-appended");
    const a = await transferIn(gw, "d-1", "1");
    expect(a.env.status).toBe(0);
    expect(gw.world.log.sendAttempts).toBe(1);
    expect(publishedCount(gw)).toBe(1);
    await gw.world.sched.run(); // the stopped retry loop wakes once and sends nothing
    expect(gw.world.log.sendAttempts).toBe(1);
  });

  it("retries a send that timed out without appending", async () => {
    const gw = await setup();
    gw.world.log.faults.push("timeout-lost", "timeout-lost");
    const a = await transferIn(gw, "d-1", "1");
    expect(a.env.status).toBe(0);
    expect(gw.world.log.sendAttempts).toBe(3);
    expect(publishedCount(gw)).toBe(1);
  });

  it("answers 5002 (outcome unknown) when the broker stays down until the deadline, never success", async () => {
    const gw = await setup({ gatewayResultTimeoutMs: 1_000 });
    gw.world.log.down = true;
    const t0 = gw.world.clock.now();
    const a = await transferIn(gw, "d-1", "1");
    expectEnvelope(a);
    expect(a.http).toBe(503);
    expect(a.env.status).toBe(ERRORS.PUBLISH_UNCONFIRMED.code);
    expect(a.env.data).toEqual({ request_id: "d-1", state: "unknown" });
    expect(gw.world.log.sendAttempts).toBeGreaterThan(2);
    expect(gw.world.clock.now() - t0).toBeLessThanOrEqual(1_000);
    expect(publishedCount(gw)).toBe(0);

    gw.world.log.down = false;
    expect((await transferIn(gw, "d-1", "1")).env.status).toBe(0);
  });

  it("loses nothing when the gateway crashes mid-wait: a new instance answers the retry from the verdict", async () => {
    const gw = await setup();
    const { sched, log } = gw.world;
    // start a deposit on the first incarnation and crash it right after the op is appended
    const signed = signRequest({
      method: "POST",
      path: "/api/v1/transfer_in",
      body: { request_id: "d-1", user_id: ALICE, asset: "BTC", amount: "1" },
      ...KEYS[ALICE],
      timestamp: gw.world.clock.now(),
    });
    let answered = false;
    void gw.app
      .inject({ method: "POST", url: signed.url, headers: signed.headers, payload: signed.body })
      .then(() => {
        answered = true;
      });
    for (let i = 0; i < 100 && log.appended.length === 0; i++) {
      await sched.run({ until: () => log.appended.length > 0 });
      if (log.appended.length === 0) await new Promise<void>((r) => setImmediate(r));
    }
    expect(log.appended).toHaveLength(1);
    gw.world.proc.crash();
    await sched.run();
    expect(answered).toBe(false); // the dead incarnation never answers

    // a new incarnation with fresh ports (empty caches) and the same store and log
    const proc2 = idleProcess(sched, "gateway2");
    const app2 = buildGateway(gw.world.portsFor(proc2), gw.config);
    await app2.ready();
    const gw2: Gw = { ...gw, app: app2, world: { ...gw.world, clock: gw.world.portsFor(proc2).clock } };
    const a = await transferIn(gw2, "d-1", "1");
    expect(a.env.status).toBe(0);
    expect(publishedCount(gw)).toBe(1);
    expect(gw.world.exchange.balance(ALICE, BTC).avail).toBe(100_000_000n);
  });
});

describe("gateway writes: orders", () => {
  it("places an order: request_id = order:<cid>, answer {order_id, order_status, cid}; the cid is idempotent", async () => {
    const gw = await setup();
    await deposit(gw, ALICE, "USDT", "1000", "d-usdt");
    const a = await place(gw, "buy-1");
    expectEnvelope(a);
    expect(a.env).toEqual({
      status: 0,
      msg: "ok",
      data: { order_id: "100", order_status: "New", cid: "buy-1" },
    });
    const op = gw.world.log.operations().at(-1)!;
    expect(op).toMatchObject({
      type: "place",
      request_id: "order:buy-1",
      cid: "buy-1",
      price: "5000000000000",
    });
    expect(gw.world.exchange.balance(ALICE, USDT)).toEqual({
      avail: 50_000_000_000n,
      frozen: 50_000_000_000n,
    });

    const again = await place(gw, "buy-1");
    expect(again).toEqual(a);
    expect(publishedCount(gw)).toBe(2); // the deposit and one place
    expect(gw.world.exchange.balance(ALICE, USDT).frozen).toBe(50_000_000_000n);
  });

  it("answers a rejected order with its code and order_status Rejected", async () => {
    const gw = await setup();
    const a = await place(gw, "buy-1");
    expectEnvelope(a);
    expect(a.env.status).toBe(ERRORS.INSUFFICIENT_FUNDS.code);
    expect(a.env.data).toMatchObject({
      order_id: null,
      order_status: "Rejected",
      cid: "buy-1",
      reason: "insufficient-balance",
    });
    expect(await place(gw, "buy-1")).toEqual(a);
    expect(publishedCount(gw)).toBe(1);
  });

  it("cancels by cid and by order_id, answering the order's state; a repeated cancel publishes nothing", async () => {
    const gw = await setup();
    await deposit(gw, ALICE, "USDT", "2000", "d-usdt");
    const o1 = await place(gw, "b1");
    const o2 = await place(gw, "b2");
    expect(o1.env.status).toBe(0);

    const c1 = await call<Record<string, unknown>>(gw, ALICE, "/api/orders/cancel", { body: { cid: "b1" } });
    expectEnvelope(c1);
    expect(c1.env.status).toBe(0);
    expect(c1.env.data).toMatchObject({
      order_id: o1.env.data.order_id,
      cid: "b1",
      symbol: "BTC_USDT",
      side: "Buy",
      order_status: "Cancelled",
      price: "50000",
      quantity: "0.01",
      filled_qty: "0",
    });
    expect(gw.world.log.operations().at(-1)).toMatchObject({
      type: "cancel",
      request_id: "cancel:cid:b1",
      cid: "b1",
      order_id: null,
    });

    const c2 = await call(gw, ALICE, "/api/orders/cancel", { body: { order_id: o2.env.data.order_id } });
    expect(c2.env.data).toMatchObject({
      order_id: o2.env.data.order_id,
      cid: "b2",
      order_status: "Cancelled",
    });
    expect(gw.world.log.operations().at(-1)).toMatchObject({
      request_id: `cancel:order_id:${o2.env.data.order_id}`,
    });

    const n = publishedCount(gw);
    const c1again = await call(gw, ALICE, "/api/orders/cancel", { body: { cid: "b1" } });
    expect(c1again).toEqual(c1);
    expect(publishedCount(gw)).toBe(n);
    expect(gw.world.exchange.balance(ALICE, USDT)).toEqual({ avail: 200_000_000_000n, frozen: 0n });

    // an explicit request_id is used as given
    await call(gw, ALICE, "/api/orders/cancel", { body: { cid: "b2", request_id: "my-cancel" } });
    expect(gw.world.log.operations().at(-1)).toMatchObject({ request_id: "my-cancel" });
  });

  it("rejects cancelling an unknown order and another user's order (3002: not revealed), leaving it open", async () => {
    const gw = await setup();
    await deposit(gw, BOB, "BTC", "1", "d-btc");
    const bobs = await place(gw, "s1", { side: "Sell" }, BOB);
    expect(bobs.env.status).toBe(0);

    const unknown = await call(gw, ALICE, "/api/orders/cancel", { body: { cid: "nope" } });
    expect(unknown.env.status).toBe(ERRORS.UNKNOWN_ORDER.code);
    const theft = await call(gw, ALICE, "/api/orders/cancel", { body: { order_id: bobs.env.data.order_id } });
    expect(theft.env.status).toBe(ERRORS.UNKNOWN_ORDER.code);
    expect(theft.env.data).toMatchObject({ reason: "unknown-order", order_id: bobs.env.data.order_id });
    expect(gw.world.exchange.balance(BOB, BTC)).toEqual({ avail: 99_000_000n, frozen: 1_000_000n });
  });
});

describe("gateway envelope", () => {
  it("answers unknown routes and methods with the envelope (2040)", async () => {
    const gw = await setup();
    for (const [method, url] of [
      ["GET", "/api/nope"],
      ["DELETE", "/api/orders"],
      ["GET", "/api/orders"],
    ] as const) {
      const res = await drive(gw.world.sched, gw.app.inject({ method, url }));
      expect(res.statusCode).toBe(404);
      const env = res.json();
      expect(env).toMatchObject({ status: ERRORS.UNKNOWN_ROUTE.code, data: null });
      expect(env.msg).toContain(url);
    }
  });

  it("answers a body over the limit with 2001", async () => {
    const gw = await setup();
    const a = await call(gw, ALICE, "/api/v1/transfer_in", { body: { request_id: "x".repeat(70_000) } });
    expectEnvelope(a);
    expect(a.env.status).toBe(ERRORS.BAD_BODY.code);
  });

  it("answers an internal error with 5000 and reports it through the Logger port (wrong keyspace)", async () => {
    const gw = await setup({ keyspace: "tradng" });
    const a = await call(gw, ALICE, "/api/user/balance");
    expectEnvelope(a);
    expect(a.http).toBe(500);
    expect(a.env.status).toBe(ERRORS.INTERNAL.code);
    const err = gw.world.logger.lines.find((l) => l.level === "error");
    expect(String(err?.fields?.error)).toMatch(/keyspace tradng does not exist/i);
  });

  it("is deterministic: the same requests give the same answers and the same trace", async () => {
    const runOnce = async () => {
      const gw = await setup();
      gw.world.log.faults.push("timeout-appended");
      const out = [
        await transferIn(gw, "d-1", "3"),
        await transferOut(gw, "w-1", "5"),
        await place(gw, "c1", { side: "Sell", quantity: "1" }),
        await call(gw, ALICE, "/api/user/balance"),
      ];
      return { out, hash: gw.world.sched.trace.hash(), now: gw.world.clock.now() };
    };
    const a = await runOnce();
    const b = await runOnce();
    expect(b.out).toEqual(a.out);
    expect(b.hash).toBe(a.hash);
    expect(b.now).toBe(a.now);
  });
});
