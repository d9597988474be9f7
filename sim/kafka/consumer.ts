/**
 * The consumer, after kafkajs 2.2.4's (src/consumer: index, runner, consumerGroup,
 * offsetManager, fetchManager/worker): one group member with a fetch loop.
 *
 * The loop (kafkajs's Runner/FetchManager): apply pending seeks, learn the committed offsets of
 * newly assigned partitions (none: fromBeginning ? earliest : latest), send one fetch for all
 * assigned partitions from their next offsets, hand the batches to eachBatch/eachMessage
 * (`partitionsConsumedConcurrently` at a time; every batch runs even if another failed), then
 * auto-commit the resolved offsets and heartbeat (when heartbeatInterval has passed). Errors:
 * REBALANCE_IN_PROGRESS/ILLEGAL_GENERATION rejoin the group, UNKNOWN_MEMBER_ID rejoins as a new
 * member, other retriable errors (a plain Error thrown by eachBatch) retry with backoff from the
 * last resolved offset; after the retries kafkajs "crashes" the consumer: it leaves the group and
 * restarts, or stays stopped for a non-retriable error (a TypeError in eachBatch, say).
 *
 * Long poll without busy-waiting: a fetch that finds nothing parks at the broker on the
 * partitions it asked for and is answered by the next append to one of them. There is no maxWait
 * timer while idle: a parked member counts as heartbeating, so an idle system has no events. When
 * the coordinator has news for a parked member (a rebalance started, it was evicted), the poll
 * ends after a seeded fraction of maxWaitTimeInMs, as the real long poll would, and the member's
 * heartbeat reveals the news.
 *
 * Faults: `kafka.rebalance-mid-batch` is asked as each batch is handed to the handler; when it
 * fires the coordinator evicts the member just after the handler started (as if its session had
 * lapsed), and the group rebalances without it: isStale() turns true, a later commit or heartbeat
 * fails with UNKNOWN_MEMBER_ID, and the partitions' new owner reads again from the last committed
 * offset. `kafka.consumer-crash-before-commit` is asked before every commit of handled offsets
 * (the auto-commit after a batch, commitOffsetsIfNecessary, consumer.commitOffsets); when it fires
 * the world's hook runs (default: crash the process) before the commit is sent.
 */
import type {
  Batch,
  ConsumedMessage,
  Consumer,
  ConsumerOptions,
  ConsumerRunConfig,
  EachBatchPayload,
  TopicPartitionOffset,
} from "../../engine/ports/log.ts";
import type { SimProcess } from "../kernel/process.ts";
import type { Deferred } from "../kernel/scheduler.ts";
import type { FetchWaiter, PartitionLog } from "./broker.ts";
import type { KafkaContext, Live } from "./context.ts";
import { Connection, liveGuard, never } from "./context.ts";
import {
  isErrorRetriable,
  isRebalancing,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  originalCause,
} from "./errors.ts";
import { type JoinResult, type MemberHandle, type TopicPartitions, tpKey } from "./group.ts";

/** A fetched batch, shaped like kafkajs's Batch. */
export class SimBatch implements Batch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: ConsumedMessage[];

  constructor(topic: string, partition: number, highWatermark: string, messages: ConsumedMessage[]) {
    this.topic = topic;
    this.partition = partition;
    this.highWatermark = highWatermark;
    this.messages = messages;
  }

  isEmpty(): boolean {
    return this.messages.length === 0;
  }

  firstOffset(): string | null {
    return this.messages.length === 0 ? null : this.messages[0].offset;
  }

  lastOffset(): string {
    if (this.messages.length === 0) return String(Number(this.highWatermark) - 1);
    return this.messages[this.messages.length - 1].offset;
  }

  offsetLag(): string {
    return String(Number(this.highWatermark) - 1 - Number(this.lastOffset()));
  }

  offsetLagLow(): string {
    const first = this.firstOffset();
    return first === null ? "0" : String(Number(this.highWatermark) - 1 - Number(first));
  }
}

interface RunConfig {
  autoCommit: boolean;
  autoCommitInterval: number | null;
  autoCommitThreshold: number | null;
  eachBatchAutoResolve: boolean;
  concurrency: number;
  eachBatch: ConsumerRunConfig["eachBatch"] | null;
  eachMessage: ConsumerRunConfig["eachMessage"] | null;
}

/** The member's state for one assigned partition (kafkajs keeps it in its OffsetManager). */
interface PartState {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly log: PartitionLog | undefined;
  /** The member's view of the committed offset (-1: none; undefined: not fetched yet). */
  committed: number | undefined;
  /** The next offset after the last resolved (handled) record, if any since the last join. */
  resolved: number | undefined;
}

interface FetchRequest {
  topic: string;
  partition: number;
  log: PartitionLog;
  fetchOffset: number;
}

interface FetchResult {
  batches: SimBatch[];
  outOfRange: FetchRequest[];
  /** The poll ended without data because the coordinator had news: heartbeat now. */
  polled: boolean;
}

interface Parked extends FetchWaiter {
  pollScheduled: boolean;
  end(reason: "poll" | "seek" | "stop"): void;
}

/** One start of the consumer (kafkajs's ConsumerGroup + Runner): survives rejoins, not restarts. */
interface Run {
  readonly live: Live;
  readonly config: RunConfig;
  readonly handle: MemberHandle;
  running: boolean;
  dead: boolean;
  memberId: string | null;
  generationId: number;
  assignment: TopicPartitions[];
  /** Assigned partitions, in assignment order, and by "topic\0partition". */
  parts: PartState[];
  byKey: Map<string, PartState>;
  lastCommitMs: number;
  lastHeartbeatMs: number;
  heartbeatInFlight: Promise<void> | null;
  parked: Parked | null;
  seeks: Map<string, { topic: string; partition: number; offset: number }>;
  loopDone: Deferred<void>;
  stopping: Promise<void> | null;
}

const NOT_INITIALIZED = "Consumer group was not initialized, consumer#run must be called first";

function parseOffset(offset: unknown): number {
  const n =
    typeof offset === "string" && offset.trim() !== ""
      ? Number(offset)
      : typeof offset === "number"
        ? offset
        : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new KafkaJSNonRetriableError(`Invalid offset, expected a long received ${offset}`);
  return n;
}

export class SimConsumer implements Consumer {
  /** This client's connection to the broker (requests and answers in order). */
  private readonly conn = new Connection();
  private readonly ctx: KafkaContext;
  private readonly proc: SimProcess;
  readonly groupId: string;
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly maxWaitTimeMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly topics = new Map<string, { fromBeginning: boolean }>();
  private run_: Run | null = null;
  private hookedIncarnation = -1;
  private restartPending = false;

  constructor(ctx: KafkaContext, proc: SimProcess, options: ConsumerOptions) {
    if (!options?.groupId) {
      throw new KafkaJSNonRetriableError("Consumer groupId must be a non-empty string.");
    }
    this.ctx = ctx;
    this.proc = proc;
    this.groupId = options.groupId;
    this.sessionTimeoutMs = options.sessionTimeout ?? 30_000;
    this.heartbeatIntervalMs = options.heartbeatInterval ?? 3_000;
    this.maxWaitTimeMs = options.maxWaitTimeInMs ?? 5_000;
    this.rebalanceTimeoutMs =
      (options as ConsumerOptions & { rebalanceTimeout?: number }).rebalanceTimeout ??
      ctx.opts.rebalanceTimeoutMs;
    if (this.heartbeatIntervalMs >= this.sessionTimeoutMs) {
      throw new KafkaJSNonRetriableError(
        `Consumer heartbeatInterval (${this.heartbeatIntervalMs}) must be lower than sessionTimeout (${this.sessionTimeoutMs}). It is recommended to set heartbeatInterval to approximately a third of the sessionTimeout.`,
      );
    }
    this.hookCrash();
  }

  /** proc.onCrash listeners are per incarnation: (re)register for the current one. */
  private hookCrash(): void {
    if (this.hookedIncarnation === this.proc.incarnation || !this.proc.alive) return;
    this.hookedIncarnation = this.proc.incarnation;
    this.proc.onCrash(() => this.crashed());
  }

  private crashed(): void {
    this.restartPending = false;
    const run = this.run_;
    if (run === null) return;
    run.running = false;
    run.dead = true;
    if (run.parked !== null) run.parked.done = true;
    run.parked = null;
    this.ctx.coordinator.processDied(this.groupId, run.handle);
  }

  // ---- the port ------------------------------------------------------------------------------

  async connect(): Promise<void> {
    this.hookCrash();
    await this.ctx.rpc(this.conn, liveGuard(this.proc), "kafka.connect", () => undefined);
  }

  async disconnect(): Promise<void> {
    await this.stop();
  }

  async subscribe(subscription: { topics: string[]; fromBeginning?: boolean }): Promise<void> {
    if (this.run_ !== null)
      throw new KafkaJSNonRetriableError("Cannot subscribe to topic while consumer is running");
    const { topics, fromBeginning = false } = subscription ?? {};
    if (!topics) throw new KafkaJSNonRetriableError('Missing required argument "topics"');
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError('Argument "topics" must be an array');
    for (const t of topics) {
      if (typeof t !== "string") {
        throw new KafkaJSNonRetriableError(
          `Invalid topic ${t} (${typeof t}), the topic name has to be a String or a RegExp`,
        );
      }
    }
    const live = liveGuard(this.proc);
    // The metadata request; consumers ask the broker to auto-create (kafkajs's default).
    await this.ctx.rpc(this.conn, live, "kafka.metadata", () => {
      for (const t of topics) this.ctx.ensureTopic(t, true);
    });
    for (const t of topics) this.topics.set(t, { fromBeginning });
  }

  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (this.run_ !== null) return; // kafkajs: "consumer#run was called, but the consumer is already running"
    this.hookCrash();
    const cfg: RunConfig = {
      autoCommit: config.autoCommit ?? true,
      autoCommitInterval: config.autoCommitInterval ?? null,
      autoCommitThreshold: config.autoCommitThreshold ?? null,
      eachBatchAutoResolve: config.eachBatchAutoResolve ?? true,
      concurrency: Math.max(1, Math.floor(config.partitionsConsumedConcurrently ?? 1)),
      eachBatch: config.eachBatch ?? null,
      eachMessage: config.eachMessage ?? null,
    };
    await this.start(cfg);
  }

  async stop(): Promise<void> {
    this.restartPending = false;
    const run = this.run_;
    if (run === null) return;
    if (run.stopping === null) run.stopping = this.stopRun(run);
    await run.stopping;
  }

  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    const entries: Array<{ topic: string; partition: number; offset: number }> = [];
    for (const { topic, partition, offset } of offsets ?? []) {
      if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${topic}`);
      if (Number.isNaN(Number(partition))) {
        throw new KafkaJSNonRetriableError(`Invalid partition, expected a number received ${partition}`);
      }
      const o = parseOffset(offset);
      if (o < 0) throw new KafkaJSNonRetriableError("Offset must not be a negative number");
      entries.push({ topic, partition: Number(partition), offset: o });
    }
    const run = this.run_;
    if (run === null) throw new KafkaJSNonRetriableError(NOT_INITIALIZED);
    if (!run.running) return;
    try {
      await this.commit(run, entries, true);
    } catch (e) {
      if (!run.running) return;
      // kafkajs's runner retrier: a non-retriable error comes out wrapped.
      throw isErrorRetriable(e) ? e : new KafkaJSNonRetriableError(e, { cause: causeOf(e) });
    }
  }

  seek(target: TopicPartitionOffset): void {
    const { topic, partition, offset } = target ?? ({} as TopicPartitionOffset);
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${topic}`);
    if (Number.isNaN(Number(partition))) {
      throw new KafkaJSNonRetriableError(`Invalid partition, expected a number received ${partition}`);
    }
    const o = parseOffset(offset);
    if (o < 0 && o !== -1 && o !== -2)
      throw new KafkaJSNonRetriableError("Offset must not be a negative number");
    const run = this.run_;
    if (run === null) throw new KafkaJSNonRetriableError(NOT_INITIALIZED);
    run.seeks.set(tpKey(topic, Number(partition)), { topic, partition: Number(partition), offset: o });
    if (this.assignedSeekPending(run)) run.parked?.end("seek");
  }

  assignment(): Array<{ topic: string; partition: number }> {
    const out: Array<{ topic: string; partition: number }> = [];
    for (const t of this.run_?.assignment ?? [])
      for (const p of t.partitions) out.push({ topic: t.topic, partition: p });
    return out;
  }

  // ---- start, stop, crash --------------------------------------------------------------------

  private async start(config: RunConfig): Promise<void> {
    const live = liveGuard(this.proc);
    const run: Run = {
      live,
      config,
      handle: {
        clientId: this.proc.name,
        alive: () => live() && !run.dead,
        notify: () => this.news(run),
      },
      running: true,
      dead: false,
      memberId: null,
      generationId: -1,
      assignment: [],
      parts: [],
      byKey: new Map(),
      lastCommitMs: this.ctx.nowMs(),
      lastHeartbeatMs: this.ctx.nowMs(),
      heartbeatInFlight: null,
      parked: null,
      seeks: new Map(),
      loopDone: this.ctx.sched.deferred<void>(),
      stopping: null,
    };
    this.run_ = run;
    await this.joinAndSync(run);
    void this.loop(run);
  }

  private async stopRun(run: Run): Promise<void> {
    run.running = false;
    run.parked?.end("stop");
    await run.loopDone.promise;
    const memberId = run.memberId;
    run.memberId = null;
    if (memberId !== null) {
      await this.ctx.rpc(this.conn, run.live, "kafka.leave", () =>
        this.ctx.coordinator.leave(this.groupId, memberId),
      );
    }
    if (this.run_ === run) this.run_ = null;
  }

  /** kafkajs's onCrash: disconnect (leave the group), then restart unless the error forbids it. */
  private async crashRunner(run: Run, err: Error & { retryTime?: number }): Promise<void> {
    const restart =
      err.name === "KafkaJSNumberOfRetriesExceeded" ||
      (originalCause(err) as { retriable?: unknown })?.retriable === true;
    this.ctx.stats.consumerFailures++;
    this.ctx.sched.note(
      `kafka consumer ${this.proc.name} ${this.groupId} crashed: ${err.name}: ${err.message}`,
    );
    this.ctx.hooks.onConsumerFailure?.(this.proc, { groupId: this.groupId, error: err, restart });
    if (!run.live()) return never();
    await this.stop();
    if (!restart) return;
    this.restartPending = true;
    await this.ctx.sleep(
      (err.retryTime ?? this.ctx.opts.initialRetryTimeMs) * 1000,
      run.live,
      "kafka.restart",
    );
    if (!this.restartPending || this.run_ !== null) return;
    this.restartPending = false;
    await this.start(run.config);
  }

  /** The coordinator has news: a parked poll ends after a seeded part of maxWaitTimeInMs. */
  private news(run: Run): void {
    const parked = run.parked;
    if (parked === null || parked.done || parked.pollScheduled) return;
    parked.pollScheduled = true;
    const delayUs = 1 + this.ctx.pollRng.int(Math.max(1, this.maxWaitTimeMs * 1000));
    this.ctx.sched.after(delayUs, "kafka.poll", () => parked.end("poll"), run.live);
  }

  // ---- the loop ------------------------------------------------------------------------------

  private async loop(run: Run): Promise<void> {
    let backoff = this.ctx.backoff();
    while (run.running) {
      try {
        await this.cycle(run);
      } catch (e) {
        if (!run.running) break;
        if (isRebalancing(e)) {
          await this.joinAndSync(run);
          backoff = this.ctx.backoff();
          continue;
        }
        if ((e as { type?: unknown }).type === "UNKNOWN_MEMBER_ID") {
          run.memberId = null;
          await this.joinAndSync(run);
          backoff = this.ctx.backoff();
          continue;
        }
        const retriable = isErrorRetriable(e);
        if (retriable && backoff.count < this.ctx.opts.retries) {
          await this.ctx.sleep(backoff.time * 1000, run.live, "kafka.retry");
          backoff.next();
          continue;
        }
        const err = retriable
          ? new KafkaJSNumberOfRetriesExceeded(e, { retryCount: backoff.count, retryTime: backoff.time })
          : new KafkaJSNonRetriableError(e, { cause: causeOf(e) });
        void this.crashRunner(run, err);
        break;
      }
    }
    run.loopDone.resolve();
  }

  private async joinAndSync(run: Run): Promise<void> {
    const ctx = this.ctx;
    const topics = [...this.topics.keys()];
    const res = await ctx.call<JoinResult>(this.conn, run.live, "kafka.join", (reply) =>
      ctx.coordinator.join({
        groupId: this.groupId,
        memberId: run.memberId,
        handle: run.handle,
        topics,
        sessionTimeoutUs: this.sessionTimeoutMs * 1000,
        rebalanceTimeoutUs: this.rebalanceTimeoutMs * 1000,
        reply: (r) => reply.ok(r),
      }),
    );
    run.memberId = res.memberId;
    run.generationId = res.generationId;
    run.assignment = res.assignment.filter((t) => this.topics.has(t.topic));
    run.parts = [];
    run.byKey = new Map();
    for (const t of run.assignment) {
      const topic = ctx.broker.topic(t.topic);
      for (const p of t.partitions) {
        const key = tpKey(t.topic, p);
        const part: PartState = {
          topic: t.topic,
          partition: p,
          key,
          log: topic?.partitions[p],
          committed: undefined,
          resolved: undefined,
        };
        run.parts.push(part);
        run.byKey.set(key, part);
      }
    }
    run.lastCommitMs = ctx.nowMs();
    run.lastHeartbeatMs = ctx.nowMs();
  }

  /** One fetch and the handling of its batches (kafkajs: Fetcher iteration + workers). */
  private async cycle(run: Run): Promise<void> {
    await this.applySeeks(run);
    await this.resolveOffsets(run);
    if (!run.running) return;
    const requests: FetchRequest[] = [];
    for (const part of run.parts) {
      if (part.committed === undefined || part.log === undefined) continue;
      let next = part.resolved ?? part.committed;
      if (next < 0) next = 0;
      requests.push({ topic: part.topic, partition: part.partition, log: part.log, fetchOffset: next });
    }
    const result = await this.fetch(run, requests);
    if (!run.running) return;
    for (const r of result.outOfRange) await this.setDefaultOffset(run, r.topic, r.partition);
    const batches =
      run.seeks.size === 0
        ? result.batches
        : result.batches.filter((b) => !run.seeks.has(tpKey(b.topic, b.partition)));
    if (batches.length === 0) {
      const hb = this.heartbeat(run, result.polled);
      if (hb !== null) await hb;
      return;
    }
    await this.process(run, batches);
  }

  /** A long-poll fetch: answered at once if any partition has records, else at the next append. */
  private fetch(run: Run, requests: FetchRequest[]): Promise<FetchResult> {
    const ctx = this.ctx;
    const max = ctx.opts.maxBatchMessages;
    ctx.stats.fetches++;
    return ctx.call<FetchResult>(this.conn, run.live, "kafka.fetch", (reply) => {
      const read = (): FetchResult | null => {
        const batches: SimBatch[] = [];
        const outOfRange: FetchRequest[] = [];
        for (const r of requests) {
          const high = r.log.records.length;
          if (r.fetchOffset > high) outOfRange.push(r);
          else if (r.fetchOffset < high) {
            const end = Math.min(high, r.fetchOffset + max);
            batches.push(
              new SimBatch(r.topic, r.partition, String(high), r.log.records.slice(r.fetchOffset, end)),
            );
          }
        }
        return batches.length > 0 || outOfRange.length > 0 ? { batches, outOfRange, polled: false } : null;
      };
      const now = read();
      if (now !== null) {
        reply.ok(now);
        return;
      }
      if (!run.running) {
        reply.ok({ batches: [], outOfRange: [], polled: false });
        return;
      }
      const parked: Parked = {
        done: false,
        pollScheduled: false,
        onData: () => {
          if (parked.done) return;
          const res = read();
          if (res === null) {
            // Not for us after all (cannot happen with dense offsets): wait on.
            for (const r of requests) r.log.park(parked);
            return;
          }
          parked.done = true;
          if (run.parked === parked) run.parked = null;
          reply.ok(res);
        },
        end: (reason) => {
          if (parked.done) return;
          parked.done = true;
          if (run.parked === parked) run.parked = null;
          reply.ok({ batches: [], outOfRange: [], polled: reason === "poll" });
        },
      };
      run.parked = parked;
      for (const r of requests) r.log.park(parked);
      ctx.coordinator.idle(this.groupId, run.memberId);
      if (this.assignedSeekPending(run)) parked.end("seek");
      else if (ctx.coordinator.hasNews(this.groupId, run.memberId, run.generationId)) this.news(run);
    });
  }

  /** Hands the batches to the handler, `concurrency` at a time; throws the first failure. */
  private async process(run: Run, batches: SimBatch[]): Promise<void> {
    const ctx = this.ctx;
    const memberId = run.memberId;
    ctx.stats.batchesDelivered += batches.length;
    for (const b of batches) ctx.stats.messagesDelivered += b.messages.length;
    ctx.coordinator.enterHandler(this.groupId, memberId);
    let failed = false;
    let failure: unknown;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++];
        try {
          await this.handleBatch(run, batch);
        } catch (e) {
          if (!failed) {
            failed = true;
            failure = e;
          }
        }
      }
    };
    try {
      const n = Math.min(run.config.concurrency, batches.length);
      if (n === 1) await worker();
      else {
        const workers: Array<Promise<void>> = [];
        for (let i = 0; i < n; i++) workers.push(worker());
        await Promise.all(workers);
      }
    } finally {
      ctx.coordinator.exitHandler(this.groupId, memberId);
    }
    if (failed) throw failure;
  }

  private async handleBatch(run: Run, batch: SimBatch): Promise<void> {
    if (!run.running) return;
    const faults = this.ctx.faults;
    const fence = "kafka.rebalance-mid-batch";
    const evict =
      faults.enabled(fence) &&
      faults.maybe(fence, `${this.proc.name} ${this.groupId} ${batch.topic}/${batch.partition}`);
    if (run.config.eachMessage !== null) await this.processEachMessage(run, batch, evict);
    else if (run.config.eachBatch !== null) await this.processEachBatch(run, batch, evict);
    if (!run.running && run.dead) return never();
    const committing = this.autoCommit(run);
    if (committing !== null) await committing;
    const hb = this.heartbeat(run);
    if (hb !== null) await hb;
  }

  private evict(run: Run): void {
    if (run.memberId === null) return;
    this.ctx.coordinator.evict(this.groupId, run.memberId, "evicted mid-batch");
  }

  private async processEachBatch(run: Run, batch: SimBatch, evict: boolean): Promise<void> {
    const { topic, partition } = batch;
    const key = tpKey(topic, partition);
    const lastOffset = Number(batch.lastOffset());
    const payload: EachBatchPayload & { uncommittedOffsets(): { topics: TopicPartitionsOffsets[] } } = {
      batch,
      resolveOffset: (offset: string) => this.resolveOffset(run, key, parseOffset(offset)),
      heartbeat: () => this.heartbeat(run) ?? Promise.resolve(),
      commitOffsetsIfNecessary: async (offsets?: unknown) => {
        if (offsets) await this.commit(run, flattenOffsets(offsets), true);
        else await this.commitIfNecessary(run);
      },
      uncommittedOffsets: () => ({ topics: this.uncommittedByTopic(run) }),
      isRunning: () => run.running,
      isStale: () =>
        run.seeks.has(key) || !this.ctx.coordinator.isCurrent(this.groupId, run.memberId, run.generationId),
    };
    try {
      const handled = run.config.eachBatch!(payload);
      if (evict) this.evict(run);
      await handled;
    } catch (e) {
      await this.autoCommit(run);
      throw e;
    }
    if (run.config.eachBatchAutoResolve) this.resolveOffset(run, key, lastOffset);
  }

  private async processEachMessage(run: Run, batch: SimBatch, evict: boolean): Promise<void> {
    const { topic, partition } = batch;
    const key = tpKey(topic, partition);
    const heartbeat = () => this.heartbeat(run) ?? Promise.resolve();
    let first = true;
    for (const message of batch.messages) {
      if (!run.running || run.seeks.has(key)) break;
      try {
        const handled = run.config.eachMessage!({ topic, partition, message, heartbeat });
        if (first && evict) this.evict(run);
        first = false;
        await handled;
      } catch (e) {
        await this.autoCommit(run);
        throw e;
      }
      this.resolveOffset(run, key, Number(message.offset));
      const hb = this.heartbeat(run);
      if (hb !== null) await hb;
      const committing = this.autoCommitIfNecessary(run);
      if (committing !== null) await committing;
    }
  }

  // ---- offsets (kafkajs's OffsetManager) ------------------------------------------------------

  /** kafkajs's resolveOffset: the next offset to read is `offset + 1`. */
  private resolveOffset(run: Run, key: string, offset: number): void {
    const part = run.byKey.get(key);
    if (part !== undefined) part.resolved = offset + 1;
  }

  private uncommitted(run: Run): Array<{ topic: string; partition: number; offset: number }> {
    const out: Array<{ topic: string; partition: number; offset: number }> = [];
    for (const part of run.parts) {
      const r = part.resolved;
      if (r !== undefined && r >= 0 && r !== part.committed) {
        out.push({ topic: part.topic, partition: part.partition, offset: r });
      }
    }
    return out;
  }

  private uncommittedByTopic(run: Run): TopicPartitionsOffsets[] {
    const out: TopicPartitionsOffsets[] = [];
    for (const o of this.uncommitted(run)) {
      let t = out.find((x) => x.topic === o.topic);
      if (t === undefined) {
        t = { topic: o.topic, partitions: [] };
        out.push(t);
      }
      t.partitions.push({ partition: o.partition, offset: String(o.offset) });
    }
    return out;
  }

  /** kafkajs's autoCommitOffsets (null: nothing to send). */
  private autoCommit(run: Run): Promise<void> | null {
    if (!run.config.autoCommit) return null;
    const list = this.uncommitted(run);
    if (list.length === 0) {
      run.lastCommitMs = this.ctx.nowMs();
      return null;
    }
    return this.commit(run, list, true);
  }

  private autoCommitIfNecessary(run: Run): Promise<void> | null {
    return run.config.autoCommit ? this.commitIfNecessary(run) : null;
  }

  /** kafkajs's commitOffsetsIfNecessary: when autoCommitInterval or autoCommitThreshold is reached. */
  private commitIfNecessary(run: Run): Promise<void> | null {
    const { autoCommitInterval, autoCommitThreshold } = run.config;
    const timeoutReached =
      autoCommitInterval !== null && this.ctx.nowMs() >= run.lastCommitMs + autoCommitInterval;
    let thresholdReached = false;
    if (!timeoutReached && autoCommitThreshold !== null) {
      let count = 0;
      for (const part of run.parts) {
        const r = part.resolved;
        if (r === undefined) continue;
        const c = part.committed;
        count += c === undefined || c < 0 ? r : r - c;
      }
      thresholdReached = count >= autoCommitThreshold;
    }
    return timeoutReached || thresholdReached ? this.commit(run, null, true) : null;
  }

  /**
   * Commits `entries` (default: the uncommitted resolved offsets) for the member's generation.
   * `handled`: a commit of handled work, an opportunity for kafka.consumer-crash-before-commit.
   */
  private async commit(
    run: Run,
    entries: Array<{ topic: string; partition: number; offset: number }> | null,
    handled: boolean,
  ): Promise<void> {
    const ctx = this.ctx;
    const list = entries ?? this.uncommitted(run);
    if (list.length === 0) {
      run.lastCommitMs = ctx.nowMs();
      return;
    }
    const crash = "kafka.consumer-crash-before-commit";
    if (
      handled &&
      ctx.faults.enabled(crash) &&
      ctx.faults.maybe(crash, `${this.proc.name} ${this.groupId}`)
    ) {
      ctx.stats.consumerCrashes++;
      const info = {
        groupId: this.groupId,
        offsets: list.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      };
      if (ctx.hooks.onConsumerCrashOpportunity) ctx.hooks.onConsumerCrashOpportunity(this.proc, info);
      else this.proc.crash();
      if (!run.live() || run.dead) return never();
    }
    const memberId = run.memberId;
    const generationId = run.generationId;
    await ctx.rpc(
      this.conn,
      run.live,
      "kafka.commit",
      () => ctx.coordinator.commit(this.groupId, memberId, generationId, list),
      { lands: true },
    );
    for (const o of list) {
      const part = run.byKey.get(tpKey(o.topic, o.partition));
      if (part !== undefined) part.committed = o.offset;
    }
    run.lastCommitMs = ctx.nowMs();
  }

  /**
   * kafkajs's runner.heartbeat: sent only when heartbeatInterval has passed (null: nothing to
   * do); on a rebalance error it commits the resolved offsets before rethrowing.
   */
  private heartbeat(run: Run, force = false): Promise<void> | null {
    if (run.memberId === null) return null;
    if (!force && this.ctx.nowMs() < run.lastHeartbeatMs + this.heartbeatIntervalMs) return null;
    if (run.heartbeatInFlight === null) {
      const memberId = run.memberId;
      const generationId = run.generationId;
      run.heartbeatInFlight = this.ctx
        .rpc(this.conn, run.live, "kafka.heartbeat", () =>
          this.ctx.coordinator.heartbeat(this.groupId, memberId, generationId),
        )
        .then(
          () => {
            run.heartbeatInFlight = null;
            run.lastHeartbeatMs = this.ctx.nowMs();
          },
          (e: unknown) => {
            run.heartbeatInFlight = null;
            throw e;
          },
        );
    }
    return run.heartbeatInFlight.catch(async (e: unknown) => {
      if (isRebalancing(e)) await this.autoCommit(run);
      throw e;
    });
  }

  /** A seek waits for a partition this member owns (kafkajs applies seeks to assigned ones only). */
  private assignedSeekPending(run: Run): boolean {
    if (run.seeks.size === 0) return false;
    for (const s of run.seeks.values()) {
      for (const t of run.assignment)
        if (t.topic === s.topic && t.partitions.includes(s.partition)) return true;
    }
    return false;
  }

  /** kafkajs's seekOffsets: with autoCommit the seek is committed, otherwise resolved locally. */
  private async applySeeks(run: Run): Promise<void> {
    if (run.seeks.size === 0) return;
    for (const part of run.parts) {
      const seek = run.seeks.get(part.key);
      if (seek === undefined) continue;
      run.seeks.delete(part.key);
      let offset = seek.offset;
      if (offset < 0) offset = offset === -2 || part.log === undefined ? 0 : part.log.records.length;
      if (run.config.autoCommit) {
        await this.commit(run, [{ topic: part.topic, partition: part.partition, offset }], false);
        part.committed = undefined;
        part.resolved = undefined;
      } else {
        part.resolved = offset;
      }
    }
  }

  /** kafkajs's resolveOffsets: committed offsets of assigned partitions, or the default. */
  private async resolveOffsets(run: Run): Promise<void> {
    let missing: PartState[] | null = null;
    for (const part of run.parts) {
      if (part.committed === undefined || part.committed < 0) {
        missing ??= [];
        missing.push(part);
      }
    }
    if (missing === null) return;
    const ctx = this.ctx;
    const want = missing;
    const found = await ctx.rpc(this.conn, run.live, "kafka.offset-fetch", () =>
      want.map((part) => {
        const c = ctx.coordinator.committed(this.groupId, part.topic, part.partition);
        if (c >= 0) return c;
        const fromBeginning = this.topics.get(part.topic)?.fromBeginning ?? false;
        return fromBeginning || part.log === undefined ? 0 : part.log.records.length;
      }),
    );
    for (let i = 0; i < want.length; i++) want[i].committed = found[i];
  }

  /** OFFSET_OUT_OF_RANGE: kafkajs commits the default offset and starts over from it. */
  private async setDefaultOffset(run: Run, topic: string, partition: number): Promise<void> {
    const log = this.ctx.broker.topic(topic)?.partitions[partition];
    const fromBeginning = this.topics.get(topic)?.fromBeginning ?? false;
    const offset = fromBeginning || log === undefined ? 0 : log.records.length;
    await this.commit(run, [{ topic, partition, offset }], false);
    const part = run.byKey.get(tpKey(topic, partition));
    if (part !== undefined) {
      part.committed = undefined;
      part.resolved = undefined;
    }
  }
}

interface TopicPartitionsOffsets {
  topic: string;
  partitions: Array<{ partition: number; offset: string }>;
}

function causeOf(e: unknown): unknown {
  return (e as { cause?: unknown } | null)?.cause ?? e;
}

/** kafkajs's OffsetsByTopicPartition `{topics: [{topic, partitions: [{partition, offset}]}]}`. */
function flattenOffsets(offsets: unknown): Array<{ topic: string; partition: number; offset: number }> {
  const topics = (offsets as { topics?: TopicPartitionsOffsets[] }).topics ?? [];
  const out: Array<{ topic: string; partition: number; offset: number }> = [];
  for (const t of topics)
    for (const p of t.partitions)
      out.push({ topic: t.topic, partition: p.partition, offset: parseOffset(p.offset) });
  return out;
}
