/**
 * The sim side of a Store case: a fresh simulated Scylla per case (fault profile `none`, seed 1),
 * driven one call at a time: each store call runs the scheduler until it settles, so the case
 * body is ordinary async code outside the simulation (as test/sim-scylla does).
 */
import type { Store } from "../../engine/ports/store.ts";
import { PROFILES } from "../../sim/faults/catalog.ts";
import { FaultInjector } from "../../sim/faults/injector.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { SimScylla } from "../../sim/scylla/index.ts";
import { type ConformanceCase, runCase } from "../../test/sim-scylla/conformance.ts";
import { describe } from "../kafka/sim.ts";
import type { Outcome, Step } from "../types.ts";

function simStore(seed: number | string): Store {
  const sched = new Scheduler({ seed });
  const scylla = new SimScylla(sched, new FaultInjector(sched, PROFILES.none));
  const proc = new SimProcess(sched, "client", () => new Promise<void>(() => {}));
  proc.start();
  const inner = scylla.client(proc);
  const drive = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    const tracked = p.finally(() => {
      done = true;
    });
    await sched.run({ until: () => done });
    if (!done) throw new Error("the simulated store went idle before answering");
    return tracked;
  };
  return {
    connect: () => drive(inner.connect()),
    execute: (q, params, options) => drive(inner.execute(q, params, options)),
    batch: (qs, options) => drive(inner.batch(qs, options)),
    shutdown: () => inner.shutdown(),
  };
}

export async function runStoreCaseSim(
  c: ConformanceCase,
  keyspace: string,
  seed: number | string = 1,
): Promise<Outcome> {
  const t0 = performance.now();
  const store = simStore(seed);
  try {
    await store.execute(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    const steps = (await runCase(c, store, keyspace)) as Step[];
    return { steps, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { steps: [], failure: describe(e), ms: Math.round(performance.now() - t0) };
  }
}
