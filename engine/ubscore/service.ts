/**
 * The UBSCore service: the single writer of balances (one instance). Command-sourced: every
 * input it applies is first appended to `ubscore.journal`, then the outputs it derived are
 * published, then the input offsets are committed. On start it rebuilds its state from its newest
 * snapshot (ubscore/snapshot.ts, written every `config.snapshotEvery` records) and the journal
 * after it. See engine/README.md for why nothing is lost or applied twice.
 */

import { Committer } from "../common/commits.ts";
import { forever, Mutex, readToEnd, topicEnds, topicsEnds } from "../common/log.ts";
import { connectWithRetry, isRetriableLogError, retrying, sendAll, sendTopics } from "../common/retry.ts";
import { readLatestSnapshot, snapshotDue, writeSnapshot } from "../common/snapshots.ts";
import type { EngineConfig } from "../config.ts";
import { symbolById } from "../domain/symbols.ts";
import type { Consumer, EachBatchPayload, LogMessage, Ports, Producer } from "../ports/index.ts";
import { encode } from "../protocol/messages.ts";
import { GROUPS, TOPICS } from "../protocol/topics.ts";
import { decodeJournalEntry, type JournalEntry, type JournalRec, JournalReplayer } from "./journal.ts";
import { decodeUbscoreSnapshot, encodeUbscoreSnapshot, type UbscoreSnapshot } from "./snapshot.ts";
import { emptyOutputs, type Outputs, outputsSize, UbscoreState } from "./state.ts";

/** Epoch markers a start appends before giving up when each one turns out stale. */
const MAX_EPOCH_ATTEMPTS = 5;

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
  readonly stats = {
    replayed: 0,
    republished: 0,
    journaled: 0,
    batches: 0,
    /** Snapshots written by this incarnation. */
    snapshots: 0,
    /** The journal offset replay started from (0 without a snapshot). */
    replayedFrom: 0n,
    /** Records the snapshot recovery started from had applied (0 without one). */
    snapshotRecords: 0,
    /** Epoch markers this start appended (more than 1: a marker was stale, journal.ts). */
    epochAttempts: 0,
    /** Stale epoch markers the last replay saw (ignored: journal.ts). */
    staleMarkers: 0,
  };
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private committer: Committer | null = null;
  private readonly mutex = new Mutex();
  /** Records 1..published had their outputs acknowledged; `checkpointed` is the last `through` journaled. */
  private published = 0;
  private checkpointed = 0;
  /** Every epoch marker of the journal so far, in order (carried by snapshots). */
  private epochs: string[] = [];
  /** Records applied since the last snapshot (or not covered by the one recovery started from). */
  private sinceSnapshot = 0;
  /** Length of the last snapshot written or loaded (a large state is snapshotted less often). */
  private lastSnapshotChars = 0;
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

    // 1. Load the newest usable snapshot (before any marker: it can only be older than ours).
    this.phase = "recovering";
    const loaded = await readLatestSnapshot(
      this.ports,
      TOPICS.ubscoreSnapshots,
      (text) => decodeUbscoreSnapshot(text, this.config),
      {
        groupPrefix: "ubscore-recovery",
        onReject: (why, m) => logger.warn("ubscore: snapshot skipped", { id: m.id, why }),
      },
    );
    let snap: UbscoreSnapshot | null = loaded?.value ?? null;
    const snapRecords = snap?.state.recordsApplied ?? 0; // (replay then advances that state)

    // 2. Open a new epoch: append a marker naming the journal's high watermark read just before
    //    (journal.ts: it takes effect only if no other marker lands in between), then replay the
    //    journal after the snapshot up to (at least) our marker. Without a snapshot (or if replay
    //    from it misses our marker, which a correct snapshot cannot cause) replay starts from 0.
    //    If our marker did not take effect (another one, e.g. a dead incarnation's late append,
    //    landed in its window), nothing was applied under it: open another epoch.
    let replayer: JournalReplayer;
    for (let attempt = 1; ; attempt++) {
      this.epoch = random.hex(16);
      const after = (await topicEnds(this.ports, TOPICS.ubscoreJournal)).get(0)?.high ?? 0n;
      await this.appendJournal([{ type: "epoch", v: 1, epoch: this.epoch, after: after.toString() }]);
      replayer = await this.replay(snap);
      if (!replayer.seen(this.epoch) && snap !== null) {
        logger.error("ubscore: own epoch marker not found after the snapshot; replaying from 0", {
          epoch: this.epoch,
          journalFrom: snap.journalFrom.toString(),
        });
        snap = null;
        replayer = await this.replay(null);
      }
      if (!replayer.seen(this.epoch)) {
        throw new Error(`ubscore: own epoch marker ${this.epoch} not found in the journal`);
      }
      this.stats.epochAttempts = attempt;
      if (replayer.epoch === this.epoch) break;
      if (attempt >= MAX_EPOCH_ATTEMPTS) {
        throw new Error(`ubscore: own epoch marker did not take effect in ${attempt} attempts`);
      }
      logger.warn(
        "ubscore: own epoch marker is stale (another marker landed in its window); opening a new epoch",
        {
          epoch: this.epoch,
          after: after.toString(),
          current: replayer.epoch,
          attempt,
        },
      );
      await clock.sleep(5 + random.int(20 * attempt));
    }
    const state = replayer.state;
    this.state = state;
    this.epochs = replayer.position().epochs;
    const fromRecords = snap === null ? 0 : snapRecords;
    this.stats.snapshotRecords = fromRecords;
    this.stats.replayedFrom = snap?.journalFrom ?? 0n;
    this.stats.replayed = state.recordsApplied - fromRecords;
    this.stats.staleMarkers = replayer.staleMarkers;
    this.sinceSnapshot = state.recordsApplied - fromRecords;
    this.lastSnapshotChars = snap === null ? 0 : (loaded?.manifest.length ?? 0);
    logger.info("ubscore: journal replayed", {
      snapshot: loaded ? loaded.manifest.id : null,
      from: this.stats.replayedFrom.toString(),
      entries: replayer.entries,
      records: state.recordsApplied,
      foreign: replayer.skippedForeign,
      staleMarkers: replayer.staleMarkers,
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
    this.committer = new Committer(consumer, clock, logger, this.config.commitIntervalMs);
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
    this.committer?.close();
    this.phase = "stopped";
    await this.consumer?.disconnect().catch(() => {});
    await this.producer?.disconnect().catch(() => {});
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    if (this.stopped) return;
    const { batch } = payload;
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
      await this.committer!.handled(topic, partition, BigInt(last) + 1n);
    }
    this.sinceSnapshot += records.length;
    if (snapshotDue(this.sinceSnapshot, this.config, this.lastSnapshotChars)) await this.snapshot();
    await payload.heartbeat().catch(() => {});
  }

  /** Replays the journal into a fresh state, or into a snapshot's state from its offset on. */
  private async replay(snap: UbscoreSnapshot | null): Promise<JournalReplayer> {
    const replayer =
      snap === null
        ? new JournalReplayer(new UbscoreState(this.config))
        : new JournalReplayer(snap.state, snap.replay);
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
        replayer.feed(entry, BigInt(m.offset));
      },
      {
        groupPrefix: "ubscore-recovery",
        from: snap === null ? undefined : new Map([[0, snap.journalFrom]]),
      },
    );
    return replayer;
  }

  /**
   * Writes a snapshot of the state (called between batches, under the mutex, once every record
   * applied has its outputs acknowledged). It resumes replay at the journal's high watermark
   * fetched now: every entry below it is this incarnation's (reflected in the state) or one that
   * replay skips anyway (another epoch's, a duplicate, a stale marker); everything appended
   * later is above it. This incarnation does not read the journal while running, so the latest
   * marker below it is recorded as `journalFrom - 1`, an upper bound (engine/README.md).
   */
  private async snapshot(): Promise<void> {
    const ends = await topicsEnds(this.ports, [TOPICS.ubscoreJournal, TOPICS.ubscoreSnapshots]);
    const journalFrom = ends.get(TOPICS.ubscoreJournal)?.get(0)?.high ?? 0n;
    const from = ends.get(TOPICS.ubscoreSnapshots)?.get(0)?.high ?? 0n;
    const text = encodeUbscoreSnapshot({
      state: this.state,
      replay: { epoch: this.epoch, epochs: this.epochs, covered: this.published, markerAt: journalFrom - 1n },
      journalFrom,
    });
    await writeSnapshot(
      this.ports,
      this.producer!,
      TOPICS.ubscoreSnapshots,
      text,
      { journalFrom: journalFrom.toString(), epoch: this.epoch, records: this.state.recordsApplied },
      from,
    );
    this.sinceSnapshot = 0;
    this.lastSnapshotChars = text.length;
    this.stats.snapshots++;
  }

  private async appendJournal(entries: JournalEntry[]): Promise<void> {
    const { clock, logger } = this.ports;
    const messages: LogMessage[] = entries.map((e) => ({ key: "j", value: JSON.stringify(e), partition: 0 }));
    await sendAll(this.producer!, TOPICS.ubscoreJournal, messages, clock, logger);
  }

  /**
   * Publishes outputs (balance events, orders to the ME, verdicts) in one produce request when
   * they fit (engine/common/retry.ts `sendTopics`): one round trip per batch instead of three.
   */
  private async publish(out: Outputs): Promise<void> {
    const { clock, logger } = this.ports;
    for (const w of out.warnings) logger.warn(`ubscore: ${w}`);
    await sendTopics(
      this.producer!,
      [
        {
          topic: TOPICS.balanceEvents,
          messages: out.balanceEvents.map((e) => ({ key: String(e.user_id), value: encode(e) })),
        },
        {
          topic: TOPICS.validatedOrders,
          messages: out.validated.map((e) => ({ key: symbolById(e.symbol_id).name, value: encode(e) })),
        },
        {
          topic: TOPICS.results,
          messages: out.results.map((e) => ({ key: String(e.user_id), value: encode(e) })),
        },
      ],
      clock,
      logger,
    );
  }
}

/** The process entry: runs UBSCore until the process dies. */
export async function runUbscore(ports: Ports, config: EngineConfig): Promise<void> {
  await new Ubscore(ports, config).run();
}
