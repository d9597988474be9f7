/**
 * Test harness: a scheduler, a fault injector, a SimScylla, and a way to run engine-like async
 * code inside a simulated process until it finishes.
 */
import type { Store } from "../../engine/ports/store.ts";
import { type FaultName, type FaultRates, PROFILES } from "../../sim/faults/catalog.ts";
import { FaultInjector } from "../../sim/faults/injector.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { Trace } from "../../sim/kernel/trace.ts";
import { SimScylla, type SimScyllaOptions } from "../../sim/scylla/index.ts";

export interface Sim {
  sched: Scheduler;
  faults: FaultInjector;
  scylla: SimScylla;
}

export function makeSim(
  opts: {
    seed?: number | string;
    rates?: Partial<FaultRates>;
    scylla?: SimScyllaOptions;
    keepTrace?: boolean;
  } = {},
): Sim {
  const sched = new Scheduler({
    seed: opts.seed ?? 1,
    trace: new Trace({ keepEntries: opts.keepTrace ?? false }),
  });
  const rates = { ...PROFILES.none, ...(opts.rates ?? {}) } as FaultRates;
  const faults = new FaultInjector(sched, rates);
  const scylla = new SimScylla(sched, faults, opts.scylla);
  return { sched, faults, scylla };
}

/** Runs `body` in a fresh process with a Store bound to it; resolves with its result once the world is idle. */
export async function inProcess<T>(
  sim: Sim,
  body: (store: Store, proc: SimProcess) => Promise<T>,
  name = "test",
): Promise<T> {
  let result: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  const proc = new SimProcess(sim.sched, name, async (p) => {
    try {
      result = { ok: true, value: await body(sim.scylla.client(p), p) };
    } catch (error) {
      result = { ok: false, error };
    }
  });
  proc.start();
  await sim.sched.run({ until: () => result !== null });
  const r = result as { ok: true; value: T } | { ok: false; error: unknown } | null;
  if (r === null) throw new Error("process did not finish (a promise never settled)");
  if (!r.ok) throw r.error;
  return r.value;
}

/** A Store that runs every call as its own simulated process step: convenient for case bodies. */
export function simStore(sim: Sim, name = "client"): { store: Store; proc: SimProcess } {
  const proc = new SimProcess(sim.sched, name, async () => {
    await new Promise(() => {});
  });
  proc.start();
  const inner = sim.scylla.client(proc);
  const drive = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    const tracked = p.finally(() => {
      done = true;
    });
    await sim.sched.run({ until: () => done });
    return tracked;
  };
  const store: Store = {
    connect: () => drive(inner.connect()),
    execute: (q, params, options) => drive(inner.execute(q, params, options)),
    batch: (qs, options) => drive(inner.batch(qs, options)),
    shutdown: () => inner.shutdown(),
  };
  return { store, proc };
}

export function arm(sim: Sim, name: FaultName, times = 1): void {
  sim.faults.arm(name, times);
}
