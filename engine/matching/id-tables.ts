/**
 * The order-id table of one book: every order id ever placed (for duplicate detection), and for
 * the ones resting on the book, the resting order (O(1) lookup for cancel). One table serves
 * both, so a place costs one probe, and taking an order off the book costs none: the order
 * remembers its slot and the slot is simply cleared (the id stays, as "seen").
 *
 * Ids that are bigints in [0, 2^53 - 2] or canonical decimal strings of up to 15 digits (what
 * UBSCore assigns, as bigint or as its JSON text) are stored as doubles (bigint n as n + 1,
 * string "n" as -(n + 1); 0 marks an empty slot) in an open-addressing Float64Array with linear
 * probing: no heap object per id, key comparisons without a pointer chase, nothing for the GC
 * to trace. (Doubles here are exact integers, and they are ids, not amounts.) Any other id (a
 * non-canonical string, a negative or huge bigint) goes to an ordinary Map.
 *
 * The home slot of a key keeps runs of 32 consecutive ids together (ids are mostly assigned in
 * increasing order, so recent ids share a few cache lines) and spreads the runs with a
 * multiplicative (Fibonacci) hash of the rest of the key, which places consecutive runs evenly
 * and keeps strided ids (multiples of 2^k) from piling up. Runs are kept short: two runs with
 * the same home overlap, and probes of the second walk the first. Load factor <= 1/2; nothing
 * is ever deleted, so there are no tombstones.
 */
import type { OrderId } from "./types.ts";

/** A value the table can hold: it keeps its own slot (maintained by the table). */
export interface Slotted {
  slot: number;
}

/** `register` result: the id was seen before. */
export const DUPLICATE = -1;
/** `register` result / slot of a value whose id lives in the fallback Map. */
export const OTHER = -2;
/** Slot of a value not in the table. */
export const DETACHED = -3;

/** The largest id on the fast path: stored as id + 1 <= 2^53 - 1. */
const MAX_FAST_NUM = 9007199254740990;
const TWO32 = 4294967296;
const INITIAL_BITS = 10;
/** Consecutive keys stay together in runs of 2^RUN_BITS slots (32 doubles: four cache lines). */
const RUN_BITS = 5;
const RUN_MASK = (1 << RUN_BITS) - 1;

/**
 * The stored key of `id`, or 0 if `id` does not take the fast path:
 * - a bigint n in [0, MAX_FAST_NUM] -> n + 1 (positive);
 * - a canonical decimal string of at most 15 digits ("0", "12345"; no sign, no leading zero)
 *   -> -(n + 1) (negative), so the string "1" and the bigint 1n stay different ids.
 */
function keyOf(id: OrderId): number {
  if (typeof id === "bigint") {
    // Exact for |id| < 2^53; any larger bigint converts to >= 2^53 and is refused, so this is
    // 0 <= id <= MAX_FAST_NUM without a bigint comparison.
    const x = Number(id);
    return x >= 0 && x <= MAX_FAST_NUM ? x + 1 : 0;
  }
  const n = id.length;
  if (n === 0 || n > 15) return 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (d === 0 && i === 0 && n > 1)) return 0;
    v = v * 10 + d; // < 10^15 < 2^53: exact
  }
  return -(v + 1);
}

/** Home slot of key `x` (any non-zero exact integer double) in a table of 2^bits slots (bits > RUN_BITS). */
function home(x: number, bits: number): number {
  const lo = x >>> 0;
  const hi = (x / TWO32) >>> 0;
  const run = (lo >>> RUN_BITS) ^ Math.imul(hi, 0x85ebca6b);
  return ((Math.imul(run, 0x9e3779b1) >>> (32 - bits + RUN_BITS)) << RUN_BITS) | (lo & RUN_MASK);
}

function nulls<V>(n: number): (V | null)[] {
  return new Array<V | null>(n).fill(null);
}

export class OrderTable<V extends Slotted> {
  private keys: Float64Array = new Float64Array(1 << INITIAL_BITS);
  private vals: (V | null)[] = nulls(1 << INITIAL_BITS);
  private bits = INITIAL_BITS;
  /** Ids in the fast table. */
  private count = 0;
  private liveCount = 0;
  /** Ids off the fast path: id -> resting value, or null once seen but not resting. */
  private readonly other = new Map<OrderId, V | null>();

  /** Ids ever registered. */
  get size(): number {
    return this.count + this.other.size;
  }

  /** Values attached (resting orders). */
  get live(): number {
    return this.liveCount;
  }

  /**
   * Registers a new id. Returns DUPLICATE if it was registered before; otherwise its slot
   * (>= 0, valid until the next `register`) or OTHER, to pass to `attach`.
   */
  register(id: OrderId): number {
    const x = keyOf(id);
    if (x === 0) {
      if (this.other.has(id)) return DUPLICATE;
      this.other.set(id, null);
      return OTHER;
    }
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const t = this.keys;
    const mask = t.length - 1;
    let i = home(x, this.bits);
    for (;;) {
      const v = t[i];
      if (v === x) return DUPLICATE;
      if (v === 0) break;
      i = (i + 1) & mask;
    }
    t[i] = x;
    this.count++;
    return i;
  }

  /** Was `id` ever registered? */
  has(id: OrderId): boolean {
    return this.find(id) !== DUPLICATE;
  }

  /** The slot of a registered id (or OTHER), DUPLICATE standing for "not registered". */
  private find(id: OrderId): number {
    const x = keyOf(id);
    if (x === 0) return this.other.has(id) ? OTHER : DUPLICATE;
    const t = this.keys;
    const mask = t.length - 1;
    for (let i = home(x, this.bits); ; i = (i + 1) & mask) {
      const v = t[i];
      if (v === x) return i;
      if (v === 0) return DUPLICATE;
    }
  }

  /** The slot of registered `id` for `attach`; throws if `id` was never registered. */
  slotOf(id: OrderId): number {
    const s = this.find(id);
    if (s === DUPLICATE) throw new Error(`order id ${String(id)} is not registered`);
    return s;
  }

  /** Attaches `value` to registered `id` at `slot` (from `register` or `slotOf`). */
  attach(slot: number, id: OrderId, value: V): void {
    if (slot >= 0) this.vals[slot] = value;
    else this.other.set(id, value);
    value.slot = slot;
    this.liveCount++;
  }

  /** Detaches `value` (attached to `id`); the id stays registered. No probe. */
  detach(id: OrderId, value: V): void {
    if (value.slot >= 0) this.vals[value.slot] = null;
    else this.other.set(id, null);
    value.slot = DETACHED;
    this.liveCount--;
  }

  /** The value attached to `id`, or undefined (never registered, or not attached). */
  get(id: OrderId): V | undefined {
    const x = keyOf(id);
    if (x === 0) return this.other.get(id) ?? undefined;
    const t = this.keys;
    const mask = t.length - 1;
    for (let i = home(x, this.bits); ; i = (i + 1) & mask) {
      const v = t[i];
      if (v === x) return this.vals[i] ?? undefined;
      if (v === 0) return undefined;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const bits = this.bits + 1;
    const t = new Float64Array(1 << bits);
    const vals = nulls<V>(1 << bits);
    const mask = t.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const x = oldKeys[j];
      if (x === 0) continue;
      let i = home(x, bits);
      while (t[i] !== 0) i = (i + 1) & mask;
      t[i] = x;
      const v = oldVals[j];
      if (v !== null) {
        vals[i] = v;
        v.slot = i;
      }
    }
    this.keys = t;
    this.vals = vals;
    this.bits = bits;
  }

  /** Every registered id, canonical order: bigints ascending, then strings by UTF-16 code units. */
  ids(): OrderId[] {
    const nums: number[] = [];
    const strs: string[] = [];
    const t = this.keys;
    for (let i = 0; i < t.length; i++) {
      const x = t[i];
      if (x > 0) nums.push(x - 1);
      else if (x < 0) strs.push(String(-x - 1));
    }
    nums.sort((a, b) => a - b);
    const big: bigint[] = nums.map((x) => BigInt(x));
    for (const id of this.other.keys()) {
      if (typeof id === "bigint") big.push(id);
      else strs.push(id);
    }
    if (big.length > nums.length) big.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    strs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...big, ...strs];
  }
}
