import type { Scheduler } from "../kernel/scheduler.ts";
import { FAULT_NAMES, type FaultName, type FaultRates } from "./catalog.ts";

/**
 * Decides, from the seed, whether a fault fires at an opportunity, and counts what fired.
 * Each fault draws from its own random stream, so enabling one fault never shifts the draws of
 * another. Scenario `fault` steps force a fault with `arm(name, times)`.
 */
export class FaultInjector {
  private readonly sched: Scheduler;
  private readonly rates: FaultRates;
  private readonly armed = new Map<FaultName, number>();
  /** While paused (the world's bootstrap), nothing fires and latencies are at their base. */
  paused = false;
  readonly fired: Record<FaultName, number>;

  constructor(sched: Scheduler, rates: FaultRates) {
    this.sched = sched;
    this.rates = { ...rates };
    this.fired = {} as Record<FaultName, number>;
    for (const n of FAULT_NAMES) this.fired[n] = 0;
  }

  rate(name: FaultName): number {
    return this.rates[name];
  }

  enabled(name: FaultName): boolean {
    return this.rates[name] > 0 || (this.armed.get(name) ?? 0) > 0;
  }

  /** Forces the next `times` opportunities of `name` to fire. */
  arm(name: FaultName, times = 1): void {
    this.armed.set(name, (this.armed.get(name) ?? 0) + times);
  }

  setRate(name: FaultName, rate: number): void {
    this.rates[name] = rate;
  }

  /** An opportunity for `name`: true if it fires now (and it is counted and traced). */
  maybe(name: FaultName, detail = ""): boolean {
    if (this.paused) return false;
    const armed = this.armed.get(name) ?? 0;
    let fire = false;
    if (armed > 0) {
      this.armed.set(name, armed - 1);
      fire = true;
    } else {
      const r = this.rates[name];
      fire = r > 0 && this.sched.rng(`faults/${name}`).float() < r;
    }
    if (fire) this.record(name, detail);
    return fire;
  }

  /** Counts a fault that fired by other means (a scenario crash step, say). */
  record(name: FaultName, detail = ""): void {
    this.fired[name]++;
    this.sched.note(`fault ${name}${detail ? ` ${detail}` : ""}`);
  }

  /** A seeded latency in µs for a component, drawn from its own stream; 0 if latency is off. */
  latencyUs(name: "kafka.latency" | "scylla.latency", baseUs: number, tailUs: number): number {
    if (this.paused || this.rates[name] <= 0) return baseUs;
    const rng = this.sched.rng(`faults/${name}`);
    // Mostly near the base, sometimes a long tail: a crude but deterministic heavy tail.
    const x = rng.float();
    const extra = x < 0.9 ? rng.int(baseUs + 1) : rng.int(tailUs + 1);
    if (extra > baseUs) this.fired[name]++;
    return baseUs + extra;
  }

  /** Counts of faults that fired at least once. */
  firedCounts(): Partial<Record<FaultName, number>> {
    const out: Partial<Record<FaultName, number>> = {};
    for (const n of FAULT_NAMES) if (this.fired[n] > 0) out[n] = this.fired[n];
    return out;
  }
}
