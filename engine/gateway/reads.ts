/**
 * The gateway's reads from Scylla. Every query restricts the table's whole partition key (CQL
 * rejects anything less, and the original system's balance query broke on exactly that) and
 * names the keyspace from the config. Amounts leave here as decimal strings in whole units.
 *
 * - balance:        balance_ledger, for EVERY asset: WHERE user_id = ? AND asset_id = ? LIMIT 1
 *                   (clustering is seq DESC, so the first row is the latest); no row = zero.
 * - trade history:  user_trades WHERE user_id = ? AND symbol_id = ? LIMIT n (output_seq DESC:
 *                   newest first).
 * - order history:  orders WHERE user_id = ? AND symbol_id = ? LIMIT n (order_id DESC: newest
 *                   first), with the state Settlement last wrote.
 */
import { formatAmount } from "../domain/amount.ts";
import { ASSETS, assetById } from "../domain/assets.ts";
import { formatPrice, formatQty } from "../domain/money.ts";
import { type SymbolInfo, symbolById } from "../domain/symbols.ts";
import type { Row } from "../ports/index.ts";
import { TABLES } from "../schema/cql.ts";
import { type GatewayContext, table } from "./context.ts";
import { big, bigOrNull, num, run, text } from "./db.ts";

export interface BalanceView {
  asset: string;
  avail: string;
  frozen: string;
}

/** The latest ledger row of each (user, asset); zero for an asset the user never touched. */
export async function readBalances(ctx: GatewayContext, user_id: number): Promise<BalanceView[]> {
  const cql = `SELECT avail, frozen FROM ${table(ctx.config, TABLES.ledger)} WHERE user_id = ? AND asset_id = ? LIMIT 1`;
  const out: BalanceView[] = [];
  for (const asset of ASSETS) {
    const row = (await run(ctx, cql, [BigInt(user_id), asset.id])).first();
    out.push({
      asset: asset.code,
      avail: formatAmount(row === null ? 0n : big(row, "avail"), asset),
      frozen: formatAmount(row === null ? 0n : big(row, "frozen"), asset),
    });
  }
  return out;
}

export interface TradeView {
  trade_id: string;
  symbol: string;
  order_id: string;
  side: string | null;
  /** "maker" or "taker". */
  role: string | null;
  price: string;
  quantity: string;
  quote_qty: string;
  fee: string;
  fee_asset: string | null;
  output_seq: string;
  created_at: number;
}

const TRADE_COLUMNS =
  "trade_id, output_seq, order_id, side, role, price, qty, quote_qty, fee, fee_asset_id, created_at";

function tradeView(symbol: SymbolInfo, row: Row): TradeView {
  const feeAssetId =
    row.fee_asset_id === null || row.fee_asset_id === undefined ? null : num(row, "fee_asset_id");
  const feeAsset = feeAssetId === null ? null : assetById(feeAssetId);
  return {
    trade_id: text(row, "trade_id") ?? "",
    symbol: symbol.name,
    order_id: big(row, "order_id").toString(),
    side: text(row, "side"),
    role: text(row, "role"),
    price: formatPrice(symbol, big(row, "price")),
    quantity: formatQty(symbol, big(row, "qty")),
    quote_qty: formatAmount(big(row, "quote_qty"), symbol.quote),
    fee: feeAsset === null ? big(row, "fee").toString() : formatAmount(big(row, "fee"), feeAsset),
    fee_asset: feeAsset?.code ?? null,
    output_seq: big(row, "output_seq").toString(),
    created_at: num(row, "created_at"),
  };
}

/** A user's trades in one symbol, newest first (the table's clustering order). */
export async function readTradeHistory(
  ctx: GatewayContext,
  user_id: number,
  symbol: SymbolInfo,
  limit: number,
): Promise<TradeView[]> {
  const rs = await run(
    ctx,
    `SELECT ${TRADE_COLUMNS} FROM ${table(ctx.config, TABLES.userTrades)} WHERE user_id = ? AND symbol_id = ? LIMIT ${limit}`,
    [BigInt(user_id), symbol.id],
  );
  return rs.rows.map((r) => tradeView(symbol, r));
}

export interface OrderView {
  order_id: string;
  cid: string | null;
  symbol: string;
  side: string | null;
  order_type: string | null;
  time_in_force: string | null;
  post_only: boolean;
  /** null for a market order without a price cap. */
  price: string | null;
  quantity: string;
  filled_qty: string;
  order_status: string;
  reason: string | null;
  created_at: number;
}

const ORDER_COLUMNS =
  "order_id, cid, side, order_type, tif, post_only, price, qty, filled_qty, status, reason, created_at";

function orderView(symbol: SymbolInfo, row: Row): OrderView {
  const price = bigOrNull(row, "price");
  return {
    order_id: big(row, "order_id").toString(),
    cid: text(row, "cid"),
    symbol: symbol.name,
    side: text(row, "side"),
    order_type: text(row, "order_type"),
    time_in_force: text(row, "tif"),
    post_only: row.post_only === true,
    price: price === null ? null : formatPrice(symbol, price),
    quantity: formatQty(symbol, big(row, "qty")),
    filled_qty: formatQty(symbol, big(row, "filled_qty")),
    order_status: text(row, "status") ?? "Unknown",
    reason: text(row, "reason"),
    created_at: num(row, "created_at"),
  };
}

/** A user's orders in one symbol, newest first, in the state Settlement last wrote. */
export async function readOrderHistory(
  ctx: GatewayContext,
  user_id: number,
  symbol: SymbolInfo,
  limit: number,
): Promise<OrderView[]> {
  const rs = await run(
    ctx,
    `SELECT ${ORDER_COLUMNS} FROM ${table(ctx.config, TABLES.orders)} WHERE user_id = ? AND symbol_id = ? LIMIT ${limit}`,
    [BigInt(user_id), symbol.id],
  );
  return rs.rows.map((r) => orderView(symbol, r));
}

/** One order's current state, or null if Settlement has not written it (yet). */
export async function readOrder(
  ctx: GatewayContext,
  user_id: number,
  symbol: SymbolInfo,
  order_id: string,
): Promise<OrderView | null> {
  const row = (
    await run(
      ctx,
      `SELECT ${ORDER_COLUMNS} FROM ${table(ctx.config, TABLES.orders)} WHERE user_id = ? AND symbol_id = ? AND order_id = ?`,
      [BigInt(user_id), symbol.id, BigInt(order_id)],
    )
  ).first();
  return row === null ? null : orderView(symbol, row);
}

/** Where an order lives (orders_by_id), or null. */
export async function locateOrder(
  ctx: GatewayContext,
  order_id: string,
): Promise<{ user_id: number; symbol: SymbolInfo; cid: string | null } | null> {
  const row = (
    await run(
      ctx,
      `SELECT user_id, symbol_id, cid FROM ${table(ctx.config, TABLES.ordersById)} WHERE order_id = ?`,
      [BigInt(order_id)],
    )
  ).first();
  if (row === null) return null;
  return { user_id: num(row, "user_id"), symbol: symbolById(num(row, "symbol_id")), cid: text(row, "cid") };
}
