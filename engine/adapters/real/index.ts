/**
 * Real adapters: the engine's ports over kafkajs, cassandra-driver, the OS clock and node:crypto.
 * The only place in engine/ allowed to touch the network, real time and ambient randomness
 * (scripts/firewall.ts exempts this folder). `realPorts` assembles one service incarnation.
 */
import type { Logger, Ports } from "../../ports/index.ts";
import type { Activity } from "./activity.ts";
import {
  type CassandraStoreOptions,
  cassandraStore,
  type RealStore,
  type StoreFaultHooks,
} from "./cassandra.ts";
import { realClock } from "./clock.ts";
import { type KafkaFaultHooks, type KafkaLogOptions, kafkaLog, type RealLog } from "./kafka.ts";
import { Life } from "./life.ts";
import { realRandom } from "./random.ts";

export { Activity } from "./activity.ts";
export { cassandraStore, closeClient, RealStore, type StoreFaultHooks, trackClient } from "./cassandra.ts";
export { realClock } from "./clock.ts";
export {
  type KafkaFaultHooks,
  type KafkaLogOptions,
  kafkaLog,
  Namespace,
  RealAdmin,
  RealLog,
} from "./kafka.ts";
export { immortal, Life } from "./life.ts";
export { consoleLogger, LogCollector } from "./logger.ts";
export { realRandom } from "./random.ts";

export interface RealPortsOptions {
  /** Service name (client ids, the life's name). */
  name: string;
  brokers: string[];
  contactPoints: string[];
  localDataCenter?: string;
  topicPrefix?: string;
  logger: Logger;
  activity?: Activity;
  kafkaHooks?: KafkaFaultHooks;
  storeHooks?: StoreFaultHooks;
  kafka?: Partial<KafkaLogOptions>;
  store?: Partial<CassandraStoreOptions>;
  onConsumerFailure?: (groupId: string, error: Error) => void;
}

export interface RealIncarnation {
  life: Life;
  ports: Ports;
  log: RealLog;
  store: RealStore;
  /** Graceful stop of the clients (a crash is `life.kill()`). */
  close(): Promise<void>;
}

/** The ports of one incarnation of a service: its own Kafka client, Cassandra session, clock. */
export function realPorts(o: RealPortsOptions): RealIncarnation {
  const life = new Life(o.name);
  const log = kafkaLog({
    brokers: o.brokers,
    clientId: `tradesim-${o.name}`,
    topicPrefix: o.topicPrefix,
    logger: o.logger,
    life,
    activity: o.activity,
    hooks: o.kafkaHooks,
    onConsumerFailure: o.onConsumerFailure,
    ...o.kafka,
  });
  const store = cassandraStore({
    contactPoints: o.contactPoints,
    localDataCenter: o.localDataCenter,
    life,
    activity: o.activity,
    hooks: o.storeHooks,
    ...o.store,
  });
  return {
    life,
    log,
    store,
    ports: { clock: realClock(life), random: realRandom(), log, store, logger: o.logger },
    close: async () => {
      await log.close();
      await store.close().catch(() => {});
    },
  };
}
