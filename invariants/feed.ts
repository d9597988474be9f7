/**
 * Incremental readers over the simulated Kafka's logs: each `poll()` returns only the records
 * appended since the previous poll (a cursor per partition), decoded. This is what makes the
 * per-step invariants O(new records) instead of O(history).
 */
import type { LogView } from "./types.ts";

export interface FeedRecord<T> {
  partition: number;
  offset: number;
  raw: string;
  msg: T;
}

export class TopicFeed<T> {
  readonly topic: string;
  private readonly kafka: LogView;
  private readonly decode: (raw: string) => T;
  private cursors: number[] = [];
  /** Records that failed to decode: a malformed message is itself a finding. */
  readonly malformed: Array<{ partition: number; offset: number; error: string }> = [];

  constructor(kafka: LogView, topic: string, decode: (raw: string) => T) {
    this.kafka = kafka;
    this.topic = topic;
    this.decode = decode;
  }

  poll(): Array<FeedRecord<T>> {
    const n = this.kafka.partitions(this.topic);
    const out: Array<FeedRecord<T>> = [];
    for (let p = 0; p < n; p++) {
      const records = this.kafka.records(this.topic, p);
      let c = this.cursors[p] ?? 0;
      for (; c < records.length; c++) {
        const raw = records[c].value;
        try {
          out.push({ partition: p, offset: c, raw, msg: this.decode(raw) });
        } catch (e) {
          this.malformed.push({ partition: p, offset: c, error: (e as Error).message });
        }
      }
      this.cursors[p] = c;
    }
    return out;
  }
}
