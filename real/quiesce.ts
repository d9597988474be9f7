/**
 * When is the real pipeline quiet? Real mode runs in lock-step (apply a step, wait for quiet,
 * check), so this rule decides what "after the step" means. The pipeline is QUIET when, at two
 * observations at least `settleMs` apart with nothing changed in between:
 *
 *  1. every service that should be up runs (backends past recovery and consuming, the gateway
 *     listening), and no restart is pending;
 *  2. no client request is in flight (the harness is the only client);
 *  3. nothing handed to kafkajs or cassandra-driver is unsettled: no produce request, no CQL
 *     statement, no offset commit, of any incarnation, dead ones included (a crashed service's
 *     last write may still land);
 *  4. every engine consumer group (ubscore, matching-engine, settlement) whose service is up has
 *     lag 0 on every partition of every topic it subscribes to, where the group's position on a
 *     partition is the larger of its committed offset (admin fetchOffsets) and the offset its live
 *     incarnation's handlers have finished (a commit is best effort and may fail, e.g. across a
 *     broker restart; the work is done either way);
 *  5. "nothing changed" = the high watermarks of every topic, the count of completed client
 *     requests and the count of completed adapter operations are the same at both observations,
 *     so nothing new reached Kafka or the store during the settle window.
 *
 * Condition 4 with 1 and 3 means every message in every topic has been handled by every service
 * that consumes it and every write this caused is acknowledged. The groups of services that are
 * down on purpose (a `crash` step without its `restart` yet) are not waited for.
 */
import type { Activity } from "../engine/adapters/real/activity.ts";
import type { RealAdmin } from "../engine/adapters/real/kafka.ts";
import { GROUPS, TOPIC_SPECS } from "../engine/protocol/topics.ts";
import type { RealClient } from "./client.ts";
import type { BackendName, RealExchange } from "./exchange.ts";

export interface QuietOptions {
  /** Give up (not quiet) after this long. */
  timeoutMs?: number;
  /** How long nothing may change (ms). */
  settleMs?: number;
  /** Pause between observations (ms). */
  pollMs?: number;
}

export interface Observation {
  /** Reasons the pipeline is not quiet (empty = conditions 1–4 hold). */
  pending: string[];
  /** High watermark per topic, by partition. */
  ends: Map<string, bigint[]>;
  /** Changes whenever anything moves (condition 5). */
  stamp: string;
}

export interface QuietReport {
  quiet: boolean;
  /** Time spent waiting. */
  ms: number;
  polls: number;
  ends: Map<string, bigint[]>;
  /** What was still pending when the wait gave up. */
  pending: string[];
}

const ENGINE_GROUPS: ReadonlySet<string> = new Set(Object.values(GROUPS));
const BACKENDS: readonly BackendName[] = ["ubscore", "matching", "settlement"];

export class Quiescence {
  private readonly exchange: RealExchange;
  private readonly admin: RealAdmin;
  private readonly client: RealClient;
  private readonly activity: Activity;

  constructor(exchange: RealExchange, admin: RealAdmin, client: RealClient, activity: Activity) {
    this.exchange = exchange;
    this.admin = admin;
    this.client = client;
    this.activity = activity;
  }

  async observe(): Promise<Observation> {
    const pending: string[] = [];
    const x = this.exchange;
    if (!x.ready()) {
      const starting = x.notReady();
      pending.push(starting.length > 0 ? `not running yet: ${starting.join(", ")}` : "a restart is pending");
    }
    if (this.client.inFlight > 0) pending.push(`${this.client.inFlight} client request(s) in flight`);
    if (this.activity.busy()) {
      const f = this.activity.inFlight;
      pending.push(`in flight: ${f.send} send(s), ${f.statement} statement(s), ${f.commit} commit(s)`);
    }
    const ends = new Map<string, bigint[]>();
    await Promise.all(
      TOPIC_SPECS.map(async ({ topic }) => {
        const hw: bigint[] = [];
        for (const p of await this.admin.fetchTopicOffsets(topic))
          hw[p.partition] = BigInt(p.high ?? p.offset);
        ends.set(topic, hw);
      }),
    );
    await Promise.all(
      BACKENDS.map(async (name) => {
        const inc = x.incarnations[name];
        if (inc === null || !x.running(name)) return;
        for (const sub of inc.log.subscriptions()) {
          if (!ENGINE_GROUPS.has(sub.groupId)) continue; // recovery readers, not the service's group
          const committed = await this.admin.fetchOffsets({ groupId: sub.groupId, topics: sub.topics });
          const handled = inc.log.handled(sub.groupId);
          for (const t of committed) {
            const hw = ends.get(t.topic) ?? [];
            for (const p of t.partitions) {
              const c = BigInt(p.offset);
              const h = handled.get(`${t.topic}:${p.partition}`) ?? -1n;
              const pos = c > h ? c : h;
              const lag = (hw[p.partition] ?? 0n) - (pos < 0n ? 0n : pos);
              if (lag > 0n) pending.push(`${sub.groupId} lags ${lag} on ${t.topic}/${p.partition}`);
            }
          }
        }
      }),
    );
    const stamp = `${[...ends].map(([t, hw]) => `${t}=${hw.join(",")}`).join(";")}|${this.activity.stamp()}|${this.client.completed}`;
    return { pending, ends, stamp };
  }

  /** Waits until the pipeline is quiet (see the module comment) or `timeoutMs` passed. */
  async wait(opts: QuietOptions = {}): Promise<QuietReport> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const settleMs = opts.settleMs ?? 100;
    const pollMs = opts.pollMs ?? 15;
    const t0 = Date.now();
    let polls = 0;
    let since: { stamp: string; at: number } | null = null;
    let last: Observation = { pending: ["not observed yet"], ends: new Map(), stamp: "" };
    for (;;) {
      polls++;
      try {
        last = await this.observe();
      } catch (err) {
        // The broker may be restarting: not quiet, try again.
        last = { pending: [`cannot observe Kafka: ${(err as Error).message}`], ends: last.ends, stamp: "" };
      }
      const now = Date.now();
      if (last.pending.length === 0) {
        if (since !== null && since.stamp === last.stamp) {
          if (now - since.at >= settleMs)
            return { quiet: true, ms: now - t0, polls, ends: last.ends, pending: [] };
        } else {
          since = { stamp: last.stamp, at: now };
        }
      } else {
        since = null;
      }
      if (now - t0 > timeoutMs)
        return { quiet: false, ms: now - t0, polls, ends: last.ends, pending: last.pending };
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
