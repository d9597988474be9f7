/**
 * The group coordinator: consumer groups with members, generations, an eager rebalance protocol
 * and committed offsets, after Kafka's classic GroupCoordinator (as kafkajs 2.2.4 talks to it).
 *
 * - A join, a leave, a session expiry or an eviction starts a rebalance (PreparingRebalance):
 *   every member must rejoin; members learn it from a heartbeat (REBALANCE_IN_PROGRESS). The
 *   rebalance completes when all members have rejoined, or after the rebalance timeout, evicting
 *   those that did not. Completion bumps the generation and hands every member its partitions,
 *   computed like kafkajs's default RoundRobinAssigner (members sorted by id, the leader's topics'
 *   partitions dealt in turn). Join/sync are one step here (no CompletingRebalance window).
 * - Offset commits are checked like Kafka's: unknown member -> UNKNOWN_MEMBER_ID, stale
 *   generation -> ILLEGAL_GENERATION; a commit with the current generation is accepted also while
 *   the group is preparing a rebalance (that is how kafkajs commits before rejoining). Kafka does
 *   not check that the committer owns the partition, nor does this.
 * - Sessions: kafkajs has no background heartbeat thread; a member heartbeats from its fetch loop.
 *   The simulator treats a member waiting in its fetch loop as heartbeating (no events while
 *   idle), and arms a session timer only while the member is inside eachBatch/eachMessage, or after
 *   its process crashed: a member that spends longer than its session timeout in a handler without
 *   calling heartbeat() (or committing) is expired and its partitions move, exactly the zombie
 *   situation a real kafkajs consumer gets into.
 */
import type { QueuedEvent } from "../kernel/event-queue.ts";
import type { Rng } from "../kernel/random.ts";
import type { Scheduler } from "../kernel/scheduler.ts";
import type { Broker } from "./broker.ts";
import { KafkaJSProtocolError } from "./errors.ts";

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** The member side, as the coordinator sees it. */
export interface MemberHandle {
  readonly clientId: string;
  /** False once the member's process has crashed. */
  alive(): boolean;
  /** The coordinator has news for the member (rebalance, eviction): its next poll reveals it. */
  notify(): void;
}

export interface JoinResult {
  memberId: string;
  generationId: number;
  leaderId: string;
  assignment: TopicPartitions[];
}

export interface JoinRequest {
  groupId: string;
  /** Null for a new member. An unknown id also joins as a new member. */
  memberId: string | null;
  handle: MemberHandle;
  topics: string[];
  sessionTimeoutUs: number;
  rebalanceTimeoutUs: number;
  reply: (r: JoinResult) => void;
}

export type GroupState = "Empty" | "PreparingRebalance" | "Stable";

interface Member {
  memberId: string;
  handle: MemberHandle;
  topics: string[];
  sessionTimeoutUs: number;
  rebalanceTimeoutUs: number;
  /** Rejoined during the current PreparingRebalance. */
  joined: boolean;
  reply: ((r: JoinResult) => void) | null;
  assignment: TopicPartitions[];
  lastSeenUs: number;
  busy: number;
  crashed: boolean;
  sessionTimer: QueuedEvent | null;
}

class Group {
  readonly groupId: string;
  state: GroupState = "Empty";
  generationId = 0;
  leaderId: string | null = null;
  members: Member[] = [];
  /** Committed offsets by "topic\0partition", in first-commit order. */
  readonly committed = new Map<string, { topic: string; partition: number; offset: number }>();
  rebalanceTimer: QueuedEvent | null = null;
  rebalances = 0;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  find(memberId: string | null): Member | undefined {
    if (memberId === null) return undefined;
    for (const m of this.members) if (m.memberId === memberId) return m;
    return undefined;
  }
}

export interface GroupStats {
  rebalances: number;
  joins: number;
  leaves: number;
  sessionExpirations: number;
  evictions: number;
  commits: number;
  commitsRejected: number;
}

export interface MemberDescription {
  memberId: string;
  clientId: string;
  alive: boolean;
  assignment: TopicPartitions[];
}

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  generationId: number;
  leaderId: string | null;
  members: MemberDescription[];
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class GroupCoordinator {
  private readonly sched: Scheduler;
  private readonly broker: Broker;
  private readonly idRng: Rng;
  readonly groups = new Map<string, Group>();
  readonly stats: GroupStats = {
    rebalances: 0,
    joins: 0,
    leaves: 0,
    sessionExpirations: 0,
    evictions: 0,
    commits: 0,
    commitsRejected: 0,
  };

  constructor(sched: Scheduler, broker: Broker) {
    this.sched = sched;
    this.broker = broker;
    this.idRng = sched.rng("kafka/member-ids");
  }

  private group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = new Group(groupId);
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** kafkajs member ids are `${clientId}-${uuid}`; the uuid here is drawn from a seeded stream. */
  private newMemberId(clientId: string): string {
    let hex = "";
    for (let i = 0; i < 8; i++) hex += this.idRng.int(0x10000).toString(16).padStart(4, "0");
    return `${clientId}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // ---- membership and rebalances -------------------------------------------------------------

  join(req: JoinRequest): void {
    const g = this.group(req.groupId);
    let m = g.find(req.memberId);
    if (m === undefined) {
      m = {
        memberId: this.newMemberId(req.handle.clientId),
        handle: req.handle,
        topics: req.topics,
        sessionTimeoutUs: req.sessionTimeoutUs,
        rebalanceTimeoutUs: req.rebalanceTimeoutUs,
        joined: false,
        reply: null,
        assignment: [],
        lastSeenUs: this.sched.now(),
        busy: 0,
        crashed: false,
        sessionTimer: null,
      };
      g.members.push(m);
      this.stats.joins++;
      this.sched.note(`kafka group ${g.groupId}: ${m.memberId} joins`);
    }
    m.handle = req.handle;
    m.topics = req.topics;
    m.reply = req.reply;
    m.lastSeenUs = this.sched.now();
    if (g.state !== "PreparingRebalance") this.beginRebalance(g);
    m.joined = true;
    this.notifyPending(g);
    this.maybeComplete(g);
  }

  /** A member leaves (consumer.stop / disconnect). */
  leave(groupId: string, memberId: string): void {
    const g = this.groups.get(groupId);
    const m = g?.find(memberId);
    if (g === undefined || m === undefined) return;
    this.stats.leaves++;
    this.remove(g, m, "leaves");
  }

  /** Evicts a member as if its session had expired mid-batch (fault kafka.rebalance-mid-batch). */
  evict(groupId: string, memberId: string, why: string): boolean {
    const g = this.groups.get(groupId);
    const m = g?.find(memberId);
    if (g === undefined || m === undefined) return false;
    this.stats.evictions++;
    this.remove(g, m, why);
    m.handle.notify();
    return true;
  }

  /** The member's process crashed: its session expires after the session timeout. */
  processDied(groupId: string, handle: MemberHandle): void {
    const g = this.groups.get(groupId);
    if (g === undefined) return;
    for (const m of g.members) {
      if (m.handle !== handle || m.crashed) continue;
      m.crashed = true;
      m.busy = 0;
      m.lastSeenUs = this.sched.now();
      this.armSession(g, m);
    }
  }

  private remove(g: Group, m: Member, why: string): void {
    const i = g.members.indexOf(m);
    if (i < 0) return;
    g.members.splice(i, 1);
    if (m.sessionTimer !== null) this.sched.cancel(m.sessionTimer);
    m.sessionTimer = null;
    m.reply = null;
    this.sched.note(`kafka group ${g.groupId}: ${m.memberId} ${why}`);
    if (g.state !== "PreparingRebalance") this.beginRebalance(g);
    this.notifyPending(g);
    this.maybeComplete(g);
  }

  private beginRebalance(g: Group): void {
    g.state = "PreparingRebalance";
    for (const m of g.members) m.joined = false;
    let timeout = 0;
    for (const m of g.members) timeout = Math.max(timeout, m.rebalanceTimeoutUs);
    if (g.rebalanceTimer !== null) this.sched.cancel(g.rebalanceTimer);
    g.rebalanceTimer = null;
    if (g.members.length > 0) {
      g.rebalanceTimer = this.sched.after(timeout, "kafka.rebalance-timeout", () => {
        g.rebalanceTimer = null;
        if (g.state === "PreparingRebalance") this.complete(g);
      });
    }
  }

  private notifyPending(g: Group): void {
    for (const m of g.members) if (!m.joined && !m.crashed) m.handle.notify();
  }

  private maybeComplete(g: Group): void {
    if (g.state !== "PreparingRebalance") return;
    for (const m of g.members) if (!m.joined) return;
    this.complete(g);
  }

  private complete(g: Group): void {
    if (g.rebalanceTimer !== null) this.sched.cancel(g.rebalanceTimer);
    g.rebalanceTimer = null;
    const late = g.members.filter((m) => !m.joined);
    for (const m of late) {
      g.members.splice(g.members.indexOf(m), 1);
      if (m.sessionTimer !== null) this.sched.cancel(m.sessionTimer);
      m.sessionTimer = null;
      this.stats.evictions++;
      this.sched.note(`kafka group ${g.groupId}: ${m.memberId} missed the rebalance`);
      m.handle.notify();
    }
    g.generationId++;
    g.rebalances++;
    this.stats.rebalances++;
    if (g.members.length === 0) {
      g.state = "Empty";
      g.leaderId = null;
      this.sched.note(`kafka group ${g.groupId}: generation ${g.generationId}, empty`);
      return;
    }
    g.state = "Stable";
    if (g.find(g.leaderId) === undefined) g.leaderId = g.members[0].memberId;
    const leader = g.find(g.leaderId)!;
    const leaderId = leader.memberId;
    const byMember = this.roundRobin(g.members, leader.topics);
    for (const m of g.members) {
      const own = byMember.get(m.memberId) ?? [];
      // kafkajs drops assigned topics the member does not subscribe to.
      m.assignment = own.filter((t) => m.topics.includes(t.topic));
    }
    this.sched.note(
      `kafka group ${g.groupId}: generation ${g.generationId}, ${g.members
        .map(
          (m) =>
            `${m.memberId}=[${m.assignment.map((t) => `${t.topic}:${t.partitions.join(",")}`).join(" ")}]`,
        )
        .join(" ")}`,
    );
    for (const m of g.members) {
      const reply = m.reply;
      m.reply = null;
      if (reply === null) continue;
      if (!m.handle.alive()) {
        // The member's process died while waiting to join: it will time out.
        if (!m.crashed) {
          m.crashed = true;
          this.armSession(g, m);
        }
        continue;
      }
      reply({
        memberId: m.memberId,
        generationId: g.generationId,
        leaderId,
        assignment: m.assignment.map((t) => ({ topic: t.topic, partitions: t.partitions.slice() })),
      });
    }
  }

  /** kafkajs's RoundRobinAssigner: sorted member ids, the leader's topics' partitions in turn. */
  private roundRobin(members: Member[], topics: string[]): Map<string, TopicPartitions[]> {
    const sorted = members.map((m) => m.memberId).sort();
    const out = new Map<string, TopicPartitions[]>();
    let i = 0;
    for (const topic of topics) {
      const t = this.broker.topic(topic);
      if (t === undefined) continue;
      for (let p = 0; p < t.partitions.length; p++, i++) {
        const assignee = sorted[i % sorted.length];
        let list = out.get(assignee);
        if (list === undefined) {
          list = [];
          out.set(assignee, list);
        }
        let entry = list.find((e) => e.topic === topic);
        if (entry === undefined) {
          entry = { topic, partitions: [] };
          list.push(entry);
        }
        entry.partitions.push(p);
      }
    }
    return out;
  }

  // ---- sessions ------------------------------------------------------------------------------

  private armSession(g: Group, m: Member): void {
    if (m.sessionTimer !== null) return;
    const due = m.lastSeenUs + m.sessionTimeoutUs;
    m.sessionTimer = this.sched.at(due, "kafka.session", () => {
      m.sessionTimer = null;
      if (g.find(m.memberId) !== m) return;
      // Between handlers the member is back in its fetch loop, heartbeating: nothing to check.
      if (!m.crashed && m.busy === 0) return;
      if (this.sched.now() >= m.lastSeenUs + m.sessionTimeoutUs) {
        this.stats.sessionExpirations++;
        this.remove(g, m, "session expired");
        m.handle.notify();
      } else {
        this.armSession(g, m);
      }
    });
  }

  /** The member starts handling a fetched batch set: its heartbeats stop until it returns. */
  enterHandler(groupId: string, memberId: string | null): void {
    const g = this.groups.get(groupId);
    const m = g?.find(memberId);
    if (g === undefined || m === undefined || m.crashed) return;
    if (m.busy++ === 0) {
      m.lastSeenUs = Math.max(m.lastSeenUs, this.sched.now());
      this.armSession(g, m);
    }
  }

  /**
   * The member is back in its fetch loop. Its session timer stays armed across back-to-back
   * batches (one timer, not one per batch) and is cancelled when the member goes idle.
   */
  exitHandler(groupId: string, memberId: string | null): void {
    const g = this.groups.get(groupId);
    const m = g?.find(memberId);
    if (g === undefined || m === undefined || m.crashed || m.busy === 0) return;
    if (--m.busy === 0) m.lastSeenUs = this.sched.now();
  }

  /** The member parked in a long poll: no session timer while it waits (it heartbeats). */
  idle(groupId: string, memberId: string | null): void {
    const g = this.groups.get(groupId);
    const m = g?.find(memberId);
    if (g === undefined || m === undefined || m.crashed || m.busy > 0 || m.sessionTimer === null) return;
    this.sched.cancel(m.sessionTimer);
    m.sessionTimer = null;
  }

  // ---- requests ------------------------------------------------------------------------------

  heartbeat(groupId: string, memberId: string | null, generationId: number): void {
    const g = this.groups.get(groupId);
    const m = g?.find(memberId);
    if (g === undefined || m === undefined) throw new KafkaJSProtocolError("UNKNOWN_MEMBER_ID");
    m.lastSeenUs = this.sched.now();
    if (generationId !== g.generationId) throw new KafkaJSProtocolError("ILLEGAL_GENERATION");
    if (g.state === "PreparingRebalance") throw new KafkaJSProtocolError("REBALANCE_IN_PROGRESS");
  }

  commit(
    groupId: string,
    memberId: string | null,
    generationId: number,
    offsets: ReadonlyArray<{ topic: string; partition: number; offset: number }>,
  ): void {
    const g = this.group(groupId);
    const m = g.find(memberId);
    if (m === undefined) {
      this.stats.commitsRejected++;
      throw new KafkaJSProtocolError("UNKNOWN_MEMBER_ID");
    }
    if (generationId !== g.generationId) {
      this.stats.commitsRejected++;
      throw new KafkaJSProtocolError("ILLEGAL_GENERATION");
    }
    m.lastSeenUs = this.sched.now();
    this.stats.commits++;
    for (const o of offsets) {
      const key = tpKey(o.topic, o.partition);
      const cur = g.committed.get(key);
      if (cur === undefined)
        g.committed.set(key, { topic: o.topic, partition: o.partition, offset: o.offset });
      else cur.offset = o.offset;
    }
  }

  /** The committed offset of a partition, or -1. */
  committed(groupId: string, topic: string, partition: number): number {
    return this.groups.get(groupId)?.committed.get(tpKey(topic, partition))?.offset ?? -1;
  }

  /** Would a poll by this member reveal something (rebalance, eviction, new generation)? */
  hasNews(groupId: string, memberId: string | null, generationId: number): boolean {
    const g = this.groups.get(groupId);
    const m = g?.find(memberId);
    if (g === undefined || m === undefined) return true;
    return generationId !== g.generationId || (g.state === "PreparingRebalance" && !m.joined);
  }

  /** Is this member still in the group, in this generation? */
  isCurrent(groupId: string, memberId: string | null, generationId: number): boolean {
    const g = this.groups.get(groupId);
    return g !== undefined && g.find(memberId) !== undefined && g.generationId === generationId;
  }

  // ---- inspection ----------------------------------------------------------------------------

  describe(groupId: string): GroupDescription | undefined {
    const g = this.groups.get(groupId);
    if (g === undefined) return undefined;
    return {
      groupId,
      state: g.state,
      generationId: g.generationId,
      leaderId: g.leaderId,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.handle.clientId,
        alive: !m.crashed && m.handle.alive(),
        assignment: m.assignment.map((t) => ({ topic: t.topic, partitions: t.partitions.slice() })),
      })),
    };
  }

  committedOffsets(groupId: string): Array<{ topic: string; partition: number; offset: number }> {
    const g = this.groups.get(groupId);
    if (g === undefined) return [];
    return [...g.committed.values()]
      .map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }
}
