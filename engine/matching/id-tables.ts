/**
 * Hash tables keyed by order id, built for the matching hot path:
 * - `OrderIdSet`: every order id a book has ever seen (duplicate detection); it only grows;
 * - `OrderIndex`: order id -> resting order (O(1) cancel).
 *
 * Ids that are bigints in [0, 2^53 - 2] (what UBSCore assigns) are stored as doubles (id + 1;
 * 0 marks an empty slot) in open-addressing Float64Array tables with linear probing: no heap
 * object per id, key comparisons without a pointer chase, nothing for the GC to trace. Any
 * other id (a string, a negative or huge bigint) goes to an ordinary Set / Map.
 *
 * The slot of a key keeps runs of 64 consecutive ids together (ids are mostly assigned in
 * increasing order, so recent ids share a few cache lines) and spreads the runs with a
 * multiplicative (Fibonacci) hash of the rest of the key, so strided ids (multiples of 2^k)
 * do not pile up either. Load factor <= 1/2.
 */
import type { OrderId } from "./types.ts";

/** The largest id on the fast path: stored as id + 1 <= 2^53 - 1. */
const MAX_FAST_NUM = 9007199254740990;
const TWO32 = 4294967296;
const INITIAL_BITS = 10;

/** The stored key of `id` (id + 1), or 0 if `id` does not take the fast path. */
function keyOf(id: OrderId): number {
  if (typeof id !== "bigint") return 0;
  // Exact for |id| < 2^53; any larger bigint converts to >= 2^53 and is refused, so this is
  // 0 <= id <= MAX_FAST without a bigint comparison.
  const x = Number(id);
  return x >= 0 && x <= MAX_FAST_NUM ? x + 1 : 0;
}

/** Home slot of key `x` in a table of 2^bits slots (bits >= 7). */
function home(x: number, bits: number): number {
  const lo = x >>> 0;
  const hi = (x / TWO32) >>> 0;
  const run = (lo >>> 6) ^ Math.imul(hi, 0x85ebca6b);
  return ((Math.imul(run, 0x9e3779b1) >>> (32 - bits + 6)) << 6) | (lo & 63);
}

export class OrderIdSet {
  private keys: Float64Array = new Float64Array(1 << INITIAL_BITS);
  private bits = INITIAL_BITS;
  private count = 0;
  private readonly other = new Set<OrderId>();

  get size(): number {
    return this.count + this.other.size;
  }

  has(id: OrderId): boolean {
    const x = keyOf(id);
    if (x === 0) return this.other.has(id);
    const t = this.keys;
    const mask = t.length - 1;
    for (let i = home(x, this.bits); ; i = (i + 1) & mask) {
      const v = t[i];
      if (v === x) return true;
      if (v === 0) return false;
    }
  }

  /** Adds `id`; returns false if it was already present. */
  add(id: OrderId): boolean {
    const x = keyOf(id);
    if (x === 0) {
      if (this.other.has(id)) return false;
      this.other.add(id);
      return true;
    }
    const t = this.keys;
    const mask = t.length - 1;
    let i = home(x, this.bits);
    for (;;) {
      const v = t[i];
      if (v === x) return false;
      if (v === 0) break;
      i = (i + 1) & mask;
    }
    t[i] = x;
    if (++this.count * 2 > mask) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.keys;
    const bits = this.bits + 1;
    const t = new Float64Array(1 << bits);
    const mask = t.length - 1;
    for (let j = 0; j < old.length; j++) {
      const x = old[j];
      if (x === 0) continue;
      let i = home(x, bits);
      while (t[i] !== 0) i = (i + 1) & mask;
      t[i] = x;
    }
    this.keys = t;
    this.bits = bits;
  }

  /** Every member, canonical order: bigints ascending, then strings by UTF-16 code units. */
  ids(): OrderId[] {
    const nums: number[] = [];
    const t = this.keys;
    for (let i = 0; i < t.length; i++) if (t[i] !== 0) nums.push(t[i] - 1);
    nums.sort((a, b) => a - b);
    const big: bigint[] = nums.map((x) => BigInt(x));
    const strs: string[] = [];
    for (const id of this.other) {
      if (typeof id === "bigint") big.push(id);
      else strs.push(id);
    }
    if (big.length > nums.length) big.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    strs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...big, ...strs];
  }
}

/**
 * order id -> V, with O(1) get / set / delete. Deletion leaves a tombstone (-1): resting orders
 * churn constantly and ids arrive in runs, so shifting probe runs back on every delete would
 * cost more than the occasional clean-up rehash (when live + tombstones exceed half the table).
 */
export class OrderIndex<V> {
  private keys: Float64Array = new Float64Array(1 << INITIAL_BITS);
  private vals: (V | undefined)[] = new Array(1 << INITIAL_BITS).fill(undefined);
  private bits = INITIAL_BITS;
  private live = 0;
  /** live + tombstones */
  private used = 0;
  private spareKeys: Float64Array | null = null;
  private spareVals: (V | undefined)[] | null = null;
  private readonly other = new Map<OrderId, V>();

  get size(): number {
    return this.live + this.other.size;
  }

  get(id: OrderId): V | undefined {
    const x = keyOf(id);
    if (x === 0) return this.other.get(id);
    const t = this.keys;
    const mask = t.length - 1;
    for (let i = home(x, this.bits); ; i = (i + 1) & mask) {
      const v = t[i];
      if (v === x) return this.vals[i];
      if (v === 0) return undefined;
    }
  }

  set(id: OrderId, value: V): void {
    const x = keyOf(id);
    if (x === 0) {
      this.other.set(id, value);
      return;
    }
    const t = this.keys;
    const mask = t.length - 1;
    let i = home(x, this.bits);
    let free = -1;
    for (;;) {
      const v = t[i];
      if (v === x) {
        this.vals[i] = value;
        return;
      }
      if (v === 0) break;
      if (v === -1 && free < 0) free = i;
      i = (i + 1) & mask;
    }
    this.live++;
    if (free >= 0) {
      i = free; // reuse a tombstone: `used` does not change
    } else {
      this.used++;
    }
    t[i] = x;
    this.vals[i] = value;
    if (this.used * 2 > mask) this.rehash();
  }

  delete(id: OrderId): boolean {
    const x = keyOf(id);
    if (x === 0) return this.other.delete(id);
    const t = this.keys;
    const mask = t.length - 1;
    for (let i = home(x, this.bits); ; i = (i + 1) & mask) {
      const v = t[i];
      if (v === x) {
        t[i] = -1;
        this.vals[i] = undefined;
        this.live--;
        return true;
      }
      if (v === 0) return false;
    }
  }

  /**
   * Rebuilds without tombstones: into a spare pair of arrays of the same size (kept between
   * rehashes, so steady churn allocates nothing) if at most 1/4 is live, else twice the size.
   */
  private rehash(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const same = this.live * 4 <= oldKeys.length;
    const bits = same ? this.bits : this.bits + 1;
    let t: Float64Array;
    let vals: (V | undefined)[];
    if (
      same &&
      this.spareKeys !== null &&
      this.spareVals !== null &&
      this.spareKeys.length === oldKeys.length
    ) {
      t = this.spareKeys;
      vals = this.spareVals;
    } else {
      t = new Float64Array(1 << bits);
      vals = new Array(1 << bits).fill(undefined);
    }
    const mask = t.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const x = oldKeys[j];
      if (x <= 0) continue;
      let i = home(x, bits);
      while (t[i] !== 0) i = (i + 1) & mask;
      t[i] = x;
      vals[i] = oldVals[j];
    }
    this.keys = t;
    this.vals = vals;
    this.bits = bits;
    this.used = this.live;
    if (same) {
      oldKeys.fill(0);
      oldVals.fill(undefined);
      this.spareKeys = oldKeys;
      this.spareVals = oldVals;
    } else {
      this.spareKeys = null;
      this.spareVals = null;
    }
  }
}
