/**
 * The real-mode environment shared by runs: Kafka and Cassandra up (scripts/services), one
 * keyspace with the engine's schema, and the harness's own observer clients.
 *
 * Isolation: DDL is slow on Cassandra (creating the keyspace and its 7 tables takes 1–2 s,
 * dropping it 2–3 s; `TRUNCATE` of all 7 tables in parallel about 50 ms), so an environment
 * creates its keyspace once and truncates it before each run after the first. Topics are cheap
 * (creating the 6 topics takes about 0.3 s, deleting them less), so every run gets a fresh topic
 * namespace (`tsr.<time>.<random>.`, see engine/adapters/real/kafka.ts) and deletes it at the
 * end. Keyspaces are named `ts_<time>_<random>`; names older than STALE_MS left behind by killed
 * processes are dropped when an environment opens.
 */
import cassandra from "cassandra-driver";
import { Activity } from "../engine/adapters/real/activity.ts";
import { closeClient, trackClient } from "../engine/adapters/real/cassandra.ts";
import { kafkaLog, type RealLog } from "../engine/adapters/real/kafka.ts";
import { isRetriableStoreError } from "../engine/common/retry.ts";
import type { Logger } from "../engine/ports/index.ts";
import { ddlFor, TABLES } from "../engine/schema/cql.ts";
import { type ServiceEndpoints, servicesUp } from "../scripts/services/control.ts";

/** Namespaces older than this are considered left behind by a dead process. */
const STALE_MS = 6 * 3600_000;

export interface EnvOptions {
  /** Keyspace to use (created if missing, never dropped by close()); default: a fresh `ts_…` one, dropped on close(). */
  keyspace?: string;
  /** Progress lines (services starting, clean-up); default: none. */
  log?: (line: string) => void;
  /** Where the observers' kafkajs log lines go. */
  logger?: Logger;
}

/** A name fragment that sorts by creation time: base-36 seconds, then random. */
export function stampedId(): string {
  const t = Math.floor(Date.now() / 1000).toString(36);
  const r = Math.floor(Math.random() * 36 ** 5)
    .toString(36)
    .padStart(5, "0");
  return `${t}_${r}`;
}

function stampAge(id: string): number | null {
  const m = /^([0-9a-z]+)_/.exec(id);
  if (!m) return null;
  const t = Number.parseInt(m[1], 36) * 1000;
  return Number.isFinite(t) ? Date.now() - t : null;
}

let warningFilterInstalled = false;

/** kafkajs 2.2.4 on Node 24: one harmless TimeoutNegativeWarning per process; keep it off the output. */
export function filterKafkajsWarning(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  const previous = process.listeners("warning");
  process.removeAllListeners("warning");
  process.on("warning", (w) => {
    if (w.name === "TimeoutNegativeWarning") return;
    if (previous.length === 0) process.stderr.write(`${w.name}: ${w.message}\n`);
    for (const l of previous) l(w);
  });
}

export class RealEnv {
  readonly endpoints: ServiceEndpoints;
  readonly keyspace: string;
  /** The harness's own Cassandra session (truncate, snapshots). */
  readonly cql: cassandra.Client;
  /** Activity of every adapter of every run in this environment (quiescence). */
  readonly activity = new Activity();
  private readonly ownKeyspace: boolean;
  private runs = 0;
  private readonly log: (line: string) => void;
  private readonly logger: Logger | undefined;

  private constructor(
    endpoints: ServiceEndpoints,
    keyspace: string,
    own: boolean,
    log: (line: string) => void,
    logger?: Logger,
  ) {
    this.endpoints = endpoints;
    this.keyspace = keyspace;
    this.ownKeyspace = own;
    this.log = log;
    this.logger = logger;
    this.cql = trackClient(
      new cassandra.Client({
        contactPoints: endpoints.cassandra.contactPoints,
        localDataCenter: endpoints.cassandra.localDataCenter,
        protocolOptions: { maxVersion: 4 },
        encoding: { useBigIntAsLong: true, useBigIntAsVarint: true },
        socketOptions: { readTimeout: 60_000 },
        policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(500) },
      }),
    );
  }

  /**
   * Brings Kafka and Cassandra up (or reuses them: about 1 s; from nothing a minute or two, the
   * first time on a machine longer: Maven fetches the jars), then creates the keyspace. Fails
   * with the services scripts' message if Java 17 or Maven is missing.
   */
  static async open(opts: EnvOptions = {}): Promise<RealEnv> {
    filterKafkajsWarning();
    const log = opts.log ?? (() => {});
    const endpoints = await servicesUp({ log });
    const own = opts.keyspace === undefined;
    const env = new RealEnv(endpoints, opts.keyspace ?? `ts_${stampedId()}`, own, log, opts.logger);
    await env.cql.connect();
    await env.dropStale();
    for (const q of ddlFor(env.keyspace)) await env.cql.execute(q);
    return env;
  }

  /** A Kafka client of the harness (observer: it never dies) in the namespace `prefix`. */
  observer(prefix: string): RealLog {
    return kafkaLog({
      brokers: this.endpoints.kafka.brokers,
      clientId: "tradesim-observer",
      topicPrefix: prefix,
      logger: this.logger,
      logLevel: "error",
    });
  }

  /** Prepares the store for a new run: truncates every table except on the first run of a fresh keyspace. */
  async beginRun(): Promise<void> {
    if (this.runs++ > 0 || !this.ownKeyspace) await this.truncate();
  }

  /** Empties every table (retried while Cassandra is unreachable, e.g. just after a restart). */
  async truncate(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await Promise.all(
          Object.values(TABLES).map((t) => this.cql.execute(`TRUNCATE ${this.keyspace}.${t}`)),
        );
        return;
      } catch (err) {
        if (!isRetriableStoreError(err) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** A fresh topic namespace for one run. */
  newTopicPrefix(): string {
    return `tsr.${stampedId()}.`;
  }

  /** Deletes a run's topics and groups (best effort: a failure only leaves garbage behind). */
  async dropTopics(prefix: string, groups: string[]): Promise<void> {
    const obs = this.observer(prefix);
    const admin = obs.admin();
    try {
      await admin.connect();
      const topics = await admin.listTopics();
      if (topics.length > 0) await admin.deleteTopics(topics);
      await admin.deleteGroups(groups).catch(() => {});
    } catch (err) {
      this.log(`could not delete the topics of ${prefix}: ${(err as Error).message}`);
    } finally {
      await obs.close();
    }
  }

  async close(): Promise<void> {
    if (this.ownKeyspace) {
      await this.cql.execute(`DROP KEYSPACE IF EXISTS ${this.keyspace}`).catch((err: unknown) => {
        this.log(`could not drop ${this.keyspace}: ${(err as Error).message}`);
      });
    }
    await closeClient(this.cql);
  }

  /** Drops `ts_…` keyspaces and `tsr.…` topics that a dead process left behind (older than STALE_MS). */
  private async dropStale(): Promise<void> {
    const rs = await this.cql.execute("SELECT keyspace_name FROM system_schema.keyspaces");
    for (const row of rs.rows) {
      const name = String(row.keyspace_name);
      if (!name.startsWith("ts_")) continue;
      const age = stampAge(name.slice(3));
      if (age !== null && age > STALE_MS) {
        this.log(`dropping stale keyspace ${name}`);
        await this.cql.execute(`DROP KEYSPACE IF EXISTS ${name}`).catch(() => {});
      }
    }
    const obs = this.observer("");
    const admin = obs.admin();
    try {
      await admin.connect();
      const stale = (await admin.listTopics()).filter((t) => {
        const m = /^tsr\.([0-9a-z]+_[0-9a-z]+)\./.exec(t);
        if (!m) return false;
        const age = stampAge(m[1]);
        return age !== null && age > STALE_MS;
      });
      if (stale.length > 0) {
        this.log(`deleting ${stale.length} stale topics`);
        await admin.deleteTopics(stale);
      }
    } catch (err) {
      this.log(`could not list or delete stale topics: ${(err as Error).message}`);
    } finally {
      await obs.close();
    }
  }
}
