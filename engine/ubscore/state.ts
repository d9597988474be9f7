/**
 * UBSCore's state and its transitions: pure, synchronous, deterministic. The service
 * (service.ts) feeds it journal records; the same records in the same order always give the
 * same state and the same outputs, which is what makes recovery by replay exact.
 *
 * Accounts: every (user, asset) has {avail, frozen, seq}. User 0 is the fee account, user -1
 * the external world (deposits come from it, withdrawals go to it; its avail goes negative), so
 * per asset Σ (avail + frozen) over all accounts is always 0. Every change of an account emits
 * one BalanceEvent with the next seq of that account (1, 2, 3, ... gapless).
 *
 * The rules (engine/README.md repeats them):
 * - deposit: user avail += amount, external avail -= amount.
 * - withdraw: rejected (no change) if avail < amount; else user avail -= amount, external += amount.
 * - place: validated against the symbol (tick, lot, flags) — the gateway validates too, but this
 *   is the last line; then freezes: Limit Buy quoteCost(price, qty) quote; Market Buy
 *   quoteCost(price, qty) if a price (a budget cap) is given, else ALL available quote; Sell
 *   (Limit or Market) qty base. Rejected with nothing frozen if avail does not cover it. The
 *   order gets the next order id and goes to validated_orders; a Market Buy carries what was
 *   frozen as its `quote_limit` (the market-buy bound the matching core honours).
 * - cancel: by order_id or cid, of an open order of the same user; else rejected. Forwarded to
 *   the ME; its verdict is published when the ME answers (Cancelled → accepted, reject → rejected).
 * - fill (price p = maker's price, qty q, quote Q = quoteCost(p, q)):
 *   buyer: frozen quote -= what the order held for q (Limit: quoteCost(limit, q); Market: Q),
 *   of which (limit - p) × q goes back to avail (price improvement); avail base += q - fee(q);
 *   seller: frozen base -= q; avail quote += Q - fee(Q). Fees: maker/taker bps of the symbol on
 *   the asset received, rounded down (domain/money.ts), credited to the fee account.
 * - terminal order event (Filled, Cancelled, Rejected): whatever the order still holds frozen
 *   goes back to avail (a Market Buy's unspent budget, a cancelled rest, a rejected order).
 * - a place's verdict is published when the ME reports the order's first state (so a post-only
 *   rejected by the ME is never answered as a success).
 */
import type { EngineConfig } from "../config.ts";
import { INT64_MAX, INT64_MIN } from "../domain/amount.ts";
import { assetById } from "../domain/assets.ts";
import { fee, quoteCost } from "../domain/money.ts";
import { type SymbolInfo, symbolById } from "../domain/symbols.ts";
import type { Side, TimeInForce } from "../matching/types.ts";
import {
  type BalanceCause,
  type BalanceEvent,
  type CancelOp,
  type DepositOp,
  decodeEngineOutput,
  decodeOperation,
  type EngineOutput,
  EXTERNAL_ACCOUNT,
  FEE_ACCOUNT,
  type FillOut,
  type Operation,
  type OpResult,
  type OrderOut,
  type PlaceOp,
  type ValidatedOrder,
  type WithdrawOp,
} from "../protocol/messages.ts";
import { TOPICS } from "../protocol/topics.ts";

export interface Holding {
  avail: bigint;
  frozen: bigint;
  /** seq of the last balance event of this account (0 = none yet). */
  seq: bigint;
}

export interface OpenOrder {
  order_id: string;
  user_id: number;
  symbol_id: number;
  cid: string;
  side: Side;
  order_type: "Limit" | "Market";
  tif: TimeInForce;
  post_only: boolean;
  /** Limit price; for a Market Buy the optional budget price; null otherwise. */
  price: bigint | null;
  qty: bigint;
  /** Market Buy: the quote frozen for it, sent to the ME as the bound. */
  quote_limit: bigint | null;
  /** The asset it holds frozen (quote for buys, base for sells). */
  asset_id: number;
  /** What it still holds frozen. */
  held: bigint;
  filled: bigint;
  /** The place request: its id and its key `${user_id}:${request_id}`. */
  request_id: string;
  request_key: string;
  /** True until the ME reported the order's first state and the verdict was published. */
  result_pending: boolean;
  /** The place request as accepted (the verdict's body). */
  body: Record<string, unknown>;
}

export interface PendingCancel {
  request_id: string;
  user_id: number;
  order_id: string;
  body: Record<string, unknown>;
}

/** Where a journal record's input came from. */
export interface InputRef {
  topic: string;
  partition: number;
  offset: string;
}

/** What applying inputs produced, in order, per output topic. */
export interface Outputs {
  balanceEvents: BalanceEvent[];
  validated: ValidatedOrder[];
  results: OpResult[];
  /** Anomalies worth a log line (never a reason to drop anything). */
  warnings: string[];
}

export function emptyOutputs(): Outputs {
  return { balanceEvents: [], validated: [], results: [], warnings: [] };
}

export function outputsSize(o: Outputs): number {
  return o.balanceEvents.length + o.validated.length + o.results.length;
}

export function appendOutputs(into: Outputs, from: Outputs): void {
  for (const e of from.balanceEvents) into.balanceEvents.push(e);
  for (const e of from.validated) into.validated.push(e);
  for (const e of from.results) into.results.push(e);
  for (const w of from.warnings) into.warnings.push(w);
}

/** A thrown invariant breach: the inputs contradict UBSCore's state (an engine bug). */
export class UbscoreInvariantError extends Error {
  override name = "UbscoreInvariantError";
}

const DIGITS = /^\d+$/;

function parseMinor(s: unknown): bigint | null {
  if (typeof s !== "string" || !DIGITS.test(s) || s.length > 19) return null;
  const v = BigInt(s);
  return v <= INT64_MAX ? v : null;
}

const TERMINAL = new Set(["Filled", "Cancelled", "Rejected"]);

export class UbscoreState {
  readonly config: EngineConfig;
  /** user → asset → holding. */
  readonly balances = new Map<number, Map<number, Holding>>();
  /** Open orders by order id (removed at their terminal event). */
  readonly orders = new Map<string, OpenOrder>();
  /**
   * Every request ever seen, `${user_id}:${request_id}` → its verdict (null while pending the
   * ME). Kept forever, never evicted: a dedupe window that evicts can let an old duplicate
   * through (DOMAIN.md); the cost is memory linear in the number of requests.
   */
  readonly requests = new Map<string, OpResult | null>();
  /** `${user_id}:${cid}` → order id, forever (a cid names one order, also after it ended). */
  readonly cids = new Map<string, string>();
  /** Cancels forwarded to the ME, by cancel_id, awaiting its answer. */
  readonly pendingCancels = new Map<string, PendingCancel>();
  /** The id the next accepted order gets. */
  nextOrderId = 1n;
  /** Per symbol id: the last engine output_seq applied. */
  readonly lastOutputSeq = new Map<number, bigint>();
  /** Per `${topic}:${partition}`: the last input offset applied (journaled). */
  readonly applied = new Map<string, bigint>();
  /** Number of journal records applied. */
  recordsApplied = 0;

  constructor(config: EngineConfig) {
    this.config = config;
  }

  // ---- inspection (for the harness and tests) ----

  holding(user: number, asset: number): Holding {
    let m = this.balances.get(user);
    if (m === undefined) {
      m = new Map();
      this.balances.set(user, m);
    }
    let h = m.get(asset);
    if (h === undefined) {
      h = { avail: 0n, frozen: 0n, seq: 0n };
      m.set(asset, h);
    }
    return h;
  }

  /** The holding without creating it (zeros if absent). */
  peek(user: number, asset: number): Holding {
    return this.balances.get(user)?.get(asset) ?? { avail: 0n, frozen: 0n, seq: 0n };
  }

  /** Σ (avail + frozen) of an asset over every account, system accounts included: always 0. */
  total(asset: number): bigint {
    let t = 0n;
    for (const m of this.balances.values()) {
      const h = m.get(asset);
      if (h) t += h.avail + h.frozen;
    }
    return t;
  }

  /** Σ held by open orders per (user, asset): must equal each account's frozen. */
  heldByOrders(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const o of this.orders.values()) {
      const k = `${o.user_id}:${o.asset_id}`;
      out.set(k, (out.get(k) ?? 0n) + o.held);
    }
    return out;
  }

  // ---- deduplication: every "seen before?" decision goes through these three methods ----

  /** Layer 1: an input already journaled (its offset is at or below the last applied of its partition). */
  isApplied(ref: InputRef): boolean {
    const last = this.applied.get(`${ref.topic}:${ref.partition}`);
    return last !== undefined && BigInt(ref.offset) <= last;
  }

  /** Layer 2: a request id (per user) already seen. */
  isKnownRequest(key: string): boolean {
    return this.requests.has(key);
  }

  /** Layer 3: an engine output at or below the last output_seq applied for its symbol. */
  isAppliedOutput(symbolId: number, seq: bigint): boolean {
    return seq <= (this.lastOutputSeq.get(symbolId) ?? 0n);
  }

  /**
   * Would applying this input change anything? False for inputs already journaled (by ref) and
   * for engine outputs already applied (output_seq at or below the last one of the symbol), so
   * the service neither journals nor re-applies them.
   */
  wouldApply(ref: InputRef, raw: string): boolean {
    if (this.isApplied(ref)) return false;
    if (ref.topic === TOPICS.engineOutputs) {
      let o: EngineOutput;
      try {
        o = decodeEngineOutput(raw);
      } catch {
        return true; // let apply report it
      }
      return !this.isAppliedOutput(o.symbol_id, BigInt(o.output_seq));
    }
    return true;
  }

  /** Applies one journaled input. Returns false (and changes nothing) for a duplicate ref. */
  applyInput(ref: InputRef, ts: number, raw: string, out: Outputs): boolean {
    if (this.isApplied(ref)) return false;
    const key = `${ref.topic}:${ref.partition}`;
    const off = BigInt(ref.offset);
    const last = this.applied.get(key);
    if (last === undefined || off > last) this.applied.set(key, off);
    this.recordsApplied++;
    if (ref.topic === TOPICS.operations) this.applyOperation(raw, ts, out);
    else if (ref.topic === TOPICS.engineOutputs) this.applyEngineOutput(raw, out);
    else out.warnings.push(`input from unexpected topic ${ref.topic} ignored`);
    return true;
  }

  // ---- balance changes ----

  private change(
    user: number,
    asset: number,
    dAvail: bigint,
    dFrozen: bigint,
    cause: BalanceCause,
    ref: string,
    ts: number,
    out: Outputs,
  ): void {
    if (dAvail === 0n && dFrozen === 0n) return;
    const h = this.holding(user, asset);
    const avail = h.avail + dAvail;
    const frozen = h.frozen + dFrozen;
    if (user !== EXTERNAL_ACCOUNT && (avail < 0n || frozen < 0n)) {
      throw new UbscoreInvariantError(
        `account ${user}/${asset} would go negative (avail ${avail}, frozen ${frozen}) on ${cause} ${ref}`,
      );
    }
    h.avail = avail;
    h.frozen = frozen;
    h.seq += 1n;
    out.balanceEvents.push({
      type: "balance",
      v: 1,
      user_id: user,
      asset_id: asset,
      seq: h.seq.toString(),
      delta_avail: dAvail.toString(),
      delta_frozen: dFrozen.toString(),
      avail: avail.toString(),
      frozen: frozen.toString(),
      cause,
      ref,
      ts,
    });
  }

  // ---- operations (balance.operations) ----

  private verdict(
    key: string,
    op: { request_id: string; user_id: number },
    kind: Operation["type"],
    status: "accepted" | "rejected",
    reason: string | null,
    order_id: string | null,
    order_status: string | null,
    body: Record<string, unknown>,
    ts: number,
    out: Outputs,
  ): undefined {
    const r: OpResult = {
      type: "result",
      v: 1,
      request_id: op.request_id,
      user_id: op.user_id,
      kind,
      status,
      reason,
      order_id,
      order_status,
      body,
      ts,
    };
    this.requests.set(key, r);
    out.results.push(r);
  }

  applyOperation(raw: string, ts: number, out: Outputs): undefined {
    let op: Operation;
    try {
      op = decodeOperation(raw);
    } catch (err) {
      this.malformed(raw, String((err as Error).message ?? err), ts, out);
      return;
    }
    const key = `${op.user_id}:${op.request_id}`;
    if (this.isKnownRequest(key)) {
      // A duplicate request: answered with the earlier verdict (if it has one yet), no change.
      const earlier = this.requests.get(key);
      if (earlier) out.results.push(earlier);
      return;
    }
    if (!Number.isSafeInteger(op.user_id) || op.user_id <= 0) {
      this.verdict(key, op, op.type, "rejected", "invalid-user", null, null, {}, ts, out);
      return;
    }
    switch (op.type) {
      case "deposit":
        return this.deposit(key, op, ts, out);
      case "withdraw":
        return this.withdraw(key, op, ts, out);
      case "place":
        return this.place(key, op, ts, out);
      case "cancel":
        return this.cancel(key, op, ts, out);
    }
  }

  /** An operation that does not decode: answered "rejected" if it names a request, else only reported. */
  private malformed(raw: string, why: string, ts: number, out: Outputs): void {
    let o: Record<string, unknown> | null = null;
    try {
      const v = JSON.parse(raw);
      if (typeof v === "object" && v !== null && !Array.isArray(v)) o = v as Record<string, unknown>;
    } catch {}
    const rid = o?.request_id;
    const uid = o?.user_id;
    if (typeof rid !== "string" || typeof uid !== "number" || !Number.isSafeInteger(uid)) {
      out.warnings.push(`malformed operation without request id dropped: ${why}`);
      return;
    }
    const key = `${uid}:${rid}`;
    if (this.isKnownRequest(key)) {
      const earlier = this.requests.get(key);
      if (earlier) out.results.push(earlier);
      return;
    }
    const t = o?.type;
    const kind: Operation["type"] =
      t === "deposit" || t === "withdraw" || t === "place" || t === "cancel" ? t : "deposit";
    this.verdict(
      key,
      { request_id: rid, user_id: uid },
      kind,
      "rejected",
      `malformed: ${why}`,
      null,
      null,
      {},
      ts,
      out,
    );
  }

  private amountOf(op: DepositOp | WithdrawOp): { asset: number; amount: bigint } | string {
    try {
      assetById(op.asset_id);
    } catch {
      return "unknown-asset";
    }
    const amount = parseMinor(op.amount);
    if (amount === null || amount <= 0n) return "invalid-amount";
    return { asset: op.asset_id, amount };
  }

  private deposit(key: string, op: DepositOp, ts: number, out: Outputs): undefined {
    const a = this.amountOf(op);
    if (typeof a === "string") {
      this.verdict(key, op, "deposit", "rejected", a, null, null, {}, ts, out);
      return;
    }
    const body = { asset_id: a.asset, amount: a.amount.toString() };
    const user = this.peek(op.user_id, a.asset);
    const ext = this.peek(EXTERNAL_ACCOUNT, a.asset);
    if (user.avail + a.amount > INT64_MAX || ext.avail - a.amount < INT64_MIN) {
      this.verdict(key, op, "deposit", "rejected", "amount-too-large", null, null, body, ts, out);
      return;
    }
    this.change(op.user_id, a.asset, a.amount, 0n, "deposit", op.request_id, ts, out);
    this.change(EXTERNAL_ACCOUNT, a.asset, -a.amount, 0n, "deposit", op.request_id, ts, out);
    this.verdict(key, op, "deposit", "accepted", null, null, null, body, ts, out);
  }

  private withdraw(key: string, op: WithdrawOp, ts: number, out: Outputs): undefined {
    const a = this.amountOf(op);
    if (typeof a === "string") {
      this.verdict(key, op, "withdraw", "rejected", a, null, null, {}, ts, out);
      return;
    }
    const body = { asset_id: a.asset, amount: a.amount.toString() };
    if (this.peek(op.user_id, a.asset).avail < a.amount) {
      this.verdict(key, op, "withdraw", "rejected", "insufficient-balance", null, null, body, ts, out);
      return;
    }
    this.change(op.user_id, a.asset, -a.amount, 0n, "withdraw", op.request_id, ts, out);
    this.change(EXTERNAL_ACCOUNT, a.asset, a.amount, 0n, "withdraw", op.request_id, ts, out);
    this.verdict(key, op, "withdraw", "accepted", null, null, null, body, ts, out);
  }

  private place(key: string, op: PlaceOp, ts: number, out: Outputs): undefined {
    const reject = (reason: string, body: Record<string, unknown> = {}) =>
      this.verdict(key, op, "place", "rejected", reason, null, null, { cid: op.cid, ...body }, ts, out);
    let sym: SymbolInfo;
    try {
      sym = symbolById(op.symbol_id);
    } catch {
      return reject("unknown-symbol");
    }
    if (typeof op.cid !== "string" || op.cid.length === 0) return reject("invalid-cid");
    const isMarket = op.order_type === "Market";
    const tif = (op.tif ?? "GTC") as TimeInForce;
    const postOnly = op.post_only ?? false;
    if (
      (op.side !== "Buy" && op.side !== "Sell") ||
      (op.order_type !== "Limit" && !isMarket) ||
      (tif !== "GTC" && tif !== "IOC" && tif !== "FOK") ||
      typeof postOnly !== "boolean" ||
      (postOnly && (isMarket || tif !== "GTC"))
    ) {
      return reject("invalid-flags");
    }
    const qty = parseMinor(op.qty);
    if (qty === null || qty <= 0n || qty % sym.lot !== 0n) return reject("invalid-qty");
    let price: bigint | null = null;
    if (op.price !== null && op.price !== undefined) {
      price = parseMinor(op.price);
      if (price === null || price <= 0n || price % sym.tick !== 0n) return reject("invalid-price");
    }
    if (!isMarket && price === null) return reject("invalid-price");
    // A Market Sell's price means nothing to the book: ignored.
    if (isMarket && op.side === "Sell") price = null;
    if (this.cids.has(`${op.user_id}:${op.cid}`)) return reject("duplicate-cid");

    const buy = op.side === "Buy";
    const asset = buy ? sym.quote.id : sym.base.id;
    let freeze: bigint;
    if (!buy) freeze = qty;
    else if (price !== null) freeze = quoteCost(price, qty, sym.base.decimals);
    else freeze = this.peek(op.user_id, asset).avail; // uncapped market buy: all available quote
    const body: Record<string, unknown> = {
      cid: op.cid,
      symbol_id: sym.id,
      side: op.side,
      order_type: op.order_type,
      tif,
      post_only: postOnly,
      price: price === null ? null : price.toString(),
      qty: qty.toString(),
      frozen_asset_id: asset,
      frozen: freeze.toString(),
    };
    if (freeze > INT64_MAX) return reject("amount-too-large", body);
    if (freeze <= 0n || this.peek(op.user_id, asset).avail < freeze)
      return reject("insufficient-balance", body);

    const orderId = (this.nextOrderId++).toString();
    this.cids.set(`${op.user_id}:${op.cid}`, orderId);
    const quoteLimit = isMarket && buy ? freeze : null;
    this.orders.set(orderId, {
      order_id: orderId,
      user_id: op.user_id,
      symbol_id: sym.id,
      cid: op.cid,
      side: op.side,
      order_type: op.order_type,
      tif,
      post_only: postOnly,
      price,
      qty,
      quote_limit: quoteLimit,
      asset_id: asset,
      held: freeze,
      filled: 0n,
      request_id: op.request_id,
      request_key: key,
      result_pending: true,
      body: { ...body, order_id: orderId },
    });
    this.requests.set(key, null); // verdict when the ME reports the order's first state
    this.change(op.user_id, asset, -freeze, freeze, "freeze", `order:${orderId}`, ts, out);
    out.validated.push({
      type: "place",
      v: 1,
      symbol_id: sym.id,
      order_id: orderId,
      user_id: op.user_id,
      side: op.side,
      order_type: op.order_type,
      tif,
      post_only: postOnly,
      // The matching core takes no price on market orders; a market buy's price became its budget.
      price: isMarket ? null : (price as bigint).toString(),
      qty: qty.toString(),
      quote_limit: quoteLimit === null ? null : quoteLimit.toString(),
    });
  }

  private cancel(key: string, op: CancelOp, ts: number, out: Outputs): undefined {
    const body = { order_id: op.order_id, cid: op.cid };
    let orderId: string | undefined;
    if (typeof op.order_id === "string" && op.order_id.length > 0) orderId = op.order_id;
    else if (typeof op.cid === "string") orderId = this.cids.get(`${op.user_id}:${op.cid}`);
    const order = orderId === undefined ? undefined : this.orders.get(orderId);
    if (order === undefined || order.user_id !== op.user_id) {
      // Unknown, another user's (not revealed), or already terminal.
      this.verdict(key, op, "cancel", "rejected", "unknown-order", orderId ?? null, null, body, ts, out);
      return;
    }
    const cancelId = key;
    this.pendingCancels.set(cancelId, {
      request_id: op.request_id,
      user_id: op.user_id,
      order_id: order.order_id,
      body: { ...body, order_id: order.order_id, cid: order.cid },
    });
    this.requests.set(key, null);
    out.validated.push({
      type: "cancel",
      v: 1,
      symbol_id: order.symbol_id,
      order_id: order.order_id,
      user_id: op.user_id,
      cancel_id: cancelId,
    });
  }

  // ---- engine outputs ----

  applyEngineOutput(raw: string, out: Outputs): void {
    const o = decodeEngineOutput(raw);
    const sym = symbolById(o.symbol_id);
    const seq = BigInt(o.output_seq);
    const last = this.lastOutputSeq.get(sym.id) ?? 0n;
    if (this.isAppliedOutput(sym.id, seq)) return;
    if (seq !== last + 1n) out.warnings.push(`engine output gap on ${sym.name}: ${last} -> ${seq}`);
    if (seq > last) this.lastOutputSeq.set(sym.id, seq);
    const ts = o.ts;
    let cancelStatus: string | null = null;
    let cancelReject: string | null = null;
    for (const ev of o.events) {
      if (ev.type === "fill") this.fill(sym, ev, ts, out);
      else if (ev.type === "order") {
        this.orderEvent(ev, ts, out);
        if (o.cancel_id && ev.reason === "user") cancelStatus = ev.status;
      } else if (ev.type === "reject") {
        if (ev.command === "cancel") cancelReject = ev.reason;
        else out.warnings.push(`ME rejected place ${ev.order_id}: ${ev.reason}`);
      }
    }
    if (o.cancel_id) {
      const pc = this.pendingCancels.get(o.cancel_id);
      if (pc === undefined) {
        out.warnings.push(`engine output answers unknown cancel ${o.cancel_id}`);
        return;
      }
      this.pendingCancels.delete(o.cancel_id);
      const key = `${pc.user_id}:${pc.request_id}`;
      if (cancelReject !== null || cancelStatus === null) {
        this.verdict(
          key,
          pc,
          "cancel",
          "rejected",
          cancelReject ?? "unknown-order",
          pc.order_id,
          null,
          pc.body,
          ts,
          out,
        );
      } else {
        this.verdict(key, pc, "cancel", "accepted", null, pc.order_id, cancelStatus, pc.body, ts, out);
      }
    }
  }

  private order(id: string, what: string): OpenOrder {
    const o = this.orders.get(id);
    if (o === undefined) throw new UbscoreInvariantError(`${what}: order ${id} is not open in UBSCore`);
    return o;
  }

  private fill(sym: SymbolInfo, f: FillOut, ts: number, out: Outputs): void {
    const price = BigInt(f.price);
    const qty = BigInt(f.qty);
    const quote = quoteCost(price, qty, sym.base.decimals);
    if (BigInt(f.quote_qty) !== quote) {
      throw new UbscoreInvariantError(`fill ${sym.name}:${f.trade_id}: quote_qty ${f.quote_qty} != ${quote}`);
    }
    const maker = this.order(f.maker_order_id, `fill ${sym.name}:${f.trade_id}`);
    const taker = this.order(f.taker_order_id, `fill ${sym.name}:${f.trade_id}`);
    const buyer = f.taker_side === "Buy" ? taker : maker;
    const seller = f.taker_side === "Buy" ? maker : taker;
    if (buyer.side !== "Buy" || seller.side !== "Sell") {
      throw new UbscoreInvariantError(`fill ${sym.name}:${f.trade_id}: sides do not match the orders`);
    }
    const rates = this.config.fees[sym.name];
    const buyerBps = buyer === maker ? rates.maker_bps : rates.taker_bps;
    const sellerBps = seller === maker ? rates.maker_bps : rates.taker_bps;
    const ref = `trade:${sym.id}:${f.trade_id}`;

    // Buyer: releases what it held for qty; spends quote; the rest (price improvement) is refunded.
    const release =
      buyer.order_type === "Limit" ? quoteCost(buyer.price as bigint, qty, sym.base.decimals) : quote;
    if (release < quote || buyer.held < release) {
      throw new UbscoreInvariantError(
        `fill ${ref}: buyer order ${buyer.order_id} holds ${buyer.held}, needs ${release} (quote ${quote})`,
      );
    }
    if (seller.held < qty) {
      throw new UbscoreInvariantError(
        `fill ${ref}: seller order ${seller.order_id} holds ${seller.held} < ${qty}`,
      );
    }
    buyer.held -= release;
    buyer.filled += qty;
    seller.held -= qty;
    seller.filled += qty;
    const buyerFee = fee(qty, buyerBps);
    const sellerFee = fee(quote, sellerBps);
    this.change(buyer.user_id, sym.quote.id, release - quote, -release, "trade_debit", ref, ts, out);
    this.change(buyer.user_id, sym.base.id, qty - buyerFee, 0n, "trade_credit", ref, ts, out);
    this.change(FEE_ACCOUNT, sym.base.id, buyerFee, 0n, "fee", ref, ts, out);
    this.change(seller.user_id, sym.base.id, 0n, -qty, "trade_debit", ref, ts, out);
    this.change(seller.user_id, sym.quote.id, quote - sellerFee, 0n, "trade_credit", ref, ts, out);
    this.change(FEE_ACCOUNT, sym.quote.id, sellerFee, 0n, "fee", ref, ts, out);
  }

  private orderEvent(e: OrderOut, ts: number, out: Outputs): void {
    const order = this.order(e.order_id, `order event ${e.status}`);
    if (order.result_pending) {
      order.result_pending = false;
      const op = { request_id: order.request_id, user_id: order.user_id };
      const rejected = e.status === "Rejected";
      this.verdict(
        order.request_key,
        op,
        "place",
        rejected ? "rejected" : "accepted",
        e.reason,
        order.order_id,
        e.status,
        order.body,
        ts,
        out,
      );
    }
    if (!TERMINAL.has(e.status)) return;
    if (BigInt(e.filled_qty) !== order.filled) {
      out.warnings.push(
        `order ${order.order_id}: ME says filled ${e.filled_qty}, UBSCore counted ${order.filled}`,
      );
    }
    const held = order.held;
    order.held = 0n;
    this.orders.delete(order.order_id);
    this.change(order.user_id, order.asset_id, held, -held, "unfreeze", `order:${order.order_id}`, ts, out);
  }
}
