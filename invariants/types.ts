/**
 * The invariant contract. An invariant is a family of checks with up to two entry points:
 * `step` runs after every scheduler step and must cost O(what changed in that step), never
 * O(history); `quiescent` runs when the pipeline is quiet and every service is up (expect steps
 * and the end of a run), and may look at everything, preferably incrementally too.
 */
import type { Audit } from "./auditor.ts";

export interface Violation {
  /** The invariant family, e.g. "conservation". */
  invariant: string;
  /** Scheduler step at which it was detected. */
  step: number;
  /** Scenario step (op index) being executed. */
  op: number;
  seed: string;
  message: string;
  /** The values that disagree, as strings (bigints included). */
  values: Record<string, string>;
}

export interface Invariant {
  readonly name: string;
  step?(a: Audit): void;
  quiescent?(a: Audit): Promise<void> | void;
  /** After the run's final drain (every open order cancelled, the pipeline quiet). */
  final?(a: Audit): Promise<void> | void;
}
