import { describe, expect, it } from "vitest";
import { ERRORS } from "../../engine/gateway/index.ts";
import { TABLES } from "../../engine/schema/cql.ts";
import { FakeStoreError } from "./fakes.ts";
import { ALICE, BOB, call, deposit, type Gw, setup } from "./harness.ts";

type Balance = Array<{ asset: string; avail: string; frozen: string }>;

function ledgerRow(user: number, asset: number, seq: bigint, avail: bigint, frozen: bigint) {
  return {
    user_id: BigInt(user),
    asset_id: asset,
    seq,
    delta_avail: 0n,
    delta_frozen: 0n,
    avail,
    frozen,
    event_type: "deposit",
    ref_id: `r${seq}`,
    created_at: 0n,
  };
}

describe("gateway reads: balance", () => {
  it("answers every asset, zero where the user has no ledger row", async () => {
    const gw = await setup();
    const a = await call<Balance>(gw, ALICE, "/api/user/balance", { query: { user_id: ALICE } });
    expect(a.env).toEqual({
      status: 0,
      msg: "ok",
      data: [
        { asset: "BTC", avail: "0", frozen: "0" },
        { asset: "USDT", avail: "0", frozen: "0" },
        { asset: "ETH", avail: "0", frozen: "0" },
      ],
    });
  });

  it("reads the latest ledger row of each (user, asset) with the full partition key and LIMIT 1", async () => {
    const gw = await setup();
    const store = gw.world.store;
    // rows written out of order: clustering (seq DESC) decides, not insertion order
    store.put(TABLES.ledger, ledgerRow(ALICE, 1, 2n, 150_000_000n, 50_000_000n));
    store.put(TABLES.ledger, ledgerRow(ALICE, 1, 3n, 120_000_000n, 10_000_000n));
    store.put(TABLES.ledger, ledgerRow(ALICE, 1, 1n, 200_000_000n, 0n));
    store.put(TABLES.ledger, ledgerRow(ALICE, 2, 1n, 123_456_780_000n, 1n));
    store.put(TABLES.ledger, ledgerRow(BOB, 3, 1n, 999n, 0n)); // another user's row is not read
    const before = store.log.length;
    const a = await call<Balance>(gw, ALICE, "/api/user/balance");
    expect(a.env.data).toEqual([
      { asset: "BTC", avail: "1.2", frozen: "0.1" },
      { asset: "USDT", avail: "1234.5678", frozen: "0.00000001" },
      { asset: "ETH", avail: "0", frozen: "0" },
    ]);
    const reads = store.log.slice(before).filter((s) => s.query.includes(TABLES.ledger));
    expect(reads).toHaveLength(3);
    for (const [i, r] of reads.entries()) {
      expect(r.query).toBe(
        "SELECT avail, frozen FROM trading.balance_ledger WHERE user_id = ? AND asset_id = ? LIMIT 1",
      );
      expect(r.params).toEqual([BigInt(ALICE), i + 1]);
    }
  });

  it("the simulated Scylla rejects a balance query without the whole partition key, or in another keyspace", async () => {
    const gw = await setup();
    const q = (cql: string, params: unknown[]) => () => gw.world.store.scylla.query(cql, params);
    expect(q("SELECT avail, frozen FROM trading.balance_ledger WHERE user_id = ? LIMIT 1", [1n])).toThrow(
      /partition key|ALLOW FILTERING/i,
    );
    expect(q("SELECT avail FROM other.balance_ledger WHERE user_id = ? AND asset_id = ?", [1n, 1])).toThrow(
      /other/,
    );
    // the gateway's own statement is accepted
    expect(
      q("SELECT avail, frozen FROM trading.balance_ledger WHERE user_id = ? AND asset_id = ? LIMIT 1", [
        1n,
        1,
      ])().rows,
    ).toEqual([]);
  });

  it("shows what deposits and withdrawals did, end to end through the stub exchange", async () => {
    const gw = await setup();
    await deposit(gw, ALICE, "BTC", "10000", "d-1");
    await deposit(gw, ALICE, "USDT", "0.5", "d-2");
    await call(gw, ALICE, "/api/v1/transfer_out", {
      body: { request_id: "w-1", user_id: ALICE, asset: "BTC", amount: "1000.00000001" },
    });
    const a = await call<Balance>(gw, ALICE, "/api/user/balance");
    expect(a.env.data).toEqual([
      { asset: "BTC", avail: "8999.99999999", frozen: "0" },
      { asset: "USDT", avail: "0.5", frozen: "0" },
      { asset: "ETH", avail: "0", frozen: "0" },
    ]);
  });

  it("answers 5003 when the store stays unavailable, after retrying", async () => {
    const gw = await setup();
    await call(gw, ALICE, "/api/user/balance"); // caches the key
    const store = gw.world.store;
    const before = store.log.length;
    for (let i = 0; i < 3; i++)
      store.failures.push(new FakeStoreError("OperationTimedOutError", "timed out"));
    const a = await call(gw, ALICE, "/api/user/balance");
    expect(a.env.status).toBe(ERRORS.STORE_UNAVAILABLE.code);
    expect(store.log.length - before).toBe(3);

    store.failures.push(new FakeStoreError("OperationTimedOutError", "timed out"));
    expect((await call(gw, ALICE, "/api/user/balance")).env.status).toBe(0);
  });
});

async function seedHistory(gw: Gw) {
  const store = gw.world.store;
  for (let i = 1; i <= 5; i++) {
    store.put(TABLES.userTrades, {
      user_id: BigInt(ALICE),
      symbol_id: 0,
      trade_id: `t${i}`,
      output_seq: BigInt(i * 10),
      order_id: BigInt(100 + i),
      side: i % 2 === 0 ? "Buy" : "Sell",
      role: "maker",
      price: 5_000_025_000_000n,
      qty: 1_000_000n,
      quote_qty: 50_000_250_000n,
      fee: 50_000n,
      fee_asset_id: 2,
      created_at: BigInt(1000 + i),
    });
  }
  store.put(TABLES.userTrades, {
    user_id: BigInt(ALICE),
    symbol_id: 1,
    trade_id: "eth-1",
    output_seq: 1n,
    order_id: 1n,
    side: "Buy",
    role: "taker",
    price: 300_000_000_000n,
    qty: 10_000n,
    quote_qty: 30_000_000n,
    fee: 20n,
    fee_asset_id: 3,
    created_at: 1n,
  });
  const orders = [
    { order_id: 7n, status: "Filled", filled: 1_000_000n, reason: null },
    { order_id: 9n, status: "Cancelled", filled: 0n, reason: "user" },
    { order_id: 8n, status: "PartiallyFilled", filled: 500_000n, reason: null },
  ];
  for (const o of orders) {
    store.put(TABLES.orders, {
      user_id: BigInt(ALICE),
      symbol_id: 0,
      order_id: o.order_id,
      cid: `c${o.order_id}`,
      side: "Buy",
      order_type: "Limit",
      tif: "GTC",
      post_only: false,
      price: 5_000_000_000_000n,
      qty: 1_000_000n,
      filled_qty: o.filled,
      status: o.status,
      reason: o.reason,
      updated_seq: 1n,
      created_at: o.order_id,
    });
  }
  store.put(TABLES.orders, {
    user_id: BigInt(ALICE),
    symbol_id: 0,
    order_id: 10n,
    cid: "mkt",
    side: "Sell",
    order_type: "Market",
    tif: "IOC",
    post_only: false,
    price: null,
    qty: 2_000n,
    filled_qty: 2_000n,
    status: "Filled",
    reason: null,
    updated_seq: 1n,
    created_at: 10n,
  });
}

describe("gateway reads: histories", () => {
  it("answers trade_history newest first, in decimals, limited, for one symbol", async () => {
    const gw = await setup();
    await seedHistory(gw);
    const a = await call<Array<Record<string, unknown>>>(gw, ALICE, "/api/user/trade_history", {
      query: { user_id: ALICE, symbol: "BTC_USDT", limit: 3 },
    });
    expect(a.env.status).toBe(0);
    expect(a.env.data.map((t) => t.trade_id)).toEqual(["t5", "t4", "t3"]);
    expect(a.env.data[0]).toEqual({
      trade_id: "t5",
      symbol: "BTC_USDT",
      order_id: "105",
      side: "Sell",
      role: "maker",
      price: "50000.25",
      quantity: "0.01",
      quote_qty: "500.0025",
      fee: "0.0005",
      fee_asset: "USDT",
      output_seq: "50",
      created_at: 1005,
    });
    const q = gw.world.store.statementsOn(TABLES.userTrades).at(-1)!;
    expect(q.query).toMatch(/WHERE user_id = \? AND symbol_id = \? LIMIT 3$/);

    const eth = await call<Array<Record<string, unknown>>>(gw, ALICE, "/api/user/trade_history", {
      query: { symbol: "ETH_USDT" },
    });
    expect(eth.env.data).toEqual([
      expect.objectContaining({
        trade_id: "eth-1",
        price: "3000",
        quantity: "0.0001",
        fee: "0.0000002",
        fee_asset: "ETH",
      }),
    ]);
    const bob = await call<unknown[]>(gw, BOB, "/api/user/trade_history", { query: { symbol: "BTC_USDT" } });
    expect(bob.env.data).toEqual([]);
  });

  it("answers order_history newest first with the orders' real states", async () => {
    const gw = await setup();
    await seedHistory(gw);
    const a = await call<Array<Record<string, unknown>>>(gw, ALICE, "/api/user/order_history", {
      query: { symbol: "BTC_USDT" },
    });
    expect(a.env.status).toBe(0);
    expect(a.env.data.map((o) => [o.order_id, o.order_status])).toEqual([
      ["10", "Filled"],
      ["9", "Cancelled"],
      ["8", "PartiallyFilled"],
      ["7", "Filled"],
    ]);
    expect(a.env.data[0]).toMatchObject({ order_type: "Market", price: null, quantity: "0.00002" });
    expect(a.env.data[2]).toEqual({
      order_id: "8",
      cid: "c8",
      symbol: "BTC_USDT",
      side: "Buy",
      order_type: "Limit",
      time_in_force: "GTC",
      post_only: false,
      price: "50000",
      quantity: "0.01",
      filled_qty: "0.005",
      order_status: "PartiallyFilled",
      reason: null,
      created_at: 8,
    });
    const limited = await call<unknown[]>(gw, ALICE, "/api/user/order_history", {
      query: { symbol: "BTC_USDT", limit: 1 },
    });
    expect(limited.env.data).toHaveLength(1);
  });
});
