/**
 * The real side: Apache Kafka and Apache Cassandra started (or reused) by scripts/services, reached
 * through the engine's real adapters (engine/adapters/real: `kafkaLog` over kafkajs,
 * `cassandraStore` over cassandra-driver), exactly as real mode reaches them.
 *
 * Isolation and clean-up: every run gets its own topic namespace `tsconf.<stamp>.` (the adapter
 * prefixes topics and groups, and strips the prefix from what it answers, so transcripts name
 * the cases' own topics) and its own keyspace `conformance_<stamp>`; `close()` deletes the
 * run's topics and groups and drops its keyspaces. Leftovers of killed runs older than six
 * hours are removed when a run opens. `<stamp>` is base-36 seconds then random, so concurrent
 * runs never share a name.
 */
import { cassandraStore, type RealStore } from "../engine/adapters/real/cassandra.ts";
import { kafkaLog, type RealLog } from "../engine/adapters/real/kafka.ts";
import { Life } from "../engine/adapters/real/life.ts";
import { filterKafkajsWarning } from "../real/env.ts";
import { type ServiceEndpoints, servicesUp } from "../scripts/services/control.ts";
import { type ConformanceCase, runCase } from "../test/sim-scylla/conformance.ts";
import { type LogCase, type LogEnv, LogTranscript } from "./cases/kafka.ts";
import { describe } from "./kafka/sim.ts";
import type { Outcome, Step } from "./types.ts";

const STALE_MS = 6 * 3600_000;
export const TOPIC_PREFIX_BASE = "tsconf.";
export const KEYSPACE_BASE = "conformance_";
/** Keyspaces a case creates next to the run's own (test/sim-scylla/cases.ts: "ddl: keyspaces"). */
const SIBLING_KEYSPACES = ["_k1", "_k2"];

/** Base-36 seconds, then 5 random base-36 digits: sorts by creation time, unique per run. */
export function stamp(): string {
  const t = Math.floor(Date.now() / 1000).toString(36);
  const r = Math.floor(Math.random() * 36 ** 5)
    .toString(36)
    .padStart(5, "0");
  return `${t}_${r}`;
}

function stale(id: string): boolean {
  const m = /^([0-9a-z]+)_[0-9a-z]{5}$/.exec(id);
  if (!m) return false;
  return Date.now() - Number.parseInt(m[1], 36) * 1000 > STALE_MS;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class RealKafkaSide {
  readonly prefix = `${TOPIC_PREFIX_BASE}${stamp()}.`;
  private readonly brokers: string[];
  private readonly names = new Set<string>();
  private readonly log: (line: string) => void;

  constructor(brokers: string[], log: (line: string) => void) {
    this.brokers = brokers;
    this.log = log;
  }

  private client(prefix: string, life?: Life): RealLog {
    return kafkaLog({ brokers: this.brokers, clientId: "tradesim-conformance", topicPrefix: prefix, life });
  }

  /** Deletes `tsconf.<stamp>.` topics older than six hours (left by killed runs). */
  async dropStale(): Promise<void> {
    const all = this.client("");
    try {
      const admin = all.admin();
      await admin.connect();
      const old = (await admin.listTopics()).filter((t) => {
        if (!t.startsWith(TOPIC_PREFIX_BASE)) return false;
        return stale(t.slice(TOPIC_PREFIX_BASE.length).split(".")[0]);
      });
      if (old.length > 0) {
        this.log(`deleting ${old.length} stale conformance topics`);
        await admin.deleteTopics(old);
      }
    } catch (e) {
      this.log(`could not delete stale conformance topics: ${describe(e)}`);
    } finally {
      await all.close();
    }
  }

  async run(c: LogCase, timeoutMs: number): Promise<Outcome> {
    const t0 = performance.now();
    const life = new Life(`conformance ${c.name}`);
    const log = this.client(this.prefix, life);
    const t = new LogTranscript();
    const env: LogEnv = {
      log,
      name: (base) => {
        this.names.add(base);
        return base;
      },
      sleep: (ms) => life.guard(() => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    };
    let failure: string | undefined;
    try {
      await withTimeout(c.run(env, t), timeoutMs, `case "${c.name}"`, () => life.kill());
    } catch (e) {
      failure = describe(e);
    } finally {
      if (!life.dead) await log.close();
    }
    return { steps: t.steps, failure, ms: Math.round(performance.now() - t0) };
  }

  /** Deletes this run's topics and consumer groups (best effort: a failure leaves garbage, no error). */
  async close(): Promise<void> {
    const mine = this.client(this.prefix);
    try {
      const admin = mine.admin();
      await admin.connect();
      const topics = await admin.listTopics();
      if (topics.length > 0) await admin.deleteTopics(topics);
      // every name a case asked for; those that are not groups answer an error, ignored
      await admin.deleteGroups([...this.names]).catch(() => {});
    } catch (e) {
      this.log(`could not delete the topics of ${this.prefix}: ${describe(e)}`);
    } finally {
      await mine.close();
    }
  }
}

export class RealScyllaSide {
  readonly keyspace = `${KEYSPACE_BASE}${stamp()}`;
  private readonly endpoints: ServiceEndpoints["cassandra"];
  private readonly admin: RealStore;
  private readonly log: (line: string) => void;

  constructor(endpoints: ServiceEndpoints["cassandra"], log: (line: string) => void) {
    this.endpoints = endpoints;
    this.log = log;
    this.admin = cassandraStore({ ...endpoints, readTimeout: 60_000 });
  }

  private store(): RealStore {
    return cassandraStore({ ...this.endpoints, readTimeout: 60_000 });
  }

  /** Connects, drops stale `conformance_<stamp>` keyspaces, creates this run's. */
  async open(): Promise<void> {
    await this.admin.connect();
    const rs = await this.admin.execute("SELECT keyspace_name FROM system_schema.keyspaces");
    for (const row of rs.rows) {
      const name = String(row.keyspace_name);
      const id = name.startsWith(KEYSPACE_BASE)
        ? name.slice(KEYSPACE_BASE.length).replace(/_k[12]$/, "")
        : "";
      if (id !== "" && stale(id)) {
        this.log(`dropping stale keyspace ${name}`);
        await this.admin.execute(`DROP KEYSPACE IF EXISTS ${name}`).catch(() => {});
      }
    }
    await this.admin.execute(
      `CREATE KEYSPACE ${this.keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
  }

  /** One case on its own session (a case may `USE` a keyspace). */
  async run(c: ConformanceCase, timeoutMs: number): Promise<Outcome> {
    const t0 = performance.now();
    const store = this.store();
    let steps: Step[] = [];
    let failure: string | undefined;
    try {
      await store.connect();
      steps = (await withTimeout(runCase(c, store, this.keyspace), timeoutMs, `case "${c.name}"`, () =>
        store.life.kill(),
      )) as Step[];
    } catch (e) {
      failure = describe(e);
    } finally {
      if (!store.life.dead) await store.shutdown().catch(() => {});
    }
    return { steps, failure, ms: Math.round(performance.now() - t0) };
  }

  /** Drops this run's keyspaces; waits up to two minutes for a Cassandra that went away (restarted by someone). */
  async close(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (const ks of [this.keyspace, ...SIBLING_KEYSPACES.map((s) => this.keyspace + s)]) {
      for (;;) {
        try {
          await this.admin.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
          break;
        } catch (e) {
          if ((e as Error).name !== "NoHostAvailableError" || Date.now() > deadline) {
            this.log(`could not drop ${ks}: ${describe(e)}`);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    }
    await this.admin.shutdown().catch(() => {});
  }
}

/** Brings the services up (or reuses them) for the suites asked for. */
export async function openReal(
  suites: Array<"kafka" | "scylla">,
  log: (line: string) => void,
): Promise<{ kafka?: RealKafkaSide; scylla?: RealScyllaSide; close(): Promise<void> }> {
  filterKafkajsWarning();
  const endpoints = await servicesUp({ log: (line) => log(`[services] ${line}`) });
  const kafka = suites.includes("kafka") ? new RealKafkaSide(endpoints.kafka.brokers, log) : undefined;
  const scylla = suites.includes("scylla") ? new RealScyllaSide(endpoints.cassandra, log) : undefined;
  await Promise.all([kafka?.dropStale(), scylla?.open()]);
  return {
    kafka,
    scylla,
    close: async () => {
      await Promise.all([kafka?.close(), scylla?.close()]);
    },
  };
}
