/** Relative weights of the operations a generated scenario is made of. */
export interface OpWeights {
  deposit: number;
  withdraw: number;
  limit: number;
  market: number;
  cancel: number;
  retry: number;
  crash: number;
  advance: number;
  zero: number;
  read: number;
}

export const DEFAULT_WEIGHTS: OpWeights = {
  deposit: 6,
  withdraw: 5,
  limit: 45,
  market: 7,
  cancel: 16,
  retry: 4,
  crash: 1,
  advance: 6,
  zero: 1,
  read: 3,
};

export interface GenerateOptions {
  seed: number;
  ops: number;
  users?: number;
  symbols?: readonly string[];
  weights?: Partial<OpWeights>;
  /** Explicit crash/restart steps (the profile's random crashes come on top). */
  crashes?: boolean;
  profile?: string;
  /** Share of orders and cancels sent without waiting for the answer (default 0.3). */
  asyncShare?: number;
  /**
   * Open-loop load (load.ts): this many requests per LOAD_TICK_MS of virtual time, none waiting
   * for its answer, so many are in flight at once. Unset: closed loop (clients mostly wait).
   */
  load?: number;
}
