/**
 * The reference model (oracle): an independent, deliberately simple account of what the
 * exchange's accepted operations must do to balances. It shares no code with UBSCore: it is fed
 * the engine's own record of what it accepted (request verdicts, validated orders, matching
 * outputs — each deduplicated here by its natural key) and recomputes every balance with its own
 * arithmetic. At quiescence the runner compares it with the ledger, UBSCore and the gateway.
 *
 * Rules it encodes (the exchange's documented rules, DOMAIN.md + engine/README.md):
 * - deposit: user avail +amount, external −amount; withdraw: the reverse.
 * - an order holds (frozen): limit buy price×qty/10^base_decimals of quote; market buy its
 *   quote_limit; any sell its qty of base.
 * - a fill at price p for qty q: quote cost c = p×q/10^base_decimals (exact). Buyer: hold −(its
 *   limit price×q/10^bd) for a limit order, −c for a market order; avail quote +(limit−p)×q/10^bd
 *   (price improvement refund, limit only); avail base +q−fee_b. Seller: hold −q base; avail
 *   quote +c−fee_q. Fees: floor(received × bps / 10000), maker or taker rate by role, credited to
 *   the fee account (user 0) in the asset received.
 * - a terminal order (Filled, Cancelled, Rejected) releases what it still holds.
 */
import { ASSETS } from "../engine/domain/assets.ts";
import { SYMBOLS } from "../engine/domain/symbols.ts";
import type { EngineOutput, OpResult, ValidatedOrder, ValidatedPlace } from "../engine/protocol/messages.ts";

export const MODEL_FEE_ACCOUNT = 0;
export const MODEL_EXTERNAL_ACCOUNT = -1;

export interface ModelBalance {
  avail: bigint;
  frozen: bigint;
}

interface ModelOrder {
  place: ValidatedPlace;
  /** What the order still holds frozen. */
  held: bigint;
  heldAsset: number;
  terminal: boolean;
}

export interface FeeTable {
  [symbolId: number]: { maker_bps: number; taker_bps: number };
}

const TEN = 10n;

function scale(decimals: number): bigint {
  return TEN ** BigInt(decimals);
}

export class ReferenceModel {
  private readonly balances = new Map<string, ModelBalance>();
  private readonly orders = new Map<string, ModelOrder>();
  private readonly seenRequests = new Set<string>();
  private readonly lastOutputSeq = new Map<number, bigint>();
  private readonly fees: FeeTable;
  /** Problems the model itself noticed (a fill for an order it never saw, say). */
  readonly anomalies: string[] = [];
  trades = 0;

  constructor(fees: FeeTable) {
    this.fees = fees;
  }

  private acct(user: number, asset: number): ModelBalance {
    const k = `${user}:${asset}`;
    let b = this.balances.get(k);
    if (b === undefined) {
      b = { avail: 0n, frozen: 0n };
      this.balances.set(k, b);
    }
    return b;
  }

  onResult(r: OpResult): void {
    if (r.status !== "accepted") return;
    const key = `${r.user_id}:${r.request_id}`;
    if (this.seenRequests.has(key)) return;
    this.seenRequests.add(key);
    if (r.kind !== "deposit" && r.kind !== "withdraw") return;
    const asset = Number(r.body.asset_id);
    const amount = BigInt(String(r.body.amount));
    const sign = r.kind === "deposit" ? 1n : -1n;
    this.acct(r.user_id, asset).avail += sign * amount;
    this.acct(MODEL_EXTERNAL_ACCOUNT, asset).avail -= sign * amount;
  }

  onValidated(v: ValidatedOrder): void {
    if (v.type !== "place" || this.orders.has(v.order_id)) return;
    const sym = SYMBOLS[v.symbol_id];
    const bd = scale(sym.base.decimals);
    let held: bigint;
    let heldAsset: number;
    if (v.side === "Sell") {
      held = BigInt(v.qty);
      heldAsset = sym.base.id;
    } else if (v.order_type === "Market") {
      held = BigInt(v.quote_limit ?? "0");
      heldAsset = sym.quote.id;
    } else {
      held = (BigInt(v.price!) * BigInt(v.qty)) / bd;
      heldAsset = sym.quote.id;
    }
    this.orders.set(v.order_id, { place: v, held, heldAsset, terminal: false });
    const a = this.acct(v.user_id, heldAsset);
    a.avail -= held;
    a.frozen += held;
  }

  onEngineOutput(o: EngineOutput): void {
    const seq = BigInt(o.output_seq);
    const last = this.lastOutputSeq.get(o.symbol_id) ?? 0n;
    if (seq <= last) return; // a duplicate of something already applied
    this.lastOutputSeq.set(o.symbol_id, seq);
    const sym = SYMBOLS[o.symbol_id];
    const bd = scale(sym.base.decimals);
    const rates = this.fees[o.symbol_id];
    for (const e of o.events) {
      if (e.type === "fill") {
        this.trades++;
        const p = BigInt(e.price);
        const q = BigInt(e.qty);
        const cost = (p * q) / bd;
        const buyerIsTaker = e.taker_side === "Buy";
        const buyerId = buyerIsTaker ? e.taker_order_id : e.maker_order_id;
        const sellerId = buyerIsTaker ? e.maker_order_id : e.taker_order_id;
        const buyer = this.orders.get(buyerId);
        const seller = this.orders.get(sellerId);
        if (!buyer || !seller) {
          this.anomalies.push(
            `fill ${o.symbol_id}:${e.trade_id} names an order the model never saw validated`,
          );
          continue;
        }
        const buyBps = BigInt(buyerIsTaker ? rates.taker_bps : rates.maker_bps);
        const sellBps = BigInt(buyerIsTaker ? rates.maker_bps : rates.taker_bps);
        // Buyer: pays from its hold, gets base minus fee.
        const bq = this.acct(buyer.place.user_id, sym.quote.id);
        const release = buyer.place.order_type === "Market" ? cost : (BigInt(buyer.place.price!) * q) / bd;
        bq.frozen -= release;
        bq.avail += release - cost;
        buyer.held -= release;
        const feeB = (q * buyBps) / 10_000n;
        this.acct(buyer.place.user_id, sym.base.id).avail += q - feeB;
        this.acct(MODEL_FEE_ACCOUNT, sym.base.id).avail += feeB;
        // Seller: gives base from its hold, gets quote minus fee.
        this.acct(seller.place.user_id, sym.base.id).frozen -= q;
        seller.held -= q;
        const feeS = (cost * sellBps) / 10_000n;
        this.acct(seller.place.user_id, sym.quote.id).avail += cost - feeS;
        this.acct(MODEL_FEE_ACCOUNT, sym.quote.id).avail += feeS;
      } else if (e.type === "order") {
        if (e.status !== "Filled" && e.status !== "Cancelled" && e.status !== "Rejected") continue;
        const ord = this.orders.get(e.order_id);
        if (!ord) {
          this.anomalies.push(`order event for ${e.order_id}, which the model never saw validated`);
          continue;
        }
        if (ord.terminal) continue;
        ord.terminal = true;
        const a = this.acct(ord.place.user_id, ord.heldAsset);
        a.frozen -= ord.held;
        a.avail += ord.held;
        ord.held = 0n;
      }
    }
  }

  balance(user: number, asset: number): ModelBalance {
    const b = this.balances.get(`${user}:${asset}`);
    return b ? { ...b } : { avail: 0n, frozen: 0n };
  }

  /** Every account the model knows, as `user:asset` → balance. */
  accounts(): ReadonlyMap<string, ModelBalance> {
    return this.balances;
  }

  openOrders(): ValidatedPlace[] {
    return [...this.orders.values()].filter((o) => !o.terminal).map((o) => o.place);
  }

  /** Per asset: Σ of every account (users, fees, external); must be 0. */
  totals(): Map<number, bigint> {
    const t = new Map<number, bigint>(ASSETS.map((a) => [a.id, 0n]));
    for (const [k, b] of this.balances) {
      const asset = Number(k.split(":")[1]);
      t.set(asset, (t.get(asset) ?? 0n) + b.avail + b.frozen);
    }
    return t;
  }
}
