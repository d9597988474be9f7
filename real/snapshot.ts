/**
 * A snapshot of the run's keyspace, read from the real Cassandra with cassandra-driver and loaded
 * into a simulated Scylla (sim/scylla) used as an in-memory CQL engine. The invariants query the
 * store synchronously (`world.scylla.query(cql, params)`, `world.scylla.rows(ks, table)`); at
 * quiescence nothing changes, so they run unchanged on the snapshot, with the simulator's CQL
 * evaluator (which the conformance tests hold to Cassandra's answers) over the real rows.
 */
import type cassandra from "cassandra-driver";
import { isRetriableStoreError } from "../engine/common/retry.ts";
import { ddlFor, TABLES } from "../engine/schema/cql.ts";
import { PROFILES } from "../sim/faults/catalog.ts";
import { FaultInjector } from "../sim/faults/injector.ts";
import { Scheduler } from "../sim/kernel/scheduler.ts";
import { SimScylla } from "../sim/scylla/index.ts";

/** Tables copied (the API keys hold secrets and matter to no invariant). */
const COPIED = Object.values(TABLES).filter((t) => t !== TABLES.apiKeys);

export class StoreSnapshot {
  private readonly cql: cassandra.Client;
  private readonly keyspace: string;
  private db: SimScylla;
  /** Rows per table in the last refresh. */
  counts: Record<string, number> = {};
  /** Duration of the last refresh (ms). */
  lastMs = 0;

  constructor(cql: cassandra.Client, keyspace: string) {
    this.cql = cql;
    this.keyspace = keyspace;
    this.db = StoreSnapshot.empty(keyspace);
  }

  private static empty(keyspace: string): SimScylla {
    const sched = new Scheduler({ seed: "real-snapshot" });
    const db = new SimScylla(sched, new FaultInjector(sched, PROFILES.none));
    for (const q of ddlFor(keyspace)) db.query(q);
    return db;
  }

  /** The current snapshot (replaced by every refresh). */
  get scylla(): SimScylla {
    return this.db;
  }

  /**
   * Reads every row of every copied table again. Retries while Cassandra is unreachable (say,
   * right after it restarted, before this session reconnected), for up to `patienceMs`.
   */
  async refresh(patienceMs = 120_000): Promise<void> {
    const deadline = Date.now() + patienceMs;
    for (;;) {
      try {
        await this.load();
        return;
      } catch (err) {
        if (!isRetriableStoreError(err) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private async load(): Promise<void> {
    const t0 = Date.now();
    const db = StoreSnapshot.empty(this.keyspace);
    const counts: Record<string, number> = {};
    await Promise.all(
      COPIED.map(async (table) => {
        let n = 0;
        const stream = this.cql.stream(`SELECT * FROM ${this.keyspace}.${table}`, [], {
          prepare: false,
          fetchSize: 5000,
          autoPage: true,
        });
        for await (const row of stream as unknown as AsyncIterable<Record<string, unknown>>) {
          const cols: string[] = [];
          const vals: unknown[] = [];
          for (const k of Object.keys(row)) {
            const v = row[k];
            if (v === null || v === undefined) continue;
            cols.push(k);
            vals.push(v);
          }
          db.query(
            `INSERT INTO ${this.keyspace}.${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
            vals,
          );
          n++;
        }
        counts[table] = n;
      }),
    );
    this.db = db;
    this.counts = counts;
    this.lastMs = Date.now() - t0;
  }

  rowCount(table: string): number {
    return this.counts[table] ?? 0;
  }
}
