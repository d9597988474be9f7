/** Randomness, as the engine may see it (never for amounts; only for choices like jitter or ids). */
export interface Random {
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A random token of `length` lowercase hex characters (ids, nonces). */
  hex(length: number): string;
}
