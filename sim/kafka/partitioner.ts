/**
 * The kafkajs 2.x DefaultPartitioner (the Java-compatible one): a message with an explicit
 * partition goes there; a keyed message goes to `toPositive(murmur2(utf8(key))) % numPartitions`,
 * exactly like the Java client and kafkajs, so a key lands on the same partition number as it
 * would on a real broker; a message without a key goes round-robin from a (here seeded) start.
 *
 * murmur2 is Kafka 0.10.2's `Utils.murmur2`. kafkajs computes it with 64-bit Longs but only the
 * low 32 bits ever matter, so this is the same function in 32-bit integer arithmetic.
 */
import type { Rng } from "../kernel/random.ts";

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

const encoder = new TextEncoder();

/** UTF-8 bytes of `s` (an ASCII fast path avoids the encoder for the usual ids). */
export function utf8(s: string): Uint8Array {
  const n = s.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return encoder.encode(s);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Kafka's murmur2 hash of `data`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** kafkajs's toPositive: not the absolute value, the low 31 bits. */
export function toPositive(x: number): number {
  return x & 0x7fffffff;
}

/** The partition kafkajs's default partitioner picks for `key` among `numPartitions`. */
export function partitionForKey(key: string, numPartitions: number): number {
  return toPositive(murmur2(utf8(key))) % numPartitions;
}

/**
 * One producer's partitioner (kafkajs keeps its round-robin counters per producer and topic,
 * starting at a random value; here the start comes from a seeded stream).
 */
export class DefaultPartitioner {
  private readonly counters = new Map<string, number>();
  private readonly rng: Rng;

  constructor(rng: Rng) {
    this.rng = rng;
  }

  partition(
    topic: string,
    numPartitions: number,
    message: { key?: string | null; partition?: number },
  ): number {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (message.key !== undefined && message.key !== null) return partitionForKey(message.key, numPartitions);
    let c = this.counters.get(topic);
    if (c === undefined) c = this.rng.int(0x7fffffff);
    c = (c + 1) | 0;
    this.counters.set(topic, c);
    return toPositive(c) % numPartitions;
  }
}
