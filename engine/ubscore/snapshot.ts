/**
 * UBSCore's recovery snapshot: the whole `UbscoreState` plus what the `JournalReplayer` carries
 * from one journal entry to the next (the epoch that counts, every epoch marker seen and where the
 * latest one lies, how many records have their outputs acknowledged), and the journal offset from which replay continues.
 * Bigints are decimal strings; maps are arrays of entries in insertion order, so a decoded state
 * iterates like the original. engine/README.md ("Snapshots") says why it is exact.
 */
import type { EngineConfig } from "../config.ts";
import type { OpResult } from "../protocol/messages.ts";
import { type Holding, type OpenOrder, type PendingCancel, UbscoreState } from "./state.ts";

/** What the replayer carries between entries (the JournalReplayer constructor takes it back). */
export interface ReplayPosition {
  /** The epoch whose records count (the latest epoch marker). */
  epoch: string | null;
  /** Every epoch marker seen, in order. */
  epochs: string[];
  /** Records 1..covered had their outputs acknowledged. */
  covered: number;
  /**
   * The offset of the latest epoch marker below the snapshot's `journalFrom` (-1: none), or an
   * upper bound of it below `journalFrom`: the service, which does not read the journal while
   * running, writes `journalFrom - 1`; so does decoding a snapshot written before the field
   * existed. engine/README.md ("Snapshots") says why an upper bound is exact enough.
   */
  markerAt: bigint;
}

type ReplayPositionJson = Omit<ReplayPosition, "markerAt"> & { markerAt?: string };

export interface UbscoreSnapshot {
  state: UbscoreState;
  replay: ReplayPosition;
  /** Replay continues from this journal offset: every entry below it is reflected in the state. */
  journalFrom: bigint;
}

type OrderJson = Omit<OpenOrder, "price" | "qty" | "quote_limit" | "held" | "filled"> & {
  price: string | null;
  qty: string;
  quote_limit: string | null;
  held: string;
  filled: string;
};

interface SnapshotJson {
  v: 1;
  journalFrom: string;
  replay: ReplayPositionJson;
  recordsApplied: number;
  nextOrderId: string;
  /** [user, asset, avail, frozen, seq] */
  balances: Array<[number, number, string, string, string]>;
  orders: OrderJson[];
  requests: Array<[string, OpResult | null]>;
  cids: Array<[string, string]>;
  pendingCancels: Array<[string, PendingCancel]>;
  lastOutputSeq: Array<[number, string]>;
  applied: Array<[string, string]>;
}

const str = (b: bigint | null): string | null => (b === null ? null : b.toString());
const big = (s: string | null): bigint | null => (s === null ? null : BigInt(s));

export function encodeUbscoreSnapshot(s: UbscoreSnapshot): string {
  const st = s.state;
  const balances: SnapshotJson["balances"] = [];
  for (const [u, m] of st.balances)
    for (const [a, h] of m) balances.push([u, a, h.avail.toString(), h.frozen.toString(), h.seq.toString()]);
  const orders: OrderJson[] = [];
  for (const o of st.orders.values()) {
    orders.push({
      ...o,
      price: str(o.price),
      qty: o.qty.toString(),
      quote_limit: str(o.quote_limit),
      held: o.held.toString(),
      filled: o.filled.toString(),
    });
  }
  const json: SnapshotJson = {
    v: 1,
    journalFrom: s.journalFrom.toString(),
    replay: {
      epoch: s.replay.epoch,
      epochs: [...s.replay.epochs],
      covered: s.replay.covered,
      markerAt: s.replay.markerAt.toString(),
    },
    recordsApplied: st.recordsApplied,
    nextOrderId: st.nextOrderId.toString(),
    balances,
    orders,
    requests: [...st.requests],
    cids: [...st.cids],
    pendingCancels: [...st.pendingCancels],
    lastOutputSeq: [...st.lastOutputSeq].map(([k, v]) => [k, v.toString()]),
    applied: [...st.applied].map(([k, v]) => [k, v.toString()]),
  };
  return JSON.stringify(json);
}

/** Decodes a snapshot; throws on anything malformed (the reader then tries an older one). */
export function decodeUbscoreSnapshot(text: string, config: EngineConfig): UbscoreSnapshot {
  const j = JSON.parse(text) as SnapshotJson;
  if (j === null || typeof j !== "object" || j.v !== 1) throw new Error("ubscore snapshot: bad version");
  if (!Number.isSafeInteger(j.recordsApplied) || j.recordsApplied < 0)
    throw new Error("ubscore snapshot: bad recordsApplied");
  const r = j.replay;
  if (
    typeof r !== "object" ||
    r === null ||
    !(r.epoch === null || typeof r.epoch === "string") ||
    !Array.isArray(r.epochs) ||
    !Number.isSafeInteger(r.covered) ||
    r.covered > j.recordsApplied ||
    !(r.markerAt === undefined || (typeof r.markerAt === "string" && /^-?\d+$/.test(r.markerAt)))
  ) {
    throw new Error("ubscore snapshot: bad replay position");
  }
  const st = new UbscoreState(config);
  st.recordsApplied = j.recordsApplied;
  st.nextOrderId = BigInt(j.nextOrderId);
  for (const [u, a, avail, frozen, seq] of j.balances) {
    let m = st.balances.get(u);
    if (m === undefined) {
      m = new Map<number, Holding>();
      st.balances.set(u, m);
    }
    m.set(a, { avail: BigInt(avail), frozen: BigInt(frozen), seq: BigInt(seq) });
  }
  for (const o of j.orders) {
    st.orders.set(o.order_id, {
      ...o,
      price: big(o.price),
      qty: BigInt(o.qty),
      quote_limit: big(o.quote_limit),
      held: BigInt(o.held),
      filled: BigInt(o.filled),
    });
  }
  for (const [k, v] of j.requests) st.requests.set(k, v);
  for (const [k, v] of j.cids) st.cids.set(k, v);
  for (const [k, v] of j.pendingCancels) st.pendingCancels.set(k, v);
  for (const [k, v] of j.lastOutputSeq) st.lastOutputSeq.set(k, BigInt(v));
  for (const [k, v] of j.applied) st.applied.set(k, BigInt(v));
  const journalFrom = BigInt(j.journalFrom);
  return {
    state: st,
    replay: {
      epoch: r.epoch,
      epochs: [...r.epochs],
      covered: r.covered,
      // Written before markers carried `after`: unknown, so the conservative upper bound.
      markerAt: r.markerAt === undefined ? journalFrom - 1n : BigInt(r.markerAt),
    },
    journalFrom,
  };
}
