/**
 * Everything a service may touch outside its own memory. The same services run on the
 * simulator's ports and on the real adapters (kafkajs, cassandra-driver, OS clock) unchanged.
 */
import type { Clock } from "./clock.ts";
import type { Log } from "./log.ts";
import type { Random } from "./random.ts";
import type { Store } from "./store.ts";

export type { Clock } from "./clock.ts";
export type * from "./log.ts";
export type { Random } from "./random.ts";
export type * from "./store.ts";

/** Structured diagnostics; the simulator folds them into the trace. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface Ports {
  clock: Clock;
  random: Random;
  log: Log;
  store: Store;
  logger: Logger;
}
