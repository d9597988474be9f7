/**
 * A pure, in-memory pipeline for tests: UBSCore's state and the ME's state wired directly, with
 * no Kafka in between. Operations go in; validated orders go to the ME state; engine outputs come
 * back to UBSCore, until nothing moves. Every input UBSCore applied is kept as a journal record,
 * so tests can replay them into a fresh state.
 */
import { defaultConfig, type EngineConfig } from "../../engine/config.ts";
import { MatchingState } from "../../engine/me/service.ts";
import type { ConsumedMessage } from "../../engine/ports/log.ts";
import {
  type BalanceEvent,
  type EngineOutput,
  encode,
  type Operation,
  type OpResult,
  type ValidatedOrder,
} from "../../engine/protocol/messages.ts";
import { TOPICS } from "../../engine/protocol/topics.ts";
import type { JournalRec } from "../../engine/ubscore/journal.ts";
import { emptyOutputs, UbscoreState } from "../../engine/ubscore/state.ts";

export const BTC = 1;
export const USDT = 2;
export const ETH = 3;
export const BTC_USDT = 0;
export const ETH_USDT = 1;
/** 1 whole unit in minor units (8 decimals for every asset). */
export const U = 100_000_000n;

let reqCounter = 0;
export function rid(prefix = "r"): string {
  return `${prefix}-${++reqCounter}`;
}

export function deposit(user: number, asset: number, amount: bigint, request_id = rid("dep")): Operation {
  return {
    type: "deposit",
    v: 1,
    request_id,
    user_id: user,
    asset_id: asset,
    amount: amount.toString(),
    ts: 0,
  };
}

export function withdraw(user: number, asset: number, amount: bigint, request_id = rid("wd")): Operation {
  return {
    type: "withdraw",
    v: 1,
    request_id,
    user_id: user,
    asset_id: asset,
    amount: amount.toString(),
    ts: 0,
  };
}

export interface PlaceArgs {
  user: number;
  symbol?: number;
  side: "Buy" | "Sell";
  type?: "Limit" | "Market";
  tif?: "GTC" | "IOC" | "FOK";
  post_only?: boolean;
  /** Whole quote units per whole base unit (bigint of minor units via U). */
  price?: bigint | null;
  qty: bigint;
  cid?: string;
}

export function place(a: PlaceArgs): Operation {
  const cid = a.cid ?? rid("cid");
  return {
    type: "place",
    v: 1,
    request_id: `order:${cid}`,
    user_id: a.user,
    cid,
    symbol_id: a.symbol ?? BTC_USDT,
    side: a.side,
    order_type: a.type ?? "Limit",
    tif: a.tif ?? "GTC",
    post_only: a.post_only ?? false,
    price: a.price === undefined || a.price === null ? null : a.price.toString(),
    qty: a.qty.toString(),
    ts: 0,
  };
}

export function cancel(
  user: number,
  by: { order_id?: string; cid?: string },
  request_id = rid("cx"),
): Operation {
  return {
    type: "cancel",
    v: 1,
    request_id,
    user_id: user,
    order_id: by.order_id ?? null,
    cid: by.cid ?? null,
    ts: 0,
  };
}

function msg(offset: number, value: string): ConsumedMessage {
  return { key: null, value, offset: String(offset), timestamp: String(1_000 + offset) };
}

export class Pipeline {
  readonly config: EngineConfig;
  ubs: UbscoreState;
  readonly me = new MatchingState();
  readonly journal: JournalRec[] = [];
  readonly balanceEvents: BalanceEvent[] = [];
  readonly results: OpResult[] = [];
  readonly outputs: EngineOutput[] = [];
  readonly validated: ValidatedOrder[] = [];
  readonly warnings: string[] = [];
  private opsOffset = 0;
  private voOffset = 0;
  private eoOffset = 0;

  constructor(config: EngineConfig = defaultConfig()) {
    this.config = config;
    this.ubs = new UbscoreState(config);
  }

  private ubsApply(topic: string, offset: number, raw: string): void {
    const ref = { topic, partition: 0, offset: String(offset) };
    if (!this.ubs.wouldApply(ref, raw)) return;
    const out = emptyOutputs();
    const ts = 1_000 + offset;
    this.ubs.applyInput(ref, ts, raw, out);
    this.journal.push({ type: "rec", v: 1, epoch: "e", ref, ts, msg: raw });
    this.balanceEvents.push(...out.balanceEvents);
    this.results.push(...out.results);
    this.warnings.push(...out.warnings);
    for (const v of out.validated) this.toMe(v);
  }

  private toMe(v: ValidatedOrder): void {
    this.validated.push(v);
    const o = this.me.apply(0, msg(this.voOffset++, encode(v)), (w) => this.warnings.push(w));
    if (o !== null) this.fromMe(o);
  }

  /** Feeds an engine output to UBSCore (also used to inject duplicates). */
  fromMe(o: EngineOutput): void {
    this.outputs.push(o);
    this.ubsApply(TOPICS.engineOutputs, this.eoOffset++, encode(o));
  }

  /** Re-sends a validated order to the ME (a duplicate from a UBSCore re-publish). */
  resendToMe(v: ValidatedOrder): void {
    this.toMe(v);
  }

  send(op: Operation | string): void {
    this.ubsApply(TOPICS.operations, this.opsOffset++, typeof op === "string" ? op : encode(op));
  }

  resultOf(request_id: string): OpResult | undefined {
    return this.results.filter((r) => r.request_id === request_id).at(-1);
  }

  bal(user: number, asset: number): { avail: bigint; frozen: bigint } {
    const h = this.ubs.peek(user, asset);
    return { avail: h.avail, frozen: h.frozen };
  }
}
