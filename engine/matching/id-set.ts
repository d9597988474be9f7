/**
 * The set of every order id a book has ever seen (for duplicate detection). It only grows, so
 * it is kept compact: ids that are bigints in [0, 2^53 - 2] (what UBSCore assigns) live as
 * doubles in an open-addressing Float64Array table (8 bytes per slot, load <= 1/2, no heap
 * object per id, nothing for the GC to trace); any other id (strings, negative or huge
 * bigints) goes to an ordinary Set. `ids()` lists the members in a canonical order: bigints
 * ascending, then strings in code-unit order.
 */
import type { OrderId } from "./types.ts";

const MAX_FAST = 9007199254740990n; // stored as id + 1, so id + 1 <= 2^53 - 1
const TWO32 = 4294967296;

function slotOf(x: number, mask: number): number {
  let h = Math.imul((x >>> 0) ^ Math.imul((x / TWO32) >>> 0, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & mask;
}

export class OrderIdSet {
  /** 0 = empty slot; otherwise id + 1. */
  private table = new Float64Array(1 << 12);
  private mask = (1 << 12) - 1;
  private count = 0;
  private readonly other = new Set<OrderId>();

  get size(): number {
    return this.count + this.other.size;
  }

  has(id: OrderId): boolean {
    if (typeof id === "bigint" && id >= 0n && id <= MAX_FAST) {
      const x = Number(id) + 1;
      const t = this.table;
      const mask = this.mask;
      for (let i = slotOf(x, mask); ; i = (i + 1) & mask) {
        const v = t[i];
        if (v === x) return true;
        if (v === 0) return false;
      }
    }
    return this.other.has(id);
  }

  /** Adds `id`; returns false if it was already present. */
  add(id: OrderId): boolean {
    if (typeof id === "bigint" && id >= 0n && id <= MAX_FAST) {
      const x = Number(id) + 1;
      const t = this.table;
      const mask = this.mask;
      let i = slotOf(x, mask);
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
    if (this.other.has(id)) return false;
    this.other.add(id);
    return true;
  }

  private grow(): void {
    const old = this.table;
    const t = new Float64Array(old.length * 2);
    const mask = t.length - 1;
    for (let j = 0; j < old.length; j++) {
      const x = old[j];
      if (x === 0) continue;
      let i = slotOf(x, mask);
      while (t[i] !== 0) i = (i + 1) & mask;
      t[i] = x;
    }
    this.table = t;
    this.mask = mask;
  }

  /** Every member, canonical order: bigints ascending, then strings by code units. */
  ids(): OrderId[] {
    const nums: number[] = [];
    for (const x of this.table) if (x !== 0) nums.push(x - 1);
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
