/**
 * Kafka topics of the exchange (DOMAIN.md), plus the ones the services need to resume after a
 * crash. Every keyed topic has the same partition count, so a symbol's `validated_orders`
 * partition and its `engine.outputs` partition have the same number.
 */
export const TOPICS = {
  /** Gateway → UBSCore: deposit, withdraw, place, cancel; key = user_id. */
  operations: "balance.operations",
  /** UBSCore → ME: accepted orders and cancels; key = symbol. */
  validatedOrders: "validated_orders",
  /** ME → UBSCore, Settlement: fills and order updates with output_seq; key = symbol. */
  engineOutputs: "engine.outputs",
  /** UBSCore → Settlement: one event per balance change; key = user_id. */
  balanceEvents: "balance.events",
  /** UBSCore → Settlement: the verdict on each request (accepted / rejected); key = user_id. */
  results: "ubscore.results",
  /** UBSCore's own journal: the order in which it applied its inputs; one partition. */
  ubscoreJournal: "ubscore.journal",
  /** UBSCore's recovery snapshots (chunks + manifest, engine/common/snapshots.ts); one partition. */
  ubscoreSnapshots: "ubscore.snapshots",
  /** The matching engine's recovery snapshots; one partition. */
  meSnapshots: "me.snapshots",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const KEYED_PARTITIONS = 4;

export const TOPIC_SPECS: ReadonlyArray<{ topic: TopicName; numPartitions: number }> = [
  { topic: TOPICS.operations, numPartitions: KEYED_PARTITIONS },
  { topic: TOPICS.validatedOrders, numPartitions: KEYED_PARTITIONS },
  { topic: TOPICS.engineOutputs, numPartitions: KEYED_PARTITIONS },
  { topic: TOPICS.balanceEvents, numPartitions: KEYED_PARTITIONS },
  { topic: TOPICS.results, numPartitions: KEYED_PARTITIONS },
  { topic: TOPICS.ubscoreJournal, numPartitions: 1 },
  { topic: TOPICS.ubscoreSnapshots, numPartitions: 1 },
  { topic: TOPICS.meSnapshots, numPartitions: 1 },
];

/** Consumer groups, one per consuming service. */
export const GROUPS = {
  ubscore: "ubscore",
  matching: "matching-engine",
  settlement: "settlement",
} as const;
