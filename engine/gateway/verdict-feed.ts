/**
 * Verdicts as UBSCore publishes them (`ubscore.results`), pushed to the requests waiting for them,
 * so that a request is answered when its verdict is published instead of when a poll of the
 * `requests` table finds Settlement's row (polling cost ~8 reads per request and bounded the HTTP
 * path in real mode).
 *
 * The table stays the source of truth: a verdict row exists before any verdict message is lost
 * track of, and results.ts keeps polling it, only less often while this feed runs. The feed is a
 * shortcut that may miss: it reads from the end of the topic as of when its consumer joined (a
 * fresh group per gateway incarnation, nothing committed), so a verdict published before that,
 * or while it rejoins, comes from the poll. Started on first use; if it cannot start (or the log
 * has no consumers, as in the gateway's unit tests) the gateway just polls.
 */
import { connectWithRetry, isRetriableLogError, retrying } from "../common/retry.ts";
import type { Consumer, Ports } from "../ports/index.ts";
import { decodeResult, type OpResult } from "../protocol/messages.ts";
import { TOPICS } from "../protocol/topics.ts";

const keyOf = (user_id: number, request_id: string) => `${user_id}\u0000${request_id}`;

export interface VerdictWait {
  /** Settles with the published result of the request (never rejects). */
  promise: Promise<OpResult>;
  /** Stop waiting (the request was answered some other way). */
  cancel(): void;
}

export class VerdictFeed {
  private readonly ports: Ports;
  private readonly waiting = new Map<string, Array<(r: OpResult) => void>>();
  private consumer: Consumer | null = null;
  private starting: Promise<void> | null = null;
  private stopped = false;
  /** True once the consumer runs: results.ts then polls the table less often. */
  live = false;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  /** Registers interest in one request's verdict; starts the feed on first use. */
  wait(user_id: number, request_id: string): VerdictWait {
    this.start();
    const key = keyOf(user_id, request_id);
    let settle!: (r: OpResult) => void;
    const promise = new Promise<OpResult>((resolve) => {
      settle = resolve;
    });
    const list = this.waiting.get(key) ?? [];
    list.push(settle);
    this.waiting.set(key, list);
    return {
      promise,
      cancel: () => {
        const l = this.waiting.get(key);
        if (l === undefined) return;
        const i = l.indexOf(settle);
        if (i >= 0) l.splice(i, 1);
        if (l.length === 0) this.waiting.delete(key);
      },
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    await this.consumer?.disconnect().catch(() => {});
  }

  private start(): void {
    if (this.starting !== null || this.stopped) return;
    this.starting = this.run().catch((err: unknown) => {
      // No feed: every request is answered from the table, as before.
      this.live = false;
      this.ports.logger.warn("gateway: verdict feed not running; polling the requests table", {
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    });
  }

  private async run(): Promise<void> {
    const { log, clock, random, logger } = this.ports;
    const consumer = log.consumer({ groupId: `gateway-verdicts.${random.hex(16)}` });
    this.consumer = consumer;
    await connectWithRetry("gateway verdict feed", consumer, clock, logger);
    await retrying(
      "gateway verdict feed subscribe",
      () => consumer.subscribe({ topics: [TOPICS.results], fromBeginning: false }),
      clock,
      logger,
      isRetriableLogError,
    );
    if (this.stopped) return;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          let r: OpResult;
          try {
            r = decodeResult(m.value);
          } catch {
            continue; // Settlement reports undecodable results; nothing waits on them here
          }
          const key = keyOf(r.user_id, r.request_id);
          const list = this.waiting.get(key);
          if (list === undefined) continue;
          this.waiting.delete(key);
          for (const settle of list) settle(r);
        }
      },
    });
    this.live = !this.stopped;
  }
}
