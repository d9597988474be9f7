/**
 * The auditor (after TigerBeetle's): watches the simulated world and runs every invariant
 * family. After each scheduler step it polls what the services appended to Kafka in that step,
 * feeds the reference model, and runs the safety checks; at quiescence it runs the quiescent
 * checks. Violations are collected with the invariant, step, seed and disagreeing values.
 */
import { SYMBOLS } from "../engine/domain/symbols.ts";
import {
  type BalanceEvent,
  decodeBalanceEvent,
  decodeEngineOutput,
  decodeResult,
  decodeValidatedOrder,
  type EngineOutput,
  type OpResult,
  type ValidatedOrder,
} from "../engine/protocol/messages.ts";
import { TOPICS } from "../engine/protocol/topics.ts";
import { Coverage } from "./coverage.ts";
import { type FeedRecord, TopicFeed } from "./feed.ts";
import { type FeeTable, ReferenceModel } from "./model.ts";
import type { AuditedWorld, Invariant, Violation } from "./types.ts";

export interface StepFeed {
  balanceEvents: Array<FeedRecord<BalanceEvent>>;
  validated: Array<FeedRecord<ValidatedOrder>>;
  outputs: Array<FeedRecord<EngineOutput>>;
  results: Array<FeedRecord<OpResult>>;
}

const EMPTY_FEED = Object.freeze({
  balanceEvents: Object.freeze([]),
  validated: Object.freeze([]),
  outputs: Object.freeze([]),
  results: Object.freeze([]),
}) as unknown as StepFeed;

export class Audit {
  readonly world: AuditedWorld;
  readonly model: ReferenceModel;
  readonly seed: string;
  readonly violations: Violation[] = [];
  /** The records appended in the current step (empty arrays between steps). */
  feed: StepFeed = { balanceEvents: [], validated: [], outputs: [], results: [] };
  /** Scenario op index currently executing. */
  op = 0;
  checks = 0;
  readonly coverage = new Coverage();
  /** Stop collecting after this many (a broken run would otherwise report the same thing forever). */
  maxViolations = 20;
  private readonly invariants: readonly Invariant[];
  private readonly feeds: {
    balanceEvents: TopicFeed<BalanceEvent>;
    validated: TopicFeed<ValidatedOrder>;
    outputs: TopicFeed<EngineOutput>;
    results: TopicFeed<OpResult>;
  };
  private malformedReported = 0;
  /** The broker's append count at the last poll: most steps append nothing, and skip the poll. */
  private appendedSeen = -1;

  constructor(world: AuditedWorld, invariants: readonly Invariant[]) {
    this.world = world;
    this.invariants = invariants;
    this.seed = world.sched.random.seed;
    const fees: FeeTable = {};
    for (const s of SYMBOLS) fees[s.id] = world.config.fees[s.name];
    this.model = new ReferenceModel(fees);
    const k = world.kafka;
    this.feeds = {
      balanceEvents: new TopicFeed(k, TOPICS.balanceEvents, decodeBalanceEvent),
      validated: new TopicFeed(k, TOPICS.validatedOrders, decodeValidatedOrder),
      outputs: new TopicFeed(k, TOPICS.engineOutputs, decodeEngineOutput),
      results: new TopicFeed(k, TOPICS.results, decodeResult),
    };
  }

  get step(): number {
    return this.world.sched.step;
  }

  get full(): boolean {
    return this.violations.length >= this.maxViolations;
  }

  report(invariant: string, message: string, values: Record<string, unknown> = {}): void {
    if (this.full) return;
    const v: Record<string, string> = {};
    for (const [key, x] of Object.entries(values)) v[key] = typeof x === "string" ? x : stringify(x);
    this.violations.push({ invariant, step: this.step, op: this.op, seed: this.seed, message, values: v });
    this.world.sched.note(`violation ${invariant}: ${message}`);
  }

  /** After every scheduler step. */
  afterStep(): void {
    const appended = this.world.kafka.appended;
    if (appended === this.appendedSeen) {
      // Nothing new in any log: the feeds are empty (the invariants still run, on the state).
      this.feed = EMPTY_FEED;
    } else {
      this.appendedSeen = appended;
      const f = this.feeds;
      this.feed = {
        balanceEvents: f.balanceEvents.poll(),
        validated: f.validated.poll(),
        outputs: f.outputs.poll(),
        results: f.results.poll(),
      };
      for (const r of this.feed.results) this.model.onResult(r.msg);
      for (const r of this.feed.validated) this.model.onValidated(r.msg);
      for (const r of this.feed.outputs) this.model.onEngineOutput(r.msg);
      this.coverage.observe(this.feed);
      this.checkMalformed();
    }
    for (const inv of this.invariants) {
      if (inv.step) {
        inv.step(this);
        this.checks++;
      }
    }
  }

  async atQuiescence(): Promise<void> {
    for (const inv of this.invariants) {
      if (inv.quiescent) {
        await inv.quiescent(this);
        this.checks++;
      }
    }
  }

  async atEnd(): Promise<void> {
    for (const inv of this.invariants) {
      if (inv.final) {
        await inv.final(this);
        this.checks++;
      }
    }
  }

  private checkMalformed(): void {
    let n = 0;
    for (const f of Object.values(this.feeds)) n += f.malformed.length;
    if (n === this.malformedReported) return;
    const all = Object.values(this.feeds).flatMap((f) => f.malformed.map((m) => ({ topic: f.topic, ...m })));
    for (let i = this.malformedReported; i < all.length; i++) {
      const m = all[i];
      this.report(
        "messages-well-formed",
        `${m.topic}/${m.partition}@${m.offset} does not decode: ${m.error}`,
      );
    }
    this.malformedReported = all.length;
  }
}

export function stringify(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? String(x);
}
