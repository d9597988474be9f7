/** Time, as the engine may see it. The simulator's clock is virtual; the real one is the OS clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch (integer). */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}
