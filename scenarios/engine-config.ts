/**
 * The engine configuration a scenario runs with (sim and real mode alike): its fee table, and
 * knobs drawn from the run's seed unless the scenario sets them (FoundationDB's "buggify" idea:
 * rarely taken paths get taken). Snapshot spacing: most runs snapshot often enough that crashes
 * recover from a snapshot; some never snapshot (recovery replays from offset 0). Commit spacing:
 * from every batch to once a second, so restarts re-read anything from nothing to a lot.
 */
import { defaultConfig, type EngineConfig } from "../engine/config.ts";
import { SYMBOLS, type SymbolName } from "../engine/domain/symbols.ts";
import { RandomSource } from "../sim/kernel/random.ts";
import type { Scenario } from "./format.ts";

const SNAPSHOT_EVERY = [1, 2, 3, 5, 8, 13, 50, 1_000, 0] as const;
/** Snapshot bytes allowed per input, amortised (production: 100): more here, so snapshots are frequent. */
const SNAPSHOT_CHARS_PER_INPUT = [1_000, 10_000] as const;
/** Commit spacing: after every batch (0) up to a second between commits. */
const COMMIT_INTERVAL_MS = [0, 5, 100, 100, 1_000] as const;

export function engineConfigOf(s: Scenario, seed: number, keyspace?: string): EngineConfig {
  const fees: Partial<EngineConfig["fees"]> = {};
  for (const [sym, f] of Object.entries(s.config?.fees ?? {})) {
    if (!SYMBOLS.some((x) => x.name === sym))
      throw new Error(`config.fees: unknown symbol ${JSON.stringify(sym)}`);
    fees[sym as SymbolName] = f;
  }
  const knobs = new RandomSource(seed).stream("world/knobs");
  return defaultConfig({
    fees: fees as EngineConfig["fees"],
    snapshotEvery: s.config?.snapshot_every ?? knobs.pick(SNAPSHOT_EVERY),
    snapshotCharsPerInput: s.config?.snapshot_chars_per_input ?? knobs.pick(SNAPSHOT_CHARS_PER_INPUT),
    commitIntervalMs: s.config?.commit_interval_ms ?? knobs.pick(COMMIT_INTERVAL_MS),
    ...(keyspace !== undefined ? { keyspace } : {}),
  });
}

/** The knobs a run reports (`RunResult.knobs`). */
export type Knobs = Pick<EngineConfig, "snapshotEvery" | "snapshotCharsPerInput" | "commitIntervalMs">;

export function knobsOf(c: EngineConfig): Knobs {
  return {
    snapshotEvery: c.snapshotEvery,
    snapshotCharsPerInput: c.snapshotCharsPerInput,
    commitIntervalMs: c.commitIntervalMs,
  };
}

/** The scenario `config` fields that pin `k` (instead of drawing them from the seed). */
export function pinned(k: Knobs): NonNullable<Scenario["config"]> {
  return {
    snapshot_every: k.snapshotEvery,
    snapshot_chars_per_input: k.snapshotCharsPerInput,
    commit_interval_ms: k.commitIntervalMs,
  };
}
