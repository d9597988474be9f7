/**
 * What every gateway module works with: the ports, the config, and the few in-memory helpers an
 * instance keeps (a cache of API keys, the producer and its coalescing sender, the verdict feed).
 * None of it is state that matters: the gateway is stateless and may crash at any point; a new
 * instance starts from nothing.
 */
import type { EngineConfig } from "../config.ts";
import type { Ports, Producer } from "../ports/index.ts";
import { TOPICS } from "../protocol/topics.ts";
import type { TABLES } from "../schema/cql.ts";
import { CoalescingSender } from "./coalesce.ts";
import { VerdictFeed } from "./verdict-feed.ts";

export interface ApiKeyRecord {
  key: string;
  user_id: number;
  secret: string;
}

export interface GatewayContext {
  ports: Ports;
  config: EngineConfig;
  /** A cache of `api_keys` rows (only found keys; a key provisioned later is found on first use). */
  keyCache: Map<string, ApiKeyRecord>;
  /** The producer, connected once on first use. */
  producer: () => Promise<Producer>;
  /** Sends to `balance.operations`, coalescing concurrent requests into one send (coalesce.ts). */
  operations: CoalescingSender;
  /** Published verdicts pushed to the requests waiting for them (verdict-feed.ts). */
  verdicts: VerdictFeed;
}

/** `keyspace.table`, with the keyspace from the config (never a hard-coded one). */
export function table(config: EngineConfig, name: (typeof TABLES)[keyof typeof TABLES]): string {
  return `${config.keyspace}.${name}`;
}

export function createContext(ports: Ports, config: EngineConfig): GatewayContext {
  let connected: Promise<Producer> | null = null;
  const producer = (): Promise<Producer> => {
    if (connected === null) {
      const p = ports.log.producer({ idempotent: true });
      connected = p.connect().then(
        () => p,
        (err: unknown) => {
          connected = null; // try again on the next use
          throw err;
        },
      );
    }
    return connected;
  };
  return {
    ports,
    config,
    keyCache: new Map(),
    producer,
    operations: new CoalescingSender(TOPICS.operations, producer),
    verdicts: new VerdictFeed(ports),
  };
}
