import type { Logger } from "../../engine/ports/index.ts";
import type { Scheduler } from "../kernel/scheduler.ts";

/**
 * The engine's Logger port in the simulator: warnings and errors go into the trace (so they are
 * part of the deterministic record and of failure reports); info is dropped unless verbose.
 */
export function traceLogger(sched: Scheduler, name: string, verbose = false): Logger {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) =>
    sched.note(`${name} ${level} ${msg}${fields ? ` ${safeJson(fields)}` : ""}`);
  return {
    info: (msg, fields) => {
      if (verbose) line("info", msg, fields);
    },
    warn: (msg, fields) => line("warn", msg, fields),
    error: (msg, fields) => line("error", msg, fields),
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) =>
      typeof x === "bigint" ? x.toString() : x instanceof Error ? x.message : x,
    );
  } catch {
    return "[unserialisable]";
  }
}
