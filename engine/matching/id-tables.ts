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

const MAX_FAST = 9007199254740990n;
const TWO32 = 4294967296;
const INITIAL_BITS = 10;

/** The stored key of `id` (id + 1), or 0 if `id` does not take the fast path. */
function keyOf(id: OrderId): number {
  return typeof id === "bigint" && id >= 0n && id <= MAX_FAST ? Number(id) + 1 : 0;
}

/** Home slot of key `x` in a table of 2^bits slots (bits >= 7). */
function home(x: number, bits: number): number {
  const lo = x >>> 0;
  const hi = (x / TWO32) >>> 0;
  const run = (lo >>> 6) ^ Math.imul(hi, 0x85ebca6b);
  return ((Math.imul(run, 0x9e3779b1) >>> (32 - bits + 6)) << 6) | (lo & 63);
}

export class OrderIdSet {
  private keys = new Float64Array(1 << INITIAL_BITS);
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

/** order id -> V, with O(1) get / set / delete (backward-shift deletion: no tombstones). */
export class OrderIndex<V> {
  private keys = new Float64Array(1 << INITIAL_BITS);
  private vals: (V | undefined)[] = new Array(1 << INITIAL_BITS).fill(undefined);
  private bits = INITIAL_BITS;
  private count = 0;
  private readonly other = new Map<OrderId, V>();

  get size(): number {
    return this.count + this.other.size;
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
    for (;;) {
      const v = t[i];
      if (v === x) {
        this.vals[i] = value;
        return;
      }
      if (v === 0) break;
      i = (i + 1) & mask;
    }
    t[i] = x;
    this.vals[i] = value;
    if (++this.count * 2 > mask) this.grow();
  }

  delete(id: OrderId): boolean {
    const x = keyOf(id);
    if (x === 0) return this.other.delete(id);
    const t = this.keys;
    const vals = this.vals;
    const mask = t.length - 1;
    const bits = this.bits;
    let i = home(x, bits);
    for (;;) {
      const v = t[i];
      if (v === x) break;
      if (v === 0) return false;
      i = (i + 1) & mask;
    }
    // Backward-shift: pull later members of the probe run into the hole when their home
    // slot does not lie cyclically in (hole, their slot].
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const y = t[j];
      if (y === 0) break;
      const h = home(y, bits);
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      t[i] = y;
      vals[i] = vals[j];
      i = j;
    }
    t[i] = 0;
    vals[i] = undefined;
    this.count--;
    return true;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const bits = this.bits + 1;
    const t = new Float64Array(1 << bits);
    const vals: (V | undefined)[] = new Array(1 << bits).fill(undefined);
    const mask = t.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const x = oldKeys[j];
      if (x === 0) continue;
      let i = home(x, bits);
      while (t[i] !== 0) i = (i + 1) & mask;
      t[i] = x;
      vals[i] = oldVals[j];
    }
    this.keys = t;
    this.vals = vals;
    this.bits = bits;
  }
}
