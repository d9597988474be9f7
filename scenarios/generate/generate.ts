/**
 * Seeded random scenarios: deposits, orders of every type near a drifting mid price, cancels
 * (also of orders that are filling right now), withdrawals (some not covered), retried request
 * ids, crashes and restarts. The same options give the same scenario; every draw comes from the
 * generator's own stream, so nothing else in a run shifts it.
 */

import { formatDecimal } from "../../engine/domain/amount.ts";
import { SYMBOLS, type SymbolInfo } from "../../engine/domain/symbols.ts";
import { RandomSource, type Rng } from "../../sim/kernel/random.ts";
import type { Scenario, Step, StepOf } from "../format.ts";
import { SERVICES } from "../format.ts";
import { openLoop } from "./load.ts";
import { DEFAULT_WEIGHTS, type GenerateOptions, type OpWeights } from "./weights.ts";

const MID: Record<string, bigint> = { BTC_USDT: 50_000n, ETH_USDT: 3_000n };

interface Ctx {
  rng: Rng;
  users: number[];
  symbols: SymbolInfo[];
  mids: Map<string, bigint>;
  cids: Array<{ user: number; cid: string }>;
  /** Users who only deposit and withdraw (their balances return to exactly zero). */
  passersBy: number[];
  asyncShare: number;
  requests: Array<StepOf<"deposit" | "withdraw" | "place">>;
  n: number;
}

function userOf(c: Ctx): number {
  return c.rng.pick(c.users);
}

/** A price near the mid, in whole quote units with 2 decimals (on the 0.01 tick). */
function priceNear(c: Ctx, s: SymbolInfo, spreadTicks: number): string {
  const mid = c.mids.get(s.name)! * 100n; // in ticks of 0.01
  const off = BigInt(c.rng.range(-spreadTicks, spreadTicks));
  const p = mid + off > 1n ? mid + off : 1n;
  return formatDecimal(p, 2);
}

function qtyOf(c: Ctx, s: SymbolInfo): string {
  const lots = BigInt(c.rng.pick([1, 1, 2, 3, 5, 10, 20, 50]));
  return formatDecimal(lots * s.lot, s.base.decimals);
}

function drift(c: Ctx, s: SymbolInfo): void {
  const m = c.mids.get(s.name)!;
  const step = m / 2000n > 0n ? m / 2000n : 1n;
  c.mids.set(s.name, m + BigInt(c.rng.range(-1, 1)) * step);
}

function place(c: Ctx, market: boolean): StepOf<"place"> {
  const s = c.rng.pick(c.symbols);
  drift(c, s);
  const user = userOf(c);
  const cid = `c${c.n}`;
  c.cids.push({ user, cid });
  const side = c.rng.chance(0.5) ? "Buy" : "Sell";
  if (market) {
    const step: StepOf<"place"> = {
      op: "place",
      user,
      symbol: s.name,
      side,
      type: "Market",
      qty: qtyOf(c, s),
      cid,
    };
    if (side === "Buy" && c.rng.chance(0.7)) step.price = priceNear(c, s, 200);
    return step;
  }
  const tif = c.rng.weighted({ GTC: 14, IOC: 3, FOK: 2 });
  const step: StepOf<"place"> = {
    op: "place",
    user,
    symbol: s.name,
    side,
    type: "Limit",
    price: priceNear(c, s, 40),
    qty: qtyOf(c, s),
    cid,
  };
  if (tif !== "GTC") step.tif = tif;
  else if (c.rng.chance(0.1)) step.post_only = true;
  return step;
}

function transfer(c: Ctx, op: "deposit" | "withdraw"): StepOf<"deposit" | "withdraw"> {
  const user = userOf(c);
  const asset = c.rng.pick(["BTC", "USDT", "ETH"]);
  const whole = op === "deposit" ? c.rng.range(1, 50) : c.rng.range(1, 80);
  const amount = asset === "USDT" ? String(whole * 10_000) : String(whole);
  return { op, user, asset, amount, request_id: `${op[0]}${c.n}` };
}

function next(c: Ctx, w: OpWeights): Step[] {
  const kind = c.rng.weighted(w);
  switch (kind) {
    case "deposit":
    case "withdraw": {
      const s = transfer(c, kind);
      c.requests.push(s);
      return [s];
    }
    case "zero": {
      // A passer-by deposits and withdraws the same amount: a balance back at exactly zero.
      const user = c.rng.pick(c.passersBy);
      const asset = c.rng.pick(["BTC", "USDT", "ETH"]);
      const amount = String(c.rng.range(1, 9));
      return [
        { op: "deposit", user, asset, amount, request_id: `z${c.n}` },
        { op: "withdraw", user, asset, amount, request_id: `zw${c.n}` },
      ];
    }
    case "limit":
    case "market": {
      const s = place(c, kind === "market");
      c.requests.push(s);
      // Some orders are sent without waiting for the answer, so the next steps race with them.
      if (c.rng.chance(c.asyncShare)) s.async = true;
      return [s];
    }
    case "cancel": {
      if (c.cids.length === 0) return [];
      // Mostly recent orders: those are the ones still resting, or filling right now.
      const recent = c.cids.slice(-12);
      const t = c.rng.pick(recent);
      const s: StepOf<"cancel"> = { op: "cancel", user: t.user, cid: t.cid };
      if (c.rng.chance(c.asyncShare)) s.async = true;
      return [s];
    }
    case "retry": {
      if (c.requests.length === 0) return [];
      const again = structuredClone(c.rng.pick(c.requests.slice(-20)));
      delete again.async;
      return [again];
    }
    case "crash": {
      const service = c.rng.pick(SERVICES);
      return [
        { op: "crash", service },
        { op: "advance", ms: c.rng.range(1, 50) },
        { op: "restart", service },
      ];
    }
    case "advance":
      return [{ op: "advance", ms: c.rng.range(1, 30) }];
    case "read": {
      const what = c.rng.pick(["balance", "balance", "orders", "trades"] as const);
      const s: StepOf<"read"> = { op: "read", user: userOf(c), what };
      if (what !== "balance") s.symbol = c.rng.pick(c.symbols).name;
      return [s];
    }
  }
}

export function generateScenario(opts: GenerateOptions): Scenario {
  const rng = new RandomSource(opts.seed).stream("scenario/generate");
  const nUsers = opts.users ?? 8;
  const symbols = SYMBOLS.filter((s) => !opts.symbols || opts.symbols.includes(s.name));
  if (symbols.length === 0) throw new Error(`generate: no known symbol among ${opts.symbols?.join(", ")}`);
  const c: Ctx = {
    rng,
    users: Array.from({ length: nUsers }, (_, i) => 1001 + i),
    symbols,
    mids: new Map(symbols.map((s) => [s.name, MID[s.name]])),
    cids: [],
    passersBy: [9001, 9002],
    asyncShare: opts.asyncShare ?? 0.3,
    requests: [],
    n: 0,
  };
  const w: OpWeights = { ...DEFAULT_WEIGHTS, ...opts.weights };
  if (opts.crashes === false) w.crash = 0;
  const steps: Step[] = [];
  // Everyone starts with something to trade.
  for (const user of c.users) {
    for (const [asset, amount] of [
      ["BTC", "20"],
      ["ETH", "300"],
      ["USDT", "2000000"],
    ] as const) {
      steps.push({ op: "deposit", user, asset, amount, request_id: `seed-${user}-${asset}` });
    }
  }
  while (steps.length < opts.ops) {
    c.n = steps.length;
    for (const s of next(c, w)) if (steps.length < opts.ops) steps.push(s);
  }
  const kept = steps.slice(0, Math.max(opts.ops, 1));
  return {
    name:
      opts.load === undefined
        ? `generated seed ${opts.seed}`
        : `generated seed ${opts.seed}, load ${opts.load}`,
    seed: opts.seed,
    profile: opts.profile ?? "default",
    steps: opts.load === undefined ? kept : openLoop(kept, opts.load),
  };
}
