import seedrandom from "seedrandom";

/**
 * Seeded randomness. Every component asks for its own named stream, derived from the run seed
 * and the stream name alone, so adding a random choice in one component never shifts the
 * choices of another. Floats are for choices only; money is drawn with `bigintBelow`.
 */
export class Rng {
  private readonly next01: () => number;
  readonly name: string;

  constructor(seed: string, name: string) {
    this.name = name;
    this.next01 = seedrandom.alea(`${seed}/${name}`);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.next01();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next01() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next01() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error(`rng ${this.name}: pick from an empty list`);
    return items[this.int(items.length)];
  }

  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += Math.max(0, weights[k]);
    if (total <= 0) throw new Error(`rng ${this.name}: all weights are zero`);
    let x = this.next01() * total;
    for (const k of keys) {
      x -= Math.max(0, weights[k]);
      if (x < 0) return k;
    }
    return keys[keys.length - 1];
  }

  /** Uniform bigint in [0, n), built from 30-bit integer draws (no float arithmetic on the value). */
  bigintBelow(n: bigint): bigint {
    if (n <= 0n) throw new Error(`rng ${this.name}: bigintBelow(${n})`);
    let acc = 0n;
    let span = 1n;
    while (span < n * 1024n) {
      acc = (acc << 30n) | BigInt(this.int(1 << 30));
      span <<= 30n;
    }
    return acc % n;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/** The run's source of every random stream. */
export class RandomSource {
  private readonly streams = new Map<string, Rng>();
  readonly seed: string;

  constructor(seed: number | string) {
    this.seed = String(seed);
  }

  stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (rng === undefined) {
      rng = new Rng(this.seed, name);
      this.streams.set(name, rng);
    }
    return rng;
  }
}
