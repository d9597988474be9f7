/**
 * Offset commits, at most one round trip per `intervalMs` per consumer (kafkajs's
 * autoCommitInterval idea, kept in the engine's hands so that only handled work is committed).
 *
 * Correctness never depends on a commit: every consumer deduplicates what is redelivered
 * (UBSCore by input reference, the ME by order and cancel id, Settlement by row key), so a commit
 * only bounds how much a restart re-reads. Committing after every batch cost a round trip per
 * batch (in the simulator about a fifth of all events; in real mode kafkajs work on the one Node
 * thread). So a batch's offset is recorded and committed at once if the last commit is older
 * than the interval, otherwise by a flush at the end of the interval (on the Clock port, so the
 * simulator runs it in virtual time). 0 = commit after every batch. Failures are retried a few
 * times, then left to the next commit.
 */
import type { Clock, Logger, TopicPartitionOffset } from "../ports/index.ts";

interface Committing {
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
}

export class Committer {
  readonly intervalMs: number;
  private readonly consumer: Committing;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** The next offset to read per partition handled since the last commit. */
  private readonly pending = new Map<string, { topic: string; partition: number; offset: bigint }>();
  private lastMs = Number.NEGATIVE_INFINITY;
  private armed = false;
  private closed = false;

  constructor(consumer: Committing, clock: Clock, logger: Logger, intervalMs: number) {
    this.consumer = consumer;
    this.clock = clock;
    this.logger = logger;
    this.intervalMs = intervalMs;
  }

  /** Everything below `offset` (the next offset to read) of the partition was handled. */
  async handled(topic: string, partition: number, offset: bigint): Promise<void> {
    const key = `${topic}\u0000${partition}`;
    const prev = this.pending.get(key);
    if (prev === undefined || prev.offset < offset) this.pending.set(key, { topic, partition, offset });
    if (this.clock.now() - this.lastMs >= this.intervalMs) await this.flush();
    else this.arm();
  }

  /** No more commits (the consumer is being stopped). */
  close(): void {
    this.closed = true;
  }

  private arm(): void {
    if (this.armed || this.closed) return;
    this.armed = true;
    const wait = Math.max(0, this.lastMs + this.intervalMs - this.clock.now());
    void this.clock.sleep(wait).then(async () => {
      this.armed = false;
      if (!this.closed) await this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    this.lastMs = this.clock.now();
    const list = offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      offset: o.offset.toString(),
    }));
    let delay = 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.consumer.commitOffsets(list);
        return;
      } catch (err) {
        if (attempt === 5 || this.closed) {
          this.logger.warn("commit failed; inputs will be redelivered and deduplicated", {
            offsets: list.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(", "),
            error: String(err),
          });
          return;
        }
        await this.clock.sleep(delay);
        delay *= 2;
      }
    }
  }
}
