/**
 * The matching-engine service: one matching core (engine/matching) per symbol, fed from
 * `validated_orders`, publishing ONE `engine.outputs` message per command that produced events,
 * numbered per symbol by `output_seq` (1, 2, 3, ... never reset) and carrying the input it
 * answers. Recovery (engine/README.md): the books are a pure function of the `validated_orders`
 * log, so the service loads its newest snapshot (me/snapshot.ts, written every
 * `config.snapshotEvery` commands) and replays that log from the offsets the snapshot covers
 * (from 0 without one), publishing only the outputs of commands that `engine.outputs` does not
 * answer yet.
 */

import { Committer } from "../common/commits.ts";
import { forever, Mutex, readToEnd, topicsEnds } from "../common/log.ts";
import { connectWithRetry, isRetriableLogError, retrying, sendAll } from "../common/retry.ts";
import { readLatestSnapshot, snapshotDue, writeSnapshot } from "../common/snapshots.ts";
import type { EngineConfig } from "../config.ts";
import { SYMBOLS, type SymbolInfo } from "../domain/symbols.ts";
import { bookConfigOf, Matcher } from "../matching/matcher.ts";
import type { Command, MatchEvent } from "../matching/types.ts";
import type { ConsumedMessage, Consumer, EachBatchPayload, Ports, Producer } from "../ports/index.ts";
import {
  decodeEngineOutput,
  decodeValidatedOrder,
  type EngineEvent,
  type EngineOutput,
  encode,
  type ValidatedOrder,
} from "../protocol/messages.ts";
import { GROUPS, TOPICS } from "../protocol/topics.ts";
import { decodeMeSnapshot, encodeMeSnapshot } from "./snapshot.ts";

/** One symbol's book and numbering. */
export class SymbolBook {
  readonly symbol: SymbolInfo;
  readonly matcher: Matcher;
  /** The output_seq of the last output this book produced (replayed or published). */
  lastOutputSeq = 0n;
  /** Order ids of every place applied (duplicates are dropped silently, before the core). */
  readonly seenOrders = new Set<string>();
  /** cancel_ids of every cancel applied. */
  readonly seenCancels = new Set<string>();
  /** Original qty of each order still open (for cumulative filled quantities in fills). */
  readonly openQty = new Map<string, bigint>();

  /** `matcher`: a core restored from a snapshot (default: an empty book). */
  constructor(symbol: SymbolInfo, matcher?: Matcher) {
    this.symbol = symbol;
    this.matcher = matcher ?? new Matcher(bookConfigOf(symbol));
  }
}

function toCommand(v: ValidatedOrder): Command {
  if (v.type === "cancel") return { type: "cancel", order_id: v.order_id, user_id: v.user_id };
  return {
    type: "place",
    order_id: v.order_id,
    user_id: v.user_id,
    side: v.side,
    order_type: v.order_type,
    tif: v.tif,
    post_only: v.post_only,
    price: v.price === null ? null : BigInt(v.price),
    qty: BigInt(v.qty),
    quote_limit: v.quote_limit === null ? null : BigInt(v.quote_limit),
  };
}

const TERMINAL = new Set(["Filled", "Cancelled", "Rejected"]);

/**
 * The pure part: applies validated orders to the books and builds outputs. Deterministic: the
 * same messages in the same order give the same books and the same outputs (the output's `ts`
 * is the input message's timestamp, not a clock).
 */
export class MatchingState {
  readonly books = new Map<number, SymbolBook>();
  /** Per validated_orders partition: the last offset applied. */
  readonly processed = new Map<number, bigint>();

  constructor() {
    for (const s of SYMBOLS) this.books.set(s.id, new SymbolBook(s));
  }

  /**
   * Applies the message at (partition, offset). Returns the output to publish, or null (already
   * applied, a duplicate command, or not a command this engine can apply: `warn` says which).
   */
  apply(partition: number, m: ConsumedMessage, warn: (msg: string) => void): EngineOutput | null {
    const offset = BigInt(m.offset);
    const last = this.processed.get(partition);
    if (last !== undefined && offset <= last) return null;
    this.processed.set(partition, offset);
    let v: ValidatedOrder;
    try {
      v = decodeValidatedOrder(m.value);
    } catch (err) {
      warn(`validated_orders ${partition}@${m.offset} dropped: ${(err as Error).message}`);
      return null;
    }
    const book = this.books.get(v.symbol_id);
    if (book === undefined) {
      warn(`validated_orders ${partition}@${m.offset}: unknown symbol ${v.symbol_id}`);
      return null;
    }
    if (v.type === "place") {
      if (book.seenOrders.has(v.order_id)) return null;
      book.seenOrders.add(v.order_id);
      book.openQty.set(v.order_id, BigInt(v.qty));
    } else {
      if (book.seenCancels.has(v.cancel_id)) return null;
      book.seenCancels.add(v.cancel_id);
    }
    const cmd = toCommand(v);
    const events = book.matcher.apply(cmd);
    const out: EngineEvent[] = [];
    for (const e of events) out.push(this.eventOut(book, cmd, e));
    for (const e of events)
      if (e.type === "order" && TERMINAL.has(e.status)) book.openQty.delete(String(e.order_id));
    book.lastOutputSeq += 1n;
    const ts = Number(m.timestamp);
    return {
      type: "engine_output",
      v: 1,
      symbol_id: book.symbol.id,
      output_seq: book.lastOutputSeq.toString(),
      input: { partition, offset: m.offset },
      cancel_id: v.type === "cancel" ? v.cancel_id : null,
      events: out,
      ts: Number.isSafeInteger(ts) ? ts : 0,
    };
  }

  private eventOut(book: SymbolBook, cmd: Command, e: MatchEvent): EngineEvent {
    switch (e.type) {
      case "fill": {
        const makerQty = book.openQty.get(String(e.maker_order_id)) ?? 0n;
        const takerQty = cmd.type === "place" ? cmd.qty : 0n;
        return {
          type: "fill",
          trade_id: e.trade_id.toString(),
          price: e.price.toString(),
          qty: e.qty.toString(),
          quote_qty: e.quote_qty.toString(),
          taker_side: e.taker_side,
          maker_order_id: String(e.maker_order_id),
          maker_user_id: e.maker_user_id,
          maker_remaining: e.maker_remaining.toString(),
          taker_order_id: String(e.taker_order_id),
          taker_user_id: e.taker_user_id,
          taker_remaining: e.taker_remaining.toString(),
          maker_filled_qty: (makerQty - e.maker_remaining).toString(),
          taker_filled_qty: (takerQty - e.taker_remaining).toString(),
        };
      }
      case "order":
        return {
          type: "order",
          order_id: String(e.order_id),
          user_id: e.user_id,
          side: e.side,
          status: e.status,
          reason: e.reason,
          filled_qty: e.filled_qty.toString(),
          remaining_qty: e.remaining_qty.toString(),
          cancelled_qty: e.cancelled_qty.toString(),
        };
      case "reject":
        return {
          type: "reject",
          command: e.command,
          order_id: String(e.order_id),
          user_id: e.user_id,
          reason: e.reason,
        };
    }
  }
}

export type MePhase = "starting" | "scanning" | "replaying" | "running" | "stopped";

export class MatchingService {
  readonly ports: Ports;
  readonly config: EngineConfig;
  state = new MatchingState();
  phase: MePhase = "starting";
  /** From the scan of engine.outputs at start: per symbol the last output_seq and the input it answered. */
  readonly answered = new Map<number, { seq: bigint; partition: number; offset: bigint }>();
  readonly stats = {
    replayed: 0,
    republished: 0,
    published: 0,
    /** Snapshots written by this incarnation. */
    snapshots: 0,
    /** Whether recovery started from a snapshot. */
    fromSnapshot: false,
  };
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private committer: Committer | null = null;
  private readonly mutex = new Mutex();
  /** Commands applied since the last snapshot (or replayed after the one recovery started from). */
  private sinceSnapshot = 0;
  /** Length of the last snapshot written or loaded (a large state is snapshotted less often). */
  private lastSnapshotChars = 0;
  private stopped = false;

  constructor(ports: Ports, config: EngineConfig) {
    this.ports = ports;
    this.config = config;
  }

  /** The books, by symbol id (for invariant checks). */
  get books(): Map<number, SymbolBook> {
    return this.state.books;
  }

  async run(): Promise<void> {
    await this.start();
    if (this.stopped) return;
    await forever();
  }

  async start(): Promise<void> {
    const { log, clock, logger } = this.ports;
    const warn = (msg: string) => logger.warn(`me: ${msg}`);
    // Idempotent: the broker drops a retried duplicate, and a lost acknowledgement is retried
    // instead of failing the send (the single writer must never give up on an output).
    this.producer = log.producer({ idempotent: true });
    await connectWithRetry("me producer", this.producer, clock, logger);

    // 0. The newest usable snapshot: the books after the validated_orders offsets it names.
    this.phase = "scanning";
    const loaded = await readLatestSnapshot(
      this.ports,
      TOPICS.meSnapshots,
      (text) => decodeMeSnapshot(text),
      {
        groupPrefix: "me-recovery",
        onReject: (why, m) => logger.warn("me: snapshot skipped", { id: m.id, why }),
      },
    );
    const snap = loaded?.value ?? null;
    this.stats.fromSnapshot = snap !== null;

    // 1. What has been answered already: per symbol the last output_seq and its input. Everything
    //    a snapshot covers was answered before it was written, so the scan starts where
    //    engine.outputs ended then.
    this.answered.clear();
    await readToEnd(
      this.ports,
      TOPICS.engineOutputs,
      (_p, m) => {
        const o = decodeEngineOutput(m.value);
        const seq = BigInt(o.output_seq);
        const prev = this.answered.get(o.symbol_id);
        if (prev === undefined || seq > prev.seq) {
          this.answered.set(o.symbol_id, {
            seq,
            partition: o.input.partition,
            offset: BigInt(o.input.offset),
          });
        }
      },
      { groupPrefix: "me-recovery", from: snap?.outputsFrom },
    );

    // 2. Rebuild the books from validated_orders (after the snapshot's offsets, if any); publish
    //    only what is not answered yet.
    this.phase = "replaying";
    const state = snap?.state ?? new MatchingState();
    const from = new Map<number, bigint>();
    for (const [p, o] of state.processed) from.set(p, o + 1n);
    const unanswered: EngineOutput[] = [];
    await readToEnd(
      this.ports,
      TOPICS.validatedOrders,
      (p, m) => {
        const out = state.apply(p, m, warn);
        if (out === null) return;
        this.stats.replayed++;
        const a = this.answered.get(out.symbol_id);
        const isAnswered = a !== undefined && a.partition === p && BigInt(m.offset) <= a.offset;
        if (isAnswered) {
          if (BigInt(out.output_seq) > a.seq) {
            throw new Error(
              `me: replay numbered ${out.output_seq} beyond the published ${a.seq} at ${p}@${m.offset}`,
            );
          }
        } else {
          unanswered.push(out);
        }
      },
      { groupPrefix: "me-recovery", from },
    );
    this.sinceSnapshot = this.stats.replayed;
    this.lastSnapshotChars = loaded?.manifest.length ?? 0;
    // Never reuse a published output_seq, whatever happened to the input log.
    for (const [sym, a] of this.answered) {
      const book = state.books.get(sym);
      if (book && book.lastOutputSeq < a.seq && unanswered.every((o) => o.symbol_id !== sym)) {
        logger.error("me: replay ended below the published output_seq", {
          symbol: sym,
          replayed: book.lastOutputSeq.toString(),
          published: a.seq.toString(),
        });
        book.lastOutputSeq = a.seq;
      }
    }
    this.state = state;
    if (unanswered.length > 0) {
      this.stats.republished = unanswered.length;
      await this.publish(unanswered);
    }
    logger.info("me: recovered", { replayed: this.stats.replayed, published: unanswered.length });

    // 3. Consume.
    const consumer = log.consumer({ groupId: GROUPS.matching });
    this.consumer = consumer;
    this.committer = new Committer(consumer, clock, logger, this.config.commitIntervalMs);
    await connectWithRetry("me consumer", consumer, clock, logger);
    await retrying(
      "me subscribe",
      () => consumer.subscribe({ topics: [TOPICS.validatedOrders], fromBeginning: true }),
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
    this.committer?.close();
    this.phase = "stopped";
    await this.consumer?.disconnect().catch(() => {});
    await this.producer?.disconnect().catch(() => {});
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    if (this.stopped) return;
    const { batch } = payload;
    const { logger } = this.ports;
    const warn = (msg: string) => logger.warn(`me: ${msg}`);
    const outs: EngineOutput[] = [];
    let last: string | null = null;
    for (const m of batch.messages) {
      last = m.offset;
      const out = this.state.apply(batch.partition, m, warn);
      if (out !== null) outs.push(out);
    }
    if (outs.length > 0) await this.publish(outs);
    if (last !== null) {
      payload.resolveOffset(last);
      await this.committer!.handled(batch.topic, batch.partition, BigInt(last) + 1n);
    }
    this.sinceSnapshot += outs.length;
    if (snapshotDue(this.sinceSnapshot, this.config, this.lastSnapshotChars)) await this.snapshot();
    await payload.heartbeat().catch(() => {});
  }

  /**
   * Writes a snapshot of every book (between batches, under the mutex, once the outputs of every
   * command applied were acknowledged), with the high watermarks of engine.outputs fetched now:
   * the outputs of every command it covers are below them, those of later commands above.
   */
  private async snapshot(): Promise<void> {
    const ends = await topicsEnds(this.ports, [TOPICS.engineOutputs, TOPICS.meSnapshots]);
    const outputsFrom = new Map<number, bigint>();
    for (const [p, e] of ends.get(TOPICS.engineOutputs) ?? []) outputsFrom.set(p, e.high);
    const from = ends.get(TOPICS.meSnapshots)?.get(0)?.high ?? 0n;
    const text = encodeMeSnapshot({ state: this.state, outputsFrom });
    const processed: Record<string, string> = {};
    for (const [p, o] of this.state.processed) processed[p] = o.toString();
    await writeSnapshot(this.ports, this.producer!, TOPICS.meSnapshots, text, { processed }, from);
    this.sinceSnapshot = 0;
    this.lastSnapshotChars = text.length;
    this.stats.snapshots++;
  }

  private async publish(outs: EngineOutput[]): Promise<void> {
    const { clock, logger } = this.ports;
    const msgs = outs.map((o) => ({ key: this.state.books.get(o.symbol_id)!.symbol.name, value: encode(o) }));
    await sendAll(this.producer!, TOPICS.engineOutputs, msgs, clock, logger);
    this.stats.published += outs.length;
  }
}

export async function runMatchingEngine(ports: Ports, config: EngineConfig): Promise<void> {
  await new MatchingService(ports, config).run();
}
