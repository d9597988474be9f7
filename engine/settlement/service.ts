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
 * - ubscore.results  → requests row ((user_id), request_id); for an accepted place also the
 *                      order's static columns (orders) and orders_by_id.
 * Offsets are committed only after every write of the batch was acknowledged.
 */
import { commitBestEffort, forever, Mutex } from "../common/log.ts";
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
import type { Consumer, CqlValue, EachBatchPayload, Ports, QueryOptions } from "../ports/index.ts";
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

export interface Write {
  query: string;
  params: CqlValue[];
  options?: QueryOptions;
  /**
   * Statements written together as one UNLOGGED batch (a trade's three rows). The batch may be
   * applied in part if the coordinator fails; every row is idempotent, so the retry completes it.
   */
  batch?: Array<{ query: string; params: CqlValue[] }>;
}

/** Events per engine output are numbered within it; the write timestamp is output_seq * this + index. */
export const EVENTS_PER_OUTPUT = 1_000_000n;
/** Write timestamp of an order's static columns (from the place verdict): older than any state update. */
const STATIC_TS = 1;

/** The pure part: the writes one message implies. */
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
      query: `UPDATE ${this.t(TABLES.orders)} SET status = ?, filled_qty = ?, reason = ?, updated_seq = ? WHERE user_id = ? AND symbol_id = ? AND order_id = ?`,
      params: [status, BigInt(filled), reason, seq, BigInt(user), sym.id, BigInt(orderId)],
      options: { timestamp: seq * EVENTS_PER_OUTPUT + BigInt(idx) },
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
        const tradeRows: Array<{ query: string; params: CqlValue[] }> = [];
        tradeRows.push({
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
          tradeRows.push({
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
        writes.push({ query: "BATCH", params: [], batch: tradeRows, options: { logged: false } });
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

  result(r: OpResult): Write[] {
    const writes: Write[] = [
      {
        // The first verdict of a request is final: a conditional insert, so a redelivered or
        // retried write never replaces it (a timed-out attempt's retry finds its own row).
        query: `INSERT INTO ${this.t(TABLES.requests)} (user_id, request_id, kind, status, reason, order_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
        params: [
          BigInt(r.user_id),
          r.request_id,
          r.kind,
          r.status,
          r.reason,
          r.order_id === null ? null : BigInt(r.order_id),
          JSON.stringify({ ...r.body, order_status: r.order_status }),
          BigInt(r.ts),
        ],
      },
    ];
    if (r.kind === "place" && r.order_id !== null) {
      const b = r.body;
      const orderId = BigInt(r.order_id);
      writes.push({
        query: `UPDATE ${this.t(TABLES.orders)} SET cid = ?, side = ?, order_type = ?, tif = ?, post_only = ?, price = ?, qty = ?, created_at = ? WHERE user_id = ? AND symbol_id = ? AND order_id = ?`,
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
        options: { timestamp: STATIC_TS },
      });
      writes.push({
        query: `INSERT INTO ${this.t(TABLES.ordersById)} (order_id, user_id, symbol_id, cid) VALUES (?, ?, ?, ?)`,
        params: [orderId, BigInt(r.user_id), Number(b.symbol_id), String(b.cid)],
      });
    }
    return writes;
  }

  /** The writes for a message of `topic`; throws a MessageError if it does not decode. */
  writesFor(topic: string, value: string): Write[] {
    if (topic === TOPICS.balanceEvents) return this.balance(decodeBalanceEvent(value));
    if (topic === TOPICS.engineOutputs) return this.output(decodeEngineOutput(value));
    if (topic === TOPICS.results) return this.result(decodeResult(value));
    return [];
  }
}

export type SettlementPhase = "starting" | "running" | "stopped";

export class Settlement {
  readonly ports: Ports;
  readonly config: EngineConfig;
  readonly writer: SettlementWriter;
  phase: SettlementPhase = "starting";
  readonly stats = { messages: 0, writes: 0, undecodable: 0 };
  private consumer: Consumer | null = null;
  private readonly mutex = new Mutex();
  private stopped = false;
  /** Statements in flight at once per batch. */
  concurrency = 16;

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
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.mutex.run(() => this.handleBatch(payload)),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
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
        for (const w of this.writer.writesFor(batch.topic, m.value)) writes.push(w);
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
      await runLimited(
        writes.map(
          (w) => () =>
            w.batch
              ? batchWithRetry(store, w.batch, clock, logger, { prepare: true, ...w.options })
              : executeWithRetry(store, w.query, w.params, clock, logger, { prepare: true, ...w.options }),
        ),
        this.concurrency,
      );
      this.stats.writes += writes.length;
    }
    if (last !== null) {
      payload.resolveOffset(last);
      await commitBestEffort(this.consumer!, batch.topic, batch.partition, BigInt(last) + 1n, clock, logger);
    }
    await payload.heartbeat().catch(() => {});
  }
}

export async function runSettlement(ports: Ports, config: EngineConfig): Promise<void> {
  await new Settlement(ports, config).run();
}
