import { describe, expect, it } from "vitest";
import { ERRORS, type ErrorName } from "../../engine/gateway/index.ts";
import { ALICE, call, type Gw, publishedCount, setup } from "./harness.ts";

async function transfer(gw: Gw, body: Record<string, unknown>, path = "/api/v1/transfer_in") {
  return call(gw, ALICE, path, {
    body: { request_id: "r1", user_id: ALICE, asset: "BTC", amount: "1", ...body },
  });
}

const ORDER = {
  cid: "c1",
  symbol: "BTC_USDT",
  side: "Buy",
  order_type: "Limit",
  price: "50000",
  quantity: "0.01",
};

async function order(gw: Gw, body: Record<string, unknown>) {
  const b: Record<string, unknown> = { ...ORDER, ...body };
  for (const [k, v] of Object.entries(b)) if (v === undefined) delete b[k];
  return call(gw, ALICE, "/api/orders", { body: b });
}

function expectError(
  a: { http: number; env: { status: number; msg: string; data: unknown } },
  kind: ErrorName,
  field?: string,
) {
  expect(a.env.status, a.env.msg).toBe(ERRORS[kind].code);
  expect(a.http).toBe(ERRORS[kind].http);
  expect(typeof a.env.msg).toBe("string");
  expect(a.env.msg.length).toBeGreaterThan(0);
  if (field !== undefined) {
    expect(a.env.msg).toContain(field);
    expect((a.env.data as { field?: string }).field).toBe(field);
  }
}

describe("gateway validation: amounts (transfers)", () => {
  const cases: Array<[string, unknown, ErrorName]> = [
    ["zero", "0", "AMOUNT_ZERO"],
    ["zero with decimals", "0.000", "AMOUNT_ZERO"],
    ["negative", "-1", "AMOUNT_NEGATIVE"],
    ["not decimal (letters)", "abc", "AMOUNT_NOT_DECIMAL"],
    ["not decimal (exponent)", "1e3", "AMOUNT_NOT_DECIMAL"],
    ["not decimal (leading point)", ".5", "AMOUNT_NOT_DECIMAL"],
    ["not decimal (empty)", "", "AMOUNT_NOT_DECIMAL"],
    ["a JSON number", 1.5, "AMOUNT_NOT_DECIMAL"],
    ["too many decimals (BTC accepts 8)", "0.123456789", "AMOUNT_TOO_MANY_DECIMALS"],
    ["too large for int64", "92233720368.54775808", "AMOUNT_OUT_OF_RANGE"],
    ["far too large", "99999999999999999999999", "AMOUNT_OUT_OF_RANGE"],
  ];
  for (const [name, amount, kind] of cases) {
    it(`rejects an amount that is ${name}`, async () => {
      const gw = await setup();
      const a = await transfer(gw, { amount });
      expectError(a, kind, "amount");
      expect(publishedCount(gw)).toBe(0);
    });
  }

  it("applies the asset's request decimals: USDT accepts 6 (keeps 8)", async () => {
    const gw = await setup();
    expectError(
      await transfer(gw, { asset: "USDT", amount: "1.1234567" }),
      "AMOUNT_TOO_MANY_DECIMALS",
      "amount",
    );
    expect((await transfer(gw, { asset: "USDT", amount: "1.123456", request_id: "ok" })).env.status).toBe(0);
  });

  it("accepts the largest int64 amount and rejects one minor unit more", async () => {
    const gw = await setup();
    expect((await transfer(gw, { amount: "92233720368.54775807", request_id: "max" })).env.status).toBe(0);
    expectError(
      await transfer(gw, { amount: "92233720368.54775808", request_id: "max+1" }),
      "AMOUNT_OUT_OF_RANGE",
    );
  });

  it("rejects an unknown asset, naming it and the known ones", async () => {
    const gw = await setup();
    const a = await transfer(gw, { asset: "DOGE" });
    expectError(a, "UNKNOWN_ASSET", "asset");
    expect(a.env.msg).toContain("DOGE");
    expect(a.env.msg).toContain("BTC, USDT, ETH");
  });

  it("rejects a missing request_id / asset / amount / user_id, and bad ones", async () => {
    const gw = await setup();
    for (const field of ["request_id", "asset", "amount", "user_id"]) {
      expectError(await transfer(gw, { [field]: undefined }), "MISSING_FIELD", field);
    }
    expectError(await transfer(gw, { request_id: "" }), "BAD_FIELD", "request_id");
    expectError(await transfer(gw, { request_id: "has space" }), "BAD_FIELD", "request_id");
    expectError(await transfer(gw, { request_id: 7 }), "BAD_FIELD", "request_id");
    expect(publishedCount(gw)).toBe(0);
  });

  it("rejects bodies that are not JSON objects (2001)", async () => {
    const gw = await setup();
    for (const raw of ["[1,2]", '"text"', "42", "null", "not json", "{", ""]) {
      const a = await call(gw, ALICE, "/api/v1/transfer_out", {
        body: raw === "" ? undefined : raw,
        method: "POST",
      });
      expectError(a, "BAD_BODY");
    }
    expect(publishedCount(gw)).toBe(0);
  });

  it("rejects unknown fields, naming them", async () => {
    const gw = await setup();
    const a = await transfer(gw, { qty: "1" });
    expectError(a, "BAD_FIELD", "qty");
  });
});

describe("gateway validation: orders", () => {
  it("accepts a well-formed limit order (the baseline for the cases below)", async () => {
    const gw = await setup();
    const a = await order(gw, {});
    // validation passed; the stub rejects it for lack of funds: a business rejection, not 2xxx
    expect(a.env.status).toBe(ERRORS.INSUFFICIENT_FUNDS.code);
  });

  const cases: Array<[string, Record<string, unknown>, ErrorName, string]> = [
    ["an unknown symbol", { symbol: "DOGE_USDT" }, "UNKNOWN_SYMBOL", "symbol"],
    ["a price off the tick", { price: "50000.001" }, "PRICE_OFF_TICK", "price"],
    ["a price with too many decimals", { price: "50000.0000001" }, "AMOUNT_TOO_MANY_DECIMALS", "price"],
    ["a zero price", { price: "0" }, "AMOUNT_ZERO", "price"],
    ["a negative price", { price: "-50000" }, "AMOUNT_NEGATIVE", "price"],
    ["a non-decimal price", { price: "fifty" }, "AMOUNT_NOT_DECIMAL", "price"],
    ["a price as a JSON number", { price: 50000 }, "AMOUNT_NOT_DECIMAL", "price"],
    ["a price beyond int64", { price: "92233720368.55" }, "AMOUNT_OUT_OF_RANGE", "price"],
    ["a quantity off the lot", { quantity: "0.000001" }, "QTY_OFF_LOT", "quantity"],
    [
      "a quantity with too many decimals",
      { quantity: "0.000000001" },
      "AMOUNT_TOO_MANY_DECIMALS",
      "quantity",
    ],
    ["a zero quantity", { quantity: "0" }, "AMOUNT_ZERO", "quantity"],
    ["a negative quantity", { quantity: "-0.01" }, "AMOUNT_NEGATIVE", "quantity"],
    ["a quantity beyond int64", { quantity: "100000000000" }, "AMOUNT_OUT_OF_RANGE", "quantity"],
    ["a bad side", { side: "buy" }, "BAD_FIELD", "side"],
    ["a bad order_type", { order_type: "Stop" }, "BAD_FIELD", "order_type"],
    ["a bad time_in_force", { time_in_force: "GTD" }, "BAD_FIELD", "time_in_force"],
    ["a non-boolean post_only", { post_only: "yes" }, "BAD_FIELD", "post_only"],
    ["post_only with IOC", { post_only: true, time_in_force: "IOC" }, "BAD_ORDER_FLAGS", "post_only"],
    ["post_only with FOK", { post_only: true, time_in_force: "FOK" }, "BAD_ORDER_FLAGS", "post_only"],
    [
      "post_only on a market order",
      { post_only: true, order_type: "Market", price: undefined },
      "BAD_ORDER_FLAGS",
      "post_only",
    ],
    ["a limit order without a price", { price: undefined }, "MISSING_FIELD", "price"],
    ["a limit order with a null price", { price: null }, "MISSING_FIELD", "price"],
    ["a missing cid", { cid: undefined }, "MISSING_FIELD", "cid"],
    ["an empty cid", { cid: "" }, "BAD_FIELD", "cid"],
    ["a missing quantity", { quantity: undefined }, "MISSING_FIELD", "quantity"],
    ["an unknown field", { qty: "1" }, "BAD_FIELD", "qty"],
  ];
  for (const [name, body, kind, field] of cases) {
    it(`rejects ${name}`, async () => {
      const gw = await setup();
      expectError(await order(gw, body), kind, field);
      expect(publishedCount(gw)).toBe(0);
    });
  }

  it("uses the symbol's own lot: 0.00001 is a BTC lot but not an ETH one", async () => {
    const gw = await setup();
    expectError(await order(gw, { symbol: "ETH_USDT", quantity: "0.00001" }), "QTY_OFF_LOT", "quantity");
  });

  it("publishes exactly what it validated, in minor units", async () => {
    const gw = await setup();
    await order(gw, { cid: "m1", order_type: "Market", price: undefined, side: "Sell", quantity: "0.5" });
    await order(gw, { cid: "l1", price: "50000.25", quantity: "0.01", post_only: true });
    const ops = gw.world.log.operations();
    expect(ops[0]).toMatchObject({
      type: "place",
      request_id: "order:m1",
      user_id: ALICE,
      cid: "m1",
      symbol_id: 0,
      side: "Sell",
      order_type: "Market",
      tif: "IOC",
      post_only: false,
      price: null,
      qty: "50000000",
    });
    expect(ops[1]).toMatchObject({ tif: "GTC", post_only: true, price: "5000025000000", qty: "1000000" });
  });

  it("cancel: needs exactly one of order_id / cid, and a valid order_id", async () => {
    const gw = await setup();
    const cancel = (body: unknown) => call(gw, ALICE, "/api/orders/cancel", { body });
    expectError(await cancel({}), "MISSING_FIELD", "order_id");
    expectError(await cancel({ order_id: "1", cid: "c" }), "BAD_FIELD", "cid");
    expectError(await cancel({ order_id: "-1" }), "BAD_FIELD", "order_id");
    expectError(await cancel({ order_id: "abc" }), "BAD_FIELD", "order_id");
    expectError(await cancel({ order_id: "9223372036854775808" }), "BAD_FIELD", "order_id");
    expectError(await cancel({ order_id: 1.5 }), "BAD_FIELD", "order_id");
    expectError(await cancel({ cid: "" }), "BAD_FIELD", "cid");
    expectError(await cancel({ cid: "c", request_id: "" }), "BAD_FIELD", "request_id");
    expectError(await cancel([]), "BAD_BODY");
    expect(publishedCount(gw)).toBe(0);
  });
});

describe("gateway validation: queries", () => {
  it("validates limit (1..1000, default 100)", async () => {
    const gw = await setup();
    for (const limit of ["0", "1001", "abc", "-5", "1.5", ""]) {
      const a = await call(gw, ALICE, "/api/user/trade_history", { query: { symbol: "BTC_USDT", limit } });
      expectError(a, "BAD_LIMIT", "limit");
    }
    for (const limit of ["1", "1000"]) {
      const a = await call(gw, ALICE, "/api/user/order_history", { query: { symbol: "BTC_USDT", limit } });
      expect(a.env.status).toBe(0);
    }
    await call(gw, ALICE, "/api/user/order_history", { query: { symbol: "BTC_USDT" } });
    const last = gw.world.store.log.at(-1)!;
    expect(last.query).toMatch(/LIMIT 100$/);
  });

  it("requires a known symbol for histories", async () => {
    const gw = await setup();
    expectError(await call(gw, ALICE, "/api/user/trade_history"), "MISSING_FIELD", "symbol");
    expectError(
      await call(gw, ALICE, "/api/user/order_history", { query: { symbol: "X" } }),
      "UNKNOWN_SYMBOL",
      "symbol",
    );
  });

  it("rejects unknown, repeated or malformed query parameters", async () => {
    const gw = await setup();
    expectError(
      await call(gw, ALICE, "/api/user/balance", { query: { asset: "BTC" } }),
      "BAD_FIELD",
      "asset",
    );
    expectError(
      await call(gw, ALICE, "/api/user/balance", { query: { user_id: [ALICE, ALICE] as unknown as number } }),
      "BAD_FIELD",
      "user_id",
    );
    expectError(
      await call(gw, ALICE, "/api/user/balance", { query: { user_id: "abc" } }),
      "BAD_FIELD",
      "user_id",
    );
  });
});
