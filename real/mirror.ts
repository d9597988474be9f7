/**
 * A copy, in memory, of the topics the invariants read, kept by one kafkajs consumer of the
 * harness (a group of its own, never committing, from the beginning). It offers what the Audit
 * reads from the simulated Kafka: `partitions(topic)` and `records(topic, partition)` (every
 * record from offset 0, index = offset), so invariants/feed.ts polls it unchanged.
 * `syncTo(ends)` waits until the copy holds every record below the given high watermarks.
 */

import type { RealLog } from "../engine/adapters/real/kafka.ts";
import type { ConsumedMessage, Consumer } from "../engine/ports/index.ts";
import { TOPIC_SPECS } from "../engine/protocol/topics.ts";

export class KafkaMirror {
  private readonly logs = new Map<string, ConsumedMessage[][]>();
  private readonly log: RealLog;
  private consumer: Consumer | null = null;
  /** Records that arrived past a gap (should never happen: the topics are never compacted). */
  readonly gaps: string[] = [];
  /**
   * Records copied so far, over every topic: it moves iff some copy grew (the Audit skips its poll
   * of the feeds while it stands still, as it does on the simulated broker's `appended`).
   */
  appended = 0;

  constructor(log: RealLog, topics: readonly string[]) {
    this.log = log;
    for (const t of topics) {
      const n = TOPIC_SPECS.find((s) => s.topic === t)?.numPartitions ?? 1;
      this.logs.set(
        t,
        Array.from({ length: n }, () => []),
      );
    }
  }

  async start(groupId: string): Promise<void> {
    const c = this.log.consumer({ groupId });
    this.consumer = c;
    await c.connect();
    await c.subscribe({ topics: [...this.logs.keys()], fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const parts = this.logs.get(batch.topic);
        const log = parts?.[batch.partition];
        if (log === undefined) return;
        for (const m of batch.messages) {
          const off = Number(m.offset);
          if (off < log.length) continue; // redelivered after a rejoin
          if (off > log.length) {
            this.gaps.push(`${batch.topic}/${batch.partition}: expected offset ${log.length}, got ${off}`);
            continue;
          }
          log.push(m);
          this.appended++;
        }
      },
    });
  }

  partitions(topic: string): number {
    return this.logs.get(topic)?.length ?? 0;
  }

  records(topic: string, partition: number): readonly ConsumedMessage[] {
    return this.logs.get(topic)?.[partition] ?? [];
  }

  /** Records copied so far, all topics. */
  size(): number {
    let n = 0;
    for (const parts of this.logs.values()) for (const p of parts) n += p.length;
    return n;
  }

  /** True once every partition holds every record below `ends` (topic → high watermark per partition). */
  caughtUp(ends: ReadonlyMap<string, readonly bigint[]>): boolean {
    for (const [topic, parts] of this.logs) {
      const hw = ends.get(topic);
      if (hw === undefined) continue;
      for (let p = 0; p < parts.length; p++) if (BigInt(parts[p].length) < (hw[p] ?? 0n)) return false;
    }
    return true;
  }

  /** Waits until `caughtUp(ends)`; false after `timeoutMs`. */
  async syncTo(ends: ReadonlyMap<string, readonly bigint[]>, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.caughtUp(ends)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
    this.consumer = null;
  }
}
