/**
 * The sim side of a Log case: a fresh simulated world per case (one broker, fault profile
 * `none`, seed 1), the case body in one simulated process, run until it ends on virtual time.
 */
import { PROFILES } from "../../sim/faults/catalog.ts";
import { FaultInjector } from "../../sim/faults/injector.ts";
import { SimKafka } from "../../sim/kafka/index.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { type LogCase, LogTranscript } from "../cases/kafka.ts";
import type { Outcome } from "../types.ts";

export async function runLogCaseSim(c: LogCase, seed: number | string = 1): Promise<Outcome> {
  const t0 = performance.now();
  const sched = new Scheduler({ seed });
  const faults = new FaultInjector(sched, PROFILES.none);
  const kafka = new SimKafka(sched, faults);
  const t = new LogTranscript();
  let failure: string | undefined;
  let done = false;
  const proc = new SimProcess(
    sched,
    "case",
    async (p) => {
      try {
        await c.run(
          {
            log: kafka.client(p),
            name: (base) => base,
            sleep: (ms) => sched.sleep(ms * 1000, p.guard(), "case sleep"),
          },
          t,
        );
      } catch (e) {
        failure = describe(e);
      }
      done = true;
    },
    { onFailure: (_p, e) => (failure ??= describe(e)) },
  );
  proc.start();
  await sched.run();
  if (!done && failure === undefined)
    failure = `the simulation went idle at ${sched.now() / 1000} ms before the case ended (deadlock?)`;
  return { steps: t.steps, failure, ms: Math.round(performance.now() - t0) };
}

export function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
