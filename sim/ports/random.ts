import type { Random } from "../../engine/ports/random.ts";
import type { Scheduler } from "../kernel/scheduler.ts";

/** The engine's randomness: one stream per process name, derived from the run seed. */
export function simRandom(sched: Scheduler, processName: string): Random {
  const rng = sched.rng(`engine/${processName}`);
  return {
    int: (n: number) => rng.int(n),
    hex: (length: number) => {
      let s = "";
      while (s.length < length) s += rng.int(16).toString(16);
      return s;
    },
  };
}
