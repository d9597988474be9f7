/** A tiny simulated world for the sim-kafka tests. */

import type { LogEnv } from "../../conformance/cases/kafka.ts";
import type { Log } from "../../engine/ports/log.ts";
import { type FaultRates, PROFILES } from "../../sim/faults/catalog.ts";
import { FaultInjector } from "../../sim/faults/injector.ts";
import { SimKafka, type SimKafkaOptions } from "../../sim/kafka/index.ts";
import { type ProcessMain, SimProcess } from "../../sim/kernel/process.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import type { Trace } from "../../sim/kernel/trace.ts";

export interface World {
  sched: Scheduler;
  faults: FaultInjector;
  kafka: SimKafka;
  /** Errors of process mains that rejected (engine bugs in a real world). */
  failures: Array<{ proc: string; error: unknown }>;
  spawn(name: string, main: ProcessMain): SimProcess;
  /** Virtual time in ms. */
  ms(): number;
}

export function world(
  opts: {
    seed?: number | string;
    profile?: string;
    rates?: FaultRates;
    kafka?: SimKafkaOptions;
    trace?: Trace;
    shuffleTies?: boolean;
  } = {},
): World {
  const sched = new Scheduler({ seed: opts.seed ?? 1, trace: opts.trace, shuffleTies: opts.shuffleTies });
  const faults = new FaultInjector(sched, opts.rates ?? PROFILES[opts.profile ?? "none"]);
  const kafka = new SimKafka(sched, faults, opts.kafka);
  const failures: World["failures"] = [];
  return {
    sched,
    faults,
    kafka,
    failures,
    spawn(name, main) {
      const p = new SimProcess(sched, name, main, {
        onFailure: (proc, error) => failures.push({ proc: proc.name, error }),
      });
      p.start();
      return p;
    },
    ms: () => sched.now() / 1000,
  };
}

/** Never settles: a process main that must stay alive (so it can be crashed) ends with this. */
export function forever(): Promise<never> {
  return new Promise<never>(() => {});
}

/** A LogEnv for one simulated process. */
export function simEnv(w: World, proc: SimProcess): LogEnv {
  return {
    log: kafkaLog(w, proc),
    name: (base) => base,
    sleep: (ms) => w.sched.sleep(ms * 1000, proc.guard(), "test sleep"),
  };
}

function kafkaLog(w: World, proc: SimProcess): Log {
  return w.kafka.client(proc);
}

/** Runs a conformance case in a fresh simulated world; rethrows its failure. */
export async function runCase<T>(
  body: (env: LogEnv) => Promise<T>,
  opts: Parameters<typeof world>[0] = {},
): Promise<{ result: T; world: World }> {
  const w = world(opts);
  let done = false;
  let result: T | undefined;
  let error: unknown;
  let failed = false;
  w.spawn("case", async (p) => {
    try {
      result = await body(simEnv(w, p));
    } catch (e) {
      failed = true;
      error = e;
    }
    done = true;
  });
  await w.sched.run();
  if (failed) throw error;
  if (!done) throw new Error(`case did not finish: the simulation went idle at ${w.ms()}ms (deadlock?)`);
  return { result: result as T, world: w };
}
