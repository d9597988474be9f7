/**
 * The UBSCore service: the single writer of balances (one instance). Command-sourced: every
 * input it applies is first appended to `ubscore.journal`, then the outputs it derived are
 * published, then the input offsets are committed. On start it rebuilds its state by replaying
 * the journal. See engine/README.md for why nothing is lost or applied twice.
 */
import { commitBestEffort, forever, Mutex, readToEnd } from "../common/log.ts";
import { connectWithRetry, isRetriableLogError, retrying, sendAll } from "../common/retry.ts";
import type { EngineConfig } from "../config.ts";
import { symbolById } from "../domain/symbols.ts";
import type { Consumer, EachBatchPayload, LogMessage, Ports, Producer } from "../ports/index.ts";
import { encode } from "../protocol/messages.ts";
import { GROUPS, TOPICS } from "../protocol/topics.ts";
import { decodeJournalEntry, type JournalEntry, type JournalRec, JournalReplayer } from "./journal.ts";
import { emptyOutputs, type Outputs, outputsSize, UbscoreState } from "./state.ts";

export type UbscorePhase = "starting" | "recovering" | "republishing" | "running" | "stopped";

export class Ubscore {
  readonly ports: Ports;
  readonly config: EngineConfig;
  /** The state; rebuilt from the journal at start (inspect it only when `phase` is "running"). */
  state: UbscoreState;
  phase: UbscorePhase = "starting";
  /** This incarnation's epoch id (see journal.ts). */
  epoch = "";
  /** Counters, for tests and reports. */
  readonly stats = { replayed: 0, republished: 0, journaled: 0, batches: 0 };
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private readonly mutex = new Mutex();
  /** Records 1..published had their outputs acknowledged; `checkpointed` is the last `through` journaled. */
  private published = 0;
  private checkpointed = 0;
  private stopped = false;

  constructor(ports: Ports, config: EngineConfig) {
    this.ports = ports;
    this.config = config;
    this.state = new UbscoreState(config);
  }

  /** Recovers, then consumes until the process dies (or `stop()` is called). */
  async run(): Promise<void> {
    await this.start();
    if (this.stopped) return;
    await forever();
  }

  /** Recovers and starts consuming; resolves once the consumer runs. */
  async start(): Promise<void> {
    const { log, clock, random, logger } = this.ports;
    // Idempotent: the broker drops a retried duplicate, and a lost acknowledgement is retried
    // instead of failing the send (the single writer must never give up on an output).
    this.producer = log.producer({ idempotent: true });
    await connectWithRetry("ubscore producer", this.producer, clock, logger);

    // 1. Open a new epoch: everything a dead incarnation appends after this marker is ignored.
    this.epoch = random.hex(16);
    await this.appendJournal([{ type: "epoch", v: 1, epoch: this.epoch }]);

    // 2. Replay the journal up to (at least) our marker.
    this.phase = "recovering";
    const state = new UbscoreState(this.config);
    const replayer = new JournalReplayer(state);
    await readToEnd(
      this.ports,
      TOPICS.ubscoreJournal,
      (_p, m) => {
        let entry: JournalEntry;
        try {
          entry = decodeJournalEntry(m.value);
        } catch (err) {
          // Only UBSCore writes the journal: an undecodable entry is corruption, not input.
          throw new Error(`ubscore.journal offset ${m.offset}: ${(err as Error).message}`);
        }
        replayer.feed(entry);
      },
      { groupPrefix: "ubscore-recovery" },
    );
    if (replayer.epoch !== this.epoch) {
      throw new Error(`ubscore: own epoch marker ${this.epoch} not found in the journal`);
    }
    this.state = state;
    this.stats.replayed = state.recordsApplied;
    logger.info("ubscore: journal replayed", {
      entries: replayer.entries,
      records: state.recordsApplied,
      foreign: replayer.skippedForeign,
      duplicates: replayer.skippedDuplicate,
      pending: replayer.pendingCount(),
    });

    // 3. Re-publish what may not have been published, then checkpoint.
    this.phase = "republishing";
    const pending = replayer.pending;
    if (outputsSize(pending) > 0) {
      this.stats.republished = outputsSize(pending);
      await this.publish(pending);
    }
    this.published = state.recordsApplied;
    this.checkpointed = replayer.covered;
    if (this.published > this.checkpointed) {
      await this.appendJournal([{ type: "checkpoint", v: 1, epoch: this.epoch, through: this.published }]);
      this.checkpointed = this.published;
    }

    // 4. Consume.
    const consumer = log.consumer({ groupId: GROUPS.ubscore });
    this.consumer = consumer;
    await connectWithRetry("ubscore consumer", consumer, clock, logger);
    await retrying(
      "ubscore subscribe",
      () => consumer.subscribe({ topics: [TOPICS.operations, TOPICS.engineOutputs], fromBeginning: true }),
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

  /** Stops consuming (tests; a real process just dies). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.phase = "stopped";
    await this.consumer?.disconnect().catch(() => {});
    await this.producer?.disconnect().catch(() => {});
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    if (this.stopped) return;
    const { batch } = payload;
    const { clock, logger } = this.ports;
    const topic = batch.topic;
    const partition = batch.partition;
    const records: JournalRec[] = [];
    const out = emptyOutputs();
    let last: string | null = null;
    for (const m of batch.messages) {
      last = m.offset;
      const ref = { topic, partition, offset: m.offset };
      if (!this.state.wouldApply(ref, m.value)) continue;
      const ts = Number(m.timestamp);
      const rec: JournalRec = {
        type: "rec",
        v: 1,
        epoch: this.epoch,
        ref,
        ts: Number.isSafeInteger(ts) ? ts : 0,
        msg: m.value,
      };
      // In memory first (the state is only observable; outputs leave after the journal append).
      if (this.state.applyInput(ref, rec.ts, rec.msg, out)) records.push(rec);
    }
    if (records.length > 0) {
      // The previous batches' outputs were acknowledged: say so in front of this batch's records.
      const entries: JournalEntry[] = [];
      if (this.published > this.checkpointed) {
        entries.push({ type: "checkpoint", v: 1, epoch: this.epoch, through: this.published });
      }
      for (const r of records) entries.push(r);
      await this.appendJournal(entries);
      this.checkpointed = this.published;
      this.stats.journaled += records.length;
      await this.publish(out);
      // Every record applied so far (this batch's included) has its outputs acknowledged.
      this.published = this.state.recordsApplied;
    }
    this.stats.batches++;
    if (last !== null) {
      payload.resolveOffset(last);
      await commitBestEffort(this.consumer!, topic, partition, BigInt(last) + 1n, clock, logger);
    }
    await payload.heartbeat().catch(() => {});
  }

  private async appendJournal(entries: JournalEntry[]): Promise<void> {
    const { clock, logger } = this.ports;
    const messages: LogMessage[] = entries.map((e) => ({ key: "j", value: JSON.stringify(e), partition: 0 }));
    await sendAll(this.producer!, TOPICS.ubscoreJournal, messages, clock, logger);
  }

  /** Publishes outputs: balance events, then orders to the ME, then verdicts. */
  private async publish(out: Outputs): Promise<void> {
    const { clock, logger } = this.ports;
    for (const w of out.warnings) logger.warn(`ubscore: ${w}`);
    const p = this.producer!;
    if (out.balanceEvents.length > 0) {
      const msgs = out.balanceEvents.map((e) => ({ key: String(e.user_id), value: encode(e) }));
      await sendAll(p, TOPICS.balanceEvents, msgs, clock, logger);
    }
    if (out.validated.length > 0) {
      const msgs = out.validated.map((e) => ({ key: symbolById(e.symbol_id).name, value: encode(e) }));
      await sendAll(p, TOPICS.validatedOrders, msgs, clock, logger);
    }
    if (out.results.length > 0) {
      const msgs = out.results.map((e) => ({ key: String(e.user_id), value: encode(e) }));
      await sendAll(p, TOPICS.results, msgs, clock, logger);
    }
  }
}

/** The process entry: runs UBSCore until the process dies. */
export async function runUbscore(ports: Ports, config: EngineConfig): Promise<void> {
  await new Ubscore(ports, config).run();
}
