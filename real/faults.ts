/**
 * The fault catalog in real mode. A scenario's `fault` step cannot make a real broker lose a
 * message, so each catalog fault is mapped onto what real infrastructure can do:
 *
 * | fault (scenario step)                | real mode                                                                                 |
 * | ------------------------------------ | ----------------------------------------------------------------------------------------- |
 * | `kafka.broker-unavailable`           | the Kafka broker restarts (`restartKafka()`: SIGTERM, start on the same data); `ms` unused |
 * | `scylla.write-timeout` with `ms`     | Cassandra restarts (`restartCassandra()`: SIGTERM, drain, start on the same data)         |
 * | `scylla.write-timeout` without `ms`  | the next `times` writes time out: applied or not sent (seeded), the client cannot tell    |
 * | `process.crash`                      | a service (seeded choice) crashes at once and restarts (`times` crashes)                  |
 * | `kafka.consumer-crash-before-commit` | the next `times` commits of any engine consumer crash its service just before the commit  |
 * | `kafka.send-timeout-appended`        | the next `times` acknowledged sends answer a request timeout anyway (appended)            |
 * | `kafka.send-retry-duplicate`         | the next `times` acknowledged sends of non-idempotent producers are appended once more    |
 * | `scylla.lwt-retry-sees-own-row`      | the next `times` conditional writes answer a timeout although applied                     |
 * | `kafka.latency`, `scylla.latency`    | nothing: real latencies apply                                                             |
 * | `kafka.rebalance-mid-batch`, `scylla.batch-partial` | not mapped (recorded as ignored)                                           |
 *
 * Profiles' random rates are not applied in real mode: only a scenario's explicit steps inject.
 */
import type { FaultName } from "../sim/faults/catalog.ts";
import type { Rng } from "../sim/kernel/random.ts";

export type RealFaultAction =
  | "kafka-restart"
  | "cassandra-restart"
  | "random-crash"
  | "armed"
  | "no-op"
  | "ignored";

/** What a scenario's fault step does in real mode (`ms` is the step's duration field). */
export function realActionOf(name: FaultName, ms?: number): RealFaultAction {
  switch (name) {
    case "kafka.broker-unavailable":
      return "kafka-restart";
    case "scylla.write-timeout":
      return ms === undefined ? "armed" : "cassandra-restart";
    case "process.crash":
      return "random-crash";
    case "kafka.consumer-crash-before-commit":
    case "kafka.send-timeout-appended":
    case "kafka.send-retry-duplicate":
    case "scylla.lwt-retry-sees-own-row":
      return "armed";
    case "kafka.latency":
    case "scylla.latency":
      return "no-op";
    case "kafka.rebalance-mid-batch":
    case "scylla.batch-partial":
      return "ignored";
  }
}

/** Armed adapter-level faults and what fired. */
export class RealFaults {
  private readonly armed = new Map<string, number>();
  readonly fired: Record<string, number> = {};
  readonly ignored: Record<string, number> = {};
  private readonly rng: Rng;

  /** `rng` decides the outcome of injected write timeouts (applied or not). */
  constructor(rng: Rng) {
    this.rng = rng;
  }

  writeOutcome(): "lost" | "applied" {
    return this.rng.chance(0.5) ? "applied" : "lost";
  }

  arm(name: FaultName, times: number): void {
    this.armed.set(name, (this.armed.get(name) ?? 0) + times);
  }

  /** Consumes one armed opportunity of `name`; true if the fault fires now. */
  take(name: FaultName): boolean {
    const n = this.armed.get(name) ?? 0;
    if (n <= 0) return false;
    this.armed.set(name, n - 1);
    this.count(name);
    return true;
  }

  count(name: string): void {
    this.fired[name] = (this.fired[name] ?? 0) + 1;
  }

  ignore(name: string): void {
    this.ignored[name] = (this.ignored[name] ?? 0) + 1;
  }

  /** Disarms everything (the drain runs fault-free). */
  disarm(): void {
    this.armed.clear();
  }
}
