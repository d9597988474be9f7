import type { Clock } from "../../engine/ports/clock.ts";
import type { SimProcess } from "../kernel/process.ts";
import type { Scheduler } from "../kernel/scheduler.ts";

/** Virtual epoch: the simulated world starts at 2026-01-01T00:00:00Z. */
export const SIM_EPOCH_MS = 1_767_225_600_000;

/** The engine's clock on virtual time; sleeps of a crashed incarnation never wake. */
export function simClock(sched: Scheduler, proc: SimProcess): Clock {
  return {
    now: () => SIM_EPOCH_MS + Math.floor(sched.now() / 1000),
    sleep: (ms: number) => sched.sleep(ms * 1000, proc.guard(), `${proc.name} sleep`),
  };
}
