/**
 * Engine configuration: the facts a deployment (or a scenario's `config`) may change.
 */
import { type FeeRates, SYMBOLS, type SymbolName } from "./domain/symbols.ts";

export interface EngineConfig {
  /** Fee rates per symbol, basis points, charged on the asset received. */
  fees: Record<SymbolName, FeeRates>;
  /** Keyspace of the store (DOMAIN.md: `trading`). */
  keyspace: string;
  /** How long the gateway waits for UBSCore's verdict before answering "pending" (ms). */
  gatewayResultTimeoutMs: number;
  /** How far a signed request's timestamp may be from the gateway's clock (ms). */
  authWindowMs: number;
  /**
   * Recovery snapshots (engine/README.md, "Snapshots"): UBSCore writes one after every this many
   * journal records, the ME after every this many commands. 0 = never (recovery replays from 0).
   */
  snapshotEvery: number;
  /**
   * ...but at most this many characters of snapshot per record or command, amortised: a large
   * state is snapshotted less often (every max(snapshotEvery, size / this) inputs), so writing
   * snapshots stays O(1) per input although the never-evicted dedupe tables grow. 0 = no bound.
   */
  snapshotCharsPerInput: number;
  /** Consumers commit their handled offsets at most once per this many ms (engine/common/commits.ts); 0 = after every batch. */
  commitIntervalMs: number;
}

export function defaultConfig(overrides: Partial<EngineConfig> = {}): EngineConfig {
  const fees = {} as Record<SymbolName, FeeRates>;
  for (const s of SYMBOLS) fees[s.name] = { ...s.fees };
  return {
    fees: { ...fees, ...(overrides.fees ?? {}) },
    keyspace: overrides.keyspace ?? "trading",
    gatewayResultTimeoutMs: overrides.gatewayResultTimeoutMs ?? 5_000,
    authWindowMs: overrides.authWindowMs ?? 30_000,
    snapshotEvery: overrides.snapshotEvery ?? 1_000,
    snapshotCharsPerInput: overrides.snapshotCharsPerInput ?? 100,
    commitIntervalMs: overrides.commitIntervalMs ?? 100,
  };
}
