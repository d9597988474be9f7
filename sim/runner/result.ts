import type { Violation } from "../../invariants/types.ts";
import type { Knobs } from "../../scenarios/engine-config.ts";

/** What one run reports (`tradesim run --json`): deterministic fields first, wall time apart. */
export interface RunResult {
  name: string;
  seed: number;
  profile: string;
  /** Scenario steps (client operations, crashes, faults, expects). */
  ops: number;
  /** Scheduler steps (events fired). */
  steps: number;
  /** Virtual time at the end, ms. */
  virtualMs: number;
  traceHash: string;
  invariantChecks: number;
  violations: Violation[];
  /** Count per fault kind that actually fired. */
  faults: Record<string, number>;
  /** Engine knobs this run drew from its seed (or took from the scenario's config). */
  knobs: Knobs;
  /** Crashes the faults caused (not scenario steps), by the op during which they happened. */
  crashes: Array<{ op: number; service: string }>;
  /** Rare situations reached (count per kind); see invariants/coverage.ts. */
  coverage: Record<string, number>;
  expects: { checked: number; failed: number };
  /** Answers the client got: ok, rejected (by code), unanswered. */
  answers: { ok: number; rejected: number; unanswered: number; retries: number };
  /** Engine messages published during the run (all topics). */
  messages: number;
  replay: string;
  ok: boolean;
  /** Wall-clock duration, ms (not part of the deterministic result). */
  elapsedMs: number;
}
