/**
 * The Scylla schema of keyspace `trading`: the one place for table names and DDL. Times are
 * bigint epoch milliseconds (never `timestamp`, so no Date crosses the store port). Amounts are
 * bigint minor units.
 */
export const KEYSPACE = "trading";

export const TABLES = {
  /** Source of truth for balances: append-only, one row per change, gapless seq per (user, asset). */
  ledger: "balance_ledger",
  /** One row per trade, keyed by trade id. */
  trades: "settled_trades",
  /** Trades per user and symbol, newest first, for trade_history. */
  userTrades: "user_trades",
  /** Current state of each order, per user and symbol (order_history). */
  orders: "orders",
  /** Order lookup by id (cancel by order_id, gateway answers). */
  ordersById: "orders_by_id",
  /** Each request's verdict, by (user, request id): the gateway's idempotency record. */
  requests: "requests",
  /** API keys of the gateway: key -> owner and HMAC secret (engine/gateway/auth.ts). */
  apiKeys: "api_keys",
} as const;

/** The DDL for a keyspace other than the default one (the config's `keyspace`). */
export function ddlFor(keyspace: string): string[] {
  if (!/^[a-z_][a-z0-9_]*$/.test(keyspace))
    throw new RangeError(`bad keyspace name ${JSON.stringify(keyspace)}`);
  return DDL.map((q) => q.replaceAll(`EXISTS ${KEYSPACE}`, `EXISTS ${keyspace}`));
}

export const DDL: readonly string[] = [
  `CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.ledger} (
    user_id bigint, asset_id int, seq bigint,
    delta_avail bigint, delta_frozen bigint, avail bigint, frozen bigint,
    event_type text, ref_id text, created_at bigint,
    PRIMARY KEY ((user_id, asset_id), seq)
  ) WITH CLUSTERING ORDER BY (seq DESC)`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.trades} (
    trade_id text, symbol_id int, output_seq bigint,
    price bigint, qty bigint, quote_qty bigint, taker_side text,
    maker_order_id bigint, maker_user_id bigint, maker_fee bigint,
    taker_order_id bigint, taker_user_id bigint, taker_fee bigint,
    created_at bigint,
    PRIMARY KEY (trade_id)
  )`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.userTrades} (
    user_id bigint, symbol_id int, trade_id text, output_seq bigint,
    order_id bigint, side text, role text, price bigint, qty bigint, quote_qty bigint, fee bigint, fee_asset_id int,
    created_at bigint,
    PRIMARY KEY ((user_id, symbol_id), output_seq, trade_id)
  ) WITH CLUSTERING ORDER BY (output_seq DESC, trade_id DESC)`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.orders} (
    user_id bigint, symbol_id int, order_id bigint,
    cid text, side text, order_type text, tif text, post_only boolean,
    price bigint, qty bigint, filled_qty bigint, status text, reason text,
    updated_seq bigint, created_at bigint,
    PRIMARY KEY ((user_id, symbol_id), order_id)
  ) WITH CLUSTERING ORDER BY (order_id DESC)`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.ordersById} (
    order_id bigint, user_id bigint, symbol_id int, cid text,
    PRIMARY KEY (order_id)
  )`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.requests} (
    user_id bigint, request_id text, kind text, status text, reason text, order_id bigint, body text,
    created_at bigint,
    PRIMARY KEY ((user_id), request_id)
  )`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.apiKeys} (
    api_key text, user_id bigint, secret text,
    PRIMARY KEY (api_key)
  )`,
];
