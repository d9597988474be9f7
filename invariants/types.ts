/**
 * The invariant contract. An invariant is a family of checks with up to two entry points:
 * `step` runs after every scheduler step and must cost O(what changed in that step), never
 * O(history); `quiescent` runs when the pipeline is quiet and every service is up (expect steps
 * and the end of a run), and may look at everything, preferably incrementally too.
 */
import type { EngineConfig } from "../engine/config.ts";
import type { MatchingService } from "../engine/me/service.ts";
import type { ConsumedMessage } from "../engine/ports/index.ts";
import type { Ubscore } from "../engine/ubscore/service.ts";
import type { SimScylla } from "../sim/scylla/index.ts";
import type { ClientAnswer, ClientRequest, Credentials } from "../sim/world/client.ts";
import type { Audit } from "./auditor.ts";

/** The topics as the Audit reads them: the simulated broker's logs, or real mode's copy of them. */
export interface LogView {
  /** Records appended so far over every topic: it moves iff some log grew. */
  readonly appended: number;
  partitions(topic: string): number;
  /** A partition's records (index = offset). */
  records(topic: string, partition: number): readonly ConsumedMessage[];
}

/**
 * Everything the invariants read of a world: the simulator's `World` and real mode's
 * `RealWorldView` both implement it, checked by the compiler (no cast between them).
 */
export interface AuditedWorld {
  readonly sched: {
    readonly random: { readonly seed: string };
    readonly step: number;
    /** Microseconds since the run began (virtual in the simulator, wall clock in real mode). */
    now(): number;
    note(text: string): void;
  };
  readonly config: EngineConfig;
  readonly kafka: LogView;
  /** The stored rows (real mode: a snapshot of the keyspace loaded into the simulator's CQL engine). */
  readonly scylla: Pick<SimScylla, "query" | "rows">;
  /** The running service objects (null while a service is down). */
  readonly live: { readonly ubscore: Ubscore | null; readonly matching: MatchingService | null };
  readonly credentials: ReadonlyMap<number, Credentials>;
  /** A signed request to the gateway, as a client sends it. */
  ask(user: number, req: ClientRequest): Promise<ClientAnswer>;
  allUp(): boolean;
  /** Rows of settled_trades. */
  settledTradeCount(): number;
}

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
