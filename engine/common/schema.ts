/** Schema bootstrap: runs the engine's DDL (engine/schema/cql.ts) against the store, idempotently. */
import type { EngineConfig } from "../config.ts";
import type { Clock, Logger, Store } from "../ports/index.ts";
import { ddlFor } from "../schema/cql.ts";
import { executeWithRetry } from "./retry.ts";

export async function ensureSchema(
  store: Store,
  config: EngineConfig,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  for (const q of ddlFor(config.keyspace)) await executeWithRetry(store, q, [], clock, logger);
}
