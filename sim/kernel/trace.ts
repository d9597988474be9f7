/**
 * The run's trace: one entry per notable happening (a fired event, a message, a fault, a crash),
 * folded into a stable 64-bit hash (two independent 32-bit FNV-1a lanes). Entries are kept only
 * when asked (replay, determinism diffing); the per-step hashes are kept when asked, so two runs
 * can be compared step by step to find the first divergence.
 */
const FNV_PRIME = 0x01000193;

export interface TraceOptions {
  keepEntries?: boolean;
  keepStepHashes?: boolean;
}

export interface TraceEntry {
  step: number;
  time: number;
  text: string;
}

export class Trace {
  private h1 = 0x811c9dc5;
  private h2 = 0x01234567;
  readonly entries: TraceEntry[] | null;
  readonly stepHashes: string[] | null;
  count = 0;

  constructor(opts: TraceOptions = {}) {
    this.entries = opts.keepEntries ? [] : null;
    this.stepHashes = opts.keepStepHashes ? [] : null;
  }

  record(step: number, time: number, text: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    // Fold the step and time first (as integers, no string building) so identical texts at
    // different points hash differently.
    const tLow = time % 4294967296;
    const tHigh = Math.floor(time / 4294967296);
    h1 = Math.imul(h1 ^ step, FNV_PRIME);
    h1 = Math.imul(h1 ^ tLow, FNV_PRIME);
    h1 = Math.imul(h1 ^ tHigh, FNV_PRIME);
    h2 = Math.imul(h2 ^ step, 0x5bd1e995) ^ (h2 >>> 15);
    h2 = Math.imul(h2 ^ tLow, 0x5bd1e995) ^ (h2 >>> 15);
    h2 = Math.imul(h2 ^ tHigh, 0x5bd1e995) ^ (h2 >>> 15);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, FNV_PRIME);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    this.h1 = h1;
    this.h2 = h2;
    this.count++;
    this.entries?.push({ step, time, text });
  }

  /** Called by the scheduler at the end of each step. */
  endStep(): void {
    this.stepHashes?.push(this.hash());
  }

  hash(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, "0") + (this.h2 >>> 0).toString(16).padStart(8, "0");
  }
}

/** Index of the first step at which two step-hash lists differ, or -1 if they agree. */
export function firstDivergence(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
