/**
 * What the Audit (invariants/auditor.ts) reads of a world, backed by the real one: `kafka` is the
 * harness's in-memory copy of the topics (mirror.ts), `scylla` a snapshot of the keyspace loaded
 * into the simulator's CQL engine (snapshot.ts), `live` the running service objects, `ask` a
 * signed HTTP request to the gateway. The Audit reads an `AuditedWorld` (invariants/types.ts),
 * which the simulator's `World` and this view both implement, so every invariant family runs
 * unchanged in real mode.
 */
import type { EngineConfig } from "../engine/config.ts";
import { TABLES } from "../engine/schema/cql.ts";
import type { AuditedWorld } from "../invariants/types.ts";
import type { SimScylla } from "../sim/scylla/index.ts";
import type { ClientAnswer, ClientRequest, Credentials } from "../sim/world/client.ts";
import type { RealClient } from "./client.ts";
import type { Live, RealExchange } from "./exchange.ts";
import type { KafkaMirror } from "./mirror.ts";
import type { StoreSnapshot } from "./snapshot.ts";

export class RealWorldView {
  readonly sched: { random: { seed: string }; step: number; now(): number; note(text: string): void };
  readonly config: EngineConfig;
  readonly kafka: KafkaMirror;
  /** The last notes (steps, violations), for diagnostics. */
  readonly notes: string[] = [];
  private readonly exchange: RealExchange;
  private readonly client: RealClient;
  private readonly snapshot: StoreSnapshot;

  constructor(
    seed: string,
    exchange: RealExchange,
    client: RealClient,
    mirror: KafkaMirror,
    snapshot: StoreSnapshot,
  ) {
    const notes = this.notes;
    const t0 = performance.now();
    this.sched = {
      random: { seed },
      step: 0,
      now: () => Math.round((performance.now() - t0) * 1000),
      note(text: string) {
        notes.push(text);
        if (notes.length > 500) notes.shift();
      },
    };
    this.config = exchange.config;
    this.exchange = exchange;
    this.client = client;
    this.kafka = mirror;
    this.snapshot = snapshot;
  }

  get scylla(): SimScylla {
    return this.snapshot.scylla;
  }

  get live(): Live {
    return this.exchange.live;
  }

  get credentials(): Map<number, Credentials> {
    return this.exchange.credentials;
  }

  ask(user: number, req: ClientRequest): Promise<ClientAnswer> {
    const creds = this.exchange.credentials.get(user);
    if (creds === undefined) throw new Error(`real mode: user ${user} has no API key`);
    return this.client.request(creds, req);
  }

  allUp(): boolean {
    return this.exchange.allUp();
  }

  /** Rows of settled_trades in the last snapshot (one per trade id: it is the primary key). */
  settledTradeCount(): number {
    return this.snapshot.rowCount(TABLES.trades);
  }

  /** The view as what the Audit and checkExpect read (checked by the compiler, no cast). */
  asWorld(): AuditedWorld {
    return this;
  }
}
