/**
 * The settlement service: persists what UBSCore and the ME publish into the `trading` keyspace.
 * Stateless: every row it writes is a pure function of one message, keyed so that writing it
 * again (a redelivery, a duplicate, a retry after a write that timed out) writes the same row.
 *
 * - balance.events   → balance_ledger row ((user_id, asset_id), seq): the event's seq.
 * - engine.outputs   → settled_trades (trade id `${symbol_id}:${trade_id}`), user_trades (one row
 *                      per side), and orders state (status, filled_qty, reason, updated_seq)
 *                      written with a write timestamp derived from output_seq, so a redelivered
 *                      older update never overwrites a newer one (last-write-wins by timestamp).
 * - ubscore.results  → requests row ((user_id), request_id), the first verdict winning by write
 *                      timestamp (see `result`); for an accepted place also the order's static
 *                      columns (orders) and orders_by_id.
 * The rows of a Kafka batch go grouped by partition into unlogged batches (`planStatements`).
 * Offsets are committed (at most every commitIntervalMs) only after every write of the batch was
 * acknowledged.
 */
import { Committer } from "../common/commits.ts";
import { forever } from "../common/log.ts";
import {
  batchWithRetry,
  connectWithRetry,
  executeWithRetry,
  isRetriableLogError,
  retrying,
  runLimited,
} from "../common/retry.ts";
import { ensureSchema } from "../common/schema.ts";
import type { EngineConfig } from "../config.ts";
import { fee } from "../domain/money.ts";
import { symbolById } from "../domain/symbols.ts";
import type { Consumer, CqlValue, EachBatchPayload, Ports } from "../ports/index.ts";
import {
  type BalanceEvent,
  decodeBalanceEvent,
  decodeEngineOutput,
  decodeResult,
  type EngineOutput,
  type OpResult,
} from "../protocol/messages.ts";
import { GROUPS, TOPICS } from "../protocol/topics.ts";
import { TABLES } from "../schema/cql.ts";

/**
 * One row to write: a statement and the partition it lands in. Rows of one partition can go in
 * one batch (one mutation on the node); rows of different partitions can share an unlogged batch.
 * Every row is idempotent (writing it again writes the same cells), so the order in which the rows
 * of a batch of messages are written does not matter, nor does a partly applied batch: the retry
 * completes it. Where the newest value must win, the statement carries its own write timestamp.
 */
export interface Write {
  /** `${table}|${partition key values}`: rows with the same `partition` land in one partition. */
  partition: string;
  query: string;
  params: CqlValue[];
  /** A conditional write (`IF NOT EXISTS`): executed on its own, never batched. */
  conditional?: boolean;
}

/** Events per engine output are numbered within it; the write timestamp is output_seq * this + index. */
export const EVENTS_PER_OUTPUT = 1_000_000n;
/** Write timestamp of an order's static columns (from the place verdict): older than any state update. */
const STATIC_TS = 1;
/**
 * Verdict rows are written with timestamp `VERDICT_TS_BASE - offset` (offset of the verdict in
 * `ubscore.results`). All verdicts of one request are in one partition (key = user_id), so the
 * earliest has the highest timestamp: last-write-wins keeps the FIRST verdict, whatever order the
 * rows reach the store in, and a redelivery rewrites the identical cells. Below any wall-clock
 * timestamp (2^50 µs is in 2005), so a conditional verdict (ballot timestamp = now) is never
 * overwritten by a plain one.
 */
export const VERDICT_TS_BASE = 1n << 50n;
/** Verdicts of these kinds are written with `IF NOT EXISTS` (Paxos): see `result()`. */
const CONDITIONAL_VERDICTS: ReadonlySet<string> = new Set(["withdraw"]);

/** The pure part: the rows one message implies. */
export class SettlementWriter {
  readonly config: EngineConfig;
  private readonly ks: string;

  constructor(config: EngineConfig) {
    this.config = config;
    this.ks = config.keyspace;
  }

  private t(table: string): string {
    return `${this.ks}.${table}`;
  }

  balance(e: BalanceEvent): Write[] {
    return [
      {
        partition: `${TABLES.ledger}|${e.user_id}|${e.asset_id}`,
        query: `INSERT INTO ${this.t(TABLES.ledger)} (user_id, asset_id, seq, delta_avail, delta_frozen, avail, frozen, event_type, ref_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [
          BigInt(e.user_id),
          e.asset_id,
          BigInt(e.seq),
          BigInt(e.delta_avail),
          BigInt(e.delta_frozen),
          BigInt(e.avail),
          BigInt(e.frozen),
          e.cause,
          e.ref,
          BigInt(e.ts),
        ],
      },
    ];
  }

  output(o: EngineOutput): Write[] {
    const sym = symbolById(o.symbol_id);
    const rates = this.config.fees[sym.name];
    const seq = BigInt(o.output_seq);
    const writes: Write[] = [];
    const orderUpdate = (
      idx: number,
      user: number,
      orderId: string,
      status: string,
      filled: string,
      reason: string | null,
    ): Write => ({
      partition: `${TABLES.orders}|${user}|${sym.id}`,
      query: `UPDATE ${this.t(TABLES.orders)} USING TIMESTAMP ? SET status = ?, filled_qty = ?, reason = ?, updated_seq = ? WHERE user_id = ? AND symbol_id = ? AND order_id = ?`,
      params: [
        seq * EVENTS_PER_OUTPUT + BigInt(idx),
        status,
        BigInt(filled),
        reason,
        seq,
        BigInt(user),
        sym.id,
        BigInt(orderId),
      ],
    });
    o.events.forEach((ev, idx) => {
      if (ev.type === "fill") {
        const price = BigInt(ev.price);
        const qty = BigInt(ev.qty);
        const quote = BigInt(ev.quote_qty);
        const takerBuys = ev.taker_side === "Buy";
        // Fees on the asset received: the buyer receives base, the seller quote.
        const makerFee = takerBuys ? fee(quote, rates.maker_bps) : fee(qty, rates.maker_bps);
        const takerFee = takerBuys ? fee(qty, rates.taker_bps) : fee(quote, rates.taker_bps);
        const makerFeeAsset = takerBuys ? sym.quote.id : sym.base.id;
        const takerFeeAsset = takerBuys ? sym.base.id : sym.quote.id;
        const tradeId = `${sym.id}:${ev.trade_id}`;
        writes.push({
          partition: `${TABLES.trades}|${tradeId}`,
          query: `INSERT INTO ${this.t(TABLES.trades)} (trade_id, symbol_id, output_seq, price, qty, quote_qty, taker_side, maker_order_id, maker_user_id, maker_fee, taker_order_id, taker_user_id, taker_fee, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          params: [
            tradeId,
            sym.id,
            seq,
            price,
            qty,
            quote,
            ev.taker_side,
            BigInt(ev.maker_order_id),
            BigInt(ev.maker_user_id),
            makerFee,
            BigInt(ev.taker_order_id),
            BigInt(ev.taker_user_id),
            takerFee,
            BigInt(o.ts),
          ],
        });
        const sides: Array<[number, string, string, string, bigint, number]> = [
          [ev.maker_user_id, ev.maker_order_id, takerBuys ? "Sell" : "Buy", "maker", makerFee, makerFeeAsset],
          [ev.taker_user_id, ev.taker_order_id, ev.taker_side, "taker", takerFee, takerFeeAsset],
        ];
        for (const [user, orderId, side, role, f, feeAsset] of sides) {
          writes.push({
            partition: `${TABLES.userTrades}|${user}|${sym.id}`,
            query: `INSERT INTO ${this.t(TABLES.userTrades)} (user_id, symbol_id, trade_id, output_seq, order_id, side, role, price, qty, quote_qty, fee, fee_asset_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            params: [
              BigInt(user),
              sym.id,
              tradeId,
              seq,
              BigInt(orderId),
              side,
              role,
              price,
              qty,
              quote,
              f,
              feeAsset,
              BigInt(o.ts),
            ],
          });
        }
        // A resting maker partly filled gets no order event: record its progress here.
        if (ev.maker_remaining !== "0") {
          writes.push(
            orderUpdate(
              idx,
              ev.maker_user_id,
              ev.maker_order_id,
              "PartiallyFilled",
              ev.maker_filled_qty,
              null,
            ),
          );
        }
      } else if (ev.type === "order") {
        writes.push(orderUpdate(idx, ev.user_id, ev.order_id, ev.status, ev.filled_qty, ev.reason));
      }
    });
    return writes;
  }

  /**
   * The verdict row, and for an accepted place the order's static columns and orders_by_id.
   * The first verdict of a request is final. UBSCore answers a duplicate request with the earlier
   * verdict itself (identical), so every verdict of one request is the same row; the write
   * timestamp `VERDICT_TS_BASE - offset` makes the first one win anyway, whatever order the rows
   * are written in (a plain insert: no Paxos round). A withdrawal's verdict, the record of money
   * leaving for the outside world, is a conditional insert (`IF NOT EXISTS`): write-once at the
   * store whatever any writer does, at the price of a Paxos round per withdrawal.
   */
  result(r: OpResult, offset: bigint): Write[] {
    const params: CqlValue[] = [
      BigInt(r.user_id),
      r.request_id,
      r.kind,
      r.status,
      r.reason,
      r.order_id === null ? null : BigInt(r.order_id),
      JSON.stringify({ ...r.body, order_status: r.order_status }),
      BigInt(r.ts),
    ];
    const cols =
      "(user_id, request_id, kind, status, reason, order_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    const partition = `${TABLES.requests}|${r.user_id}`;
    const writes: Write[] = [
      CONDITIONAL_VERDICTS.has(r.kind)
        ? {
            partition,
            // a timed-out attempt's retry finds its own row ([applied] false): nothing changes
            query: `INSERT INTO ${this.t(TABLES.requests)} ${cols} IF NOT EXISTS`,
            params,
            conditional: true,
          }
        : {
            partition,
            query: `INSERT INTO ${this.t(TABLES.requests)} ${cols} USING TIMESTAMP ?`,
            params: [...params, VERDICT_TS_BASE - offset],
          },
    ];
    if (r.kind === "place" && r.order_id !== null) {
      const b = r.body;
      const orderId = BigInt(r.order_id);
      writes.push({
        partition: `${TABLES.orders}|${r.user_id}|${Number(b.symbol_id)}`,
        query: `UPDATE ${this.t(TABLES.orders)} USING TIMESTAMP ${STATIC_TS} SET cid = ?, side = ?, order_type = ?, tif = ?, post_only = ?, price = ?, qty = ?, created_at = ? WHERE user_id = ? AND symbol_id = ? AND order_id = ?`,
        params: [
          String(b.cid),
          String(b.side),
          String(b.order_type),
          String(b.tif),
          b.post_only === true,
          b.price === null || b.price === undefined ? null : BigInt(String(b.price)),
          BigInt(String(b.qty)),
          BigInt(r.ts),
          BigInt(r.user_id),
          Number(b.symbol_id),
          orderId,
        ],
      });
      writes.push({
        partition: `${TABLES.ordersById}|${orderId}`,
        query: `INSERT INTO ${this.t(TABLES.ordersById)} (order_id, user_id, symbol_id, cid) VALUES (?, ?, ?, ?)`,
        params: [orderId, BigInt(r.user_id), Number(b.symbol_id), String(b.cid)],
      });
    }
    return writes;
  }

  /** The rows for the message at `offset` of `topic`; throws a MessageError if it does not decode. */
  writesFor(topic: string, value: string, offset: bigint): Write[] {
    if (topic === TOPICS.balanceEvents) return this.balance(decodeBalanceEvent(value));
    if (topic === TOPICS.engineOutputs) return this.output(decodeEngineOutput(value));
    if (topic === TOPICS.results) return this.result(decodeResult(value), offset);
    return [];
  }
}

/** Most rows in one single-partition batch (one mutation on the node, whatever its size). */
export const PARTITION_BATCH_ROWS = 64;
/**
 * Most rows in one unlogged batch of single-row partitions (one request, several mutations): 10
 * settled_trades rows are about 4 KiB, under Cassandra's default batch_size_warn_threshold (5 KiB,
 * which applies to multi-partition batches only) and at its unlogged-batch partition warning (10).
 */
export const MIXED_BATCH_ROWS = 10;

/**
 * The statements for a set of rows: the rows of each partition together (one unlogged batch per
 * partition, at most PARTITION_BATCH_ROWS rows each), the partitions that get a single row packed
 * by MIXED_BATCH_ROWS into unlogged batches, conditional rows on their own. A statement of one
 * row is executed as such. Deterministic: partitions in order of first appearance.
 */
export function planStatements(
  writes: readonly Write[],
  limits: { partitionRows: number; mixedRows: number } = {
    partitionRows: PARTITION_BATCH_ROWS,
    mixedRows: MIXED_BATCH_ROWS,
  },
): Write[][] {
  const out: Write[][] = [];
  const groups = new Map<string, Write[]>();
  for (const w of writes) {
    if (w.conditional === true) {
      out.push([w]);
      continue;
    }
    const g = groups.get(w.partition);
    if (g === undefined) groups.set(w.partition, [w]);
    else g.push(w);
  }
  const singles: Write[] = [];
  for (const g of groups.values()) {
    if (g.length === 1) singles.push(g[0]);
    else
      for (let i = 0; i < g.length; i += limits.partitionRows) out.push(g.slice(i, i + limits.partitionRows));
  }
  for (let i = 0; i < singles.length; i += limits.mixedRows) out.push(singles.slice(i, i + limits.mixedRows));
  return out;
}

/** Default of Settlement.partitions. */
export const PARTITIONS_IN_PARALLEL = 4;

export type SettlementPhase = "starting" | "running" | "stopped";

export class Settlement {
  readonly ports: Ports;
  readonly config: EngineConfig;
  readonly writer: SettlementWriter;
  phase: SettlementPhase = "starting";
  /** Messages handled, rows written, statements (single rows or batches) sent, undecodable messages. */
  readonly stats = { messages: 0, writes: 0, statements: 0, undecodable: 0 };
  private consumer: Consumer | null = null;
  private committer: Committer | null = null;
  private stopped = false;
  /** Statements (single rows or batches) in flight at once per batch of messages. */
  concurrency = 16;
  /**
   * Kafka partitions handled at once (kafkajs's partitionsConsumedConcurrently; read at start).
   * Safe: every row is keyed and idempotent, and where order matters the write timestamp decides.
   */
  partitions = PARTITIONS_IN_PARALLEL;
  /** Most rows per statement (see planStatements); 1 and 1 = every row on its own. */
  batchLimits = { partitionRows: PARTITION_BATCH_ROWS, mixedRows: MIXED_BATCH_ROWS };

  constructor(ports: Ports, config: EngineConfig) {
    this.ports = ports;
    this.config = config;
    this.writer = new SettlementWriter(config);
  }

  async run(): Promise<void> {
    await this.start();
    if (this.stopped) return;
    await forever();
  }

  async start(): Promise<void> {
    const { log, store, clock, logger } = this.ports;
    await retrying(
      "store connect",
      () => store.connect(),
      clock,
      logger,
      () => true,
    );
    await ensureSchema(store, this.config, clock, logger);
    const consumer = log.consumer({ groupId: GROUPS.settlement });
    this.consumer = consumer;
    this.committer = new Committer(consumer, clock, logger, this.config.commitIntervalMs);
    await connectWithRetry("settlement consumer", consumer, clock, logger);
    await retrying(
      "settlement subscribe",
      () =>
        consumer.subscribe({
          topics: [TOPICS.balanceEvents, TOPICS.engineOutputs, TOPICS.results],
          fromBeginning: true,
        }),
      clock,
      logger,
      isRetriableLogError,
    );
    this.phase = "running";
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.partitions,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.committer?.close();
    this.phase = "stopped";
    await this.consumer?.disconnect().catch(() => {});
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    if (this.stopped) return;
    const { batch } = payload;
    const { store, clock, logger } = this.ports;
    const writes: Write[] = [];
    let last: string | null = null;
    for (const m of batch.messages) {
      last = m.offset;
      try {
        for (const w of this.writer.writesFor(batch.topic, m.value, BigInt(m.offset))) writes.push(w);
      } catch (err) {
        // Only the engine's own services write these topics: an undecodable message is a bug
        // upstream. It is reported (and counted), not retried forever.
        this.stats.undecodable++;
        logger.error("settlement: undecodable message", {
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          error: (err as Error).message,
        });
      }
      this.stats.messages++;
    }
    if (writes.length > 0) {
      const statements = planStatements(writes, this.batchLimits);
      await runLimited(
        statements.map((rows) => () => {
          if (rows.length === 1)
            return executeWithRetry(store, rows[0].query, rows[0].params, clock, logger, { prepare: true });
          return batchWithRetry(
            store,
            rows.map((r) => ({ query: r.query, params: r.params })),
            clock,
            logger,
            { prepare: true, logged: false },
          );
        }),
        this.concurrency,
      );
      this.stats.writes += writes.length;
      this.stats.statements += statements.length;
    }
    if (last !== null) {
      payload.resolveOffset(last);
      await this.committer!.handled(batch.topic, batch.partition, BigInt(last) + 1n);
    }
    await payload.heartbeat().catch(() => {});
  }
}

export async function runSettlement(ports: Ports, config: EngineConfig): Promise<void> {
  await new Settlement(ports, config).run();
}
