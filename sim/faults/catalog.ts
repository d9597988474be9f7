/**
 * The fault catalog: the one place that names every fault the simulated world can inject, what
 * it does, and which class of bug (DOMAIN.md) it exposes. Profiles give each fault a rate.
 */
export interface FaultKind {
  name: string;
  component: "kafka" | "scylla" | "process";
  does: string;
  exposes: string;
}

export const FAULTS = [
  {
    name: "kafka.latency",
    component: "kafka",
    does: "delays delivery of produced messages to consumers by a seeded, heavy-tailed latency",
    exposes: "races between services; code that assumes a reply arrives before the next request",
  },
  {
    name: "kafka.consumer-crash-before-commit",
    component: "kafka",
    does: "a consuming service crashes after handling messages but before committing their offsets; the group redelivers them",
    exposes: "duplicate processing after redelivery (no idempotency on request ids or trade ids)",
  },
  {
    name: "kafka.rebalance-mid-batch",
    component: "kafka",
    does: "the group rebalances while a member is inside eachBatch; uncommitted messages go to the new owner",
    exposes: "duplicate processing; state kept per partition that does not follow the partition",
  },
  {
    name: "kafka.send-timeout-appended",
    component: "kafka",
    does: "a producer send times out although the broker appended the messages (unknown outcome)",
    exposes: "events dropped or counted as failed when they were in fact written",
  },
  {
    name: "kafka.send-retry-duplicate",
    component: "kafka",
    does: "the producer's retry of a timed-out send appends the messages a second time (non-idempotent producer)",
    exposes: "duplicate processing downstream; sequence numbers applied twice",
  },
  {
    name: "kafka.broker-unavailable",
    component: "kafka",
    does: "the broker refuses produce, fetch and commit requests for a while",
    exposes: "events dropped when a send fails, with the error only logged",
  },
  {
    name: "scylla.latency",
    component: "scylla",
    does: "delays each statement by a seeded latency",
    exposes: "reads racing writes; answers served before the write they depend on",
  },
  {
    name: "scylla.write-timeout",
    component: "scylla",
    does: "a write times out with an unknown outcome: applied or not, by the seed",
    exposes: "writes assumed lost (or assumed applied) after a timeout; non-idempotent retries",
  },
  {
    name: "scylla.lwt-retry-sees-own-row",
    component: "scylla",
    does: "a conditional write is applied but times out; its retry finds its own row ([applied] = false)",
    exposes: "treating one's own earlier write as a conflict, or a conflict as success",
  },
  {
    name: "scylla.batch-partial",
    component: "scylla",
    does: "the coordinator fails during an unlogged batch: some statements applied, the rest not, error returned",
    exposes: "multi-row updates assumed atomic without a logged batch",
  },
  {
    name: "process.crash",
    component: "process",
    does: "a service process (gateway, ubscore, matching, settlement) crashes at a scheduler step, losing its memory, and restarts later",
    exposes:
      "state kept only in memory; sequence numbers that restart from zero; work lost between a write and its commit",
  },
] as const satisfies readonly FaultKind[];

export type FaultName = (typeof FAULTS)[number]["name"];

export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((f) => f.name);

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** Per-fault rates: the probability that the fault fires at each opportunity it has. */
export type FaultRates = Record<FaultName, number>;

function rates(r: Partial<FaultRates>): FaultRates {
  const out = {} as FaultRates;
  for (const n of FAULT_NAMES) out[n] = r[n] ?? 0;
  return out;
}

export const PROFILES: Record<string, FaultRates> = {
  none: rates({}),
  default: rates({
    "kafka.latency": 1,
    "scylla.latency": 1,
    "kafka.consumer-crash-before-commit": 0.002,
    "kafka.send-timeout-appended": 0.002,
    "scylla.write-timeout": 0.002,
    "process.crash": 0.0002,
  }),
  all: rates({
    "kafka.latency": 1,
    "kafka.consumer-crash-before-commit": 0.01,
    "kafka.rebalance-mid-batch": 0.01,
    "kafka.send-timeout-appended": 0.01,
    "kafka.send-retry-duplicate": 0.5,
    "kafka.broker-unavailable": 0.002,
    "scylla.latency": 1,
    "scylla.write-timeout": 0.01,
    "scylla.lwt-retry-sees-own-row": 0.02,
    "scylla.batch-partial": 0.02,
    "process.crash": 0.0008,
  }),
};

export const PROFILE_NAMES = Object.keys(PROFILES);
