/**
 * Random order flows for property tests: all order types and tifs, post-only, market buys with
 * budgets from tiny to ample, cancels (own, someone else's, unknown, already terminal),
 * duplicate ids and some invalid commands, from a few users (so self-trade situations are
 * common), with prices clustered within a few ticks of one mid price (so orders cross often).
 */
import fc from "fast-check";
import { quoteCost } from "../../engine/domain/money.ts";
import type { SymbolInfo } from "../../engine/domain/symbols.ts";
import type { Command, OrderId, PlaceCommand, Side, TimeInForce } from "../../engine/matching/types.ts";

export const MID_TICKS = 10_000n;
export const SPREAD_TICKS = 6;
export const MAX_LOTS = 30;

export type Op =
  | { k: "limit"; user: number; side: Side; dt: number; lots: number; tif: TimeInForce; postOnly: boolean }
  | {
      k: "market";
      user: number;
      side: Side;
      lots: number;
      tif: TimeInForce;
      budgetPermille: number;
      budgetLots: number;
      /** Budget right at a boundary: the exact cost of budgetLots at mid + budgetDt ticks, plus budgetDelta. */
      budgetExact: boolean;
      budgetDt: number;
      budgetDelta: number;
    }
  | { k: "cancel"; pick: number; asOwner: boolean }
  | { k: "cancel-unknown"; user: number }
  | { k: "duplicate"; pick: number; user: number; side: Side }
  | { k: "invalid"; user: number; what: "off-tick" | "zero-qty" | "off-lot" | "market-price" };

const user = fc.integer({ min: 1, max: 4 });
const side = fc.constantFrom<Side>("Buy", "Sell");

export function opArb(users = user): fc.Arbitrary<Op> {
  return fc.oneof(
    {
      weight: 50,
      arbitrary: fc.record({
        k: fc.constant("limit" as const),
        user: users,
        side,
        dt: fc.integer({ min: -SPREAD_TICKS, max: SPREAD_TICKS }),
        lots: fc.integer({ min: 1, max: MAX_LOTS }),
        tif: fc.constantFrom<TimeInForce>("GTC", "GTC", "GTC", "IOC", "FOK"),
        postOnly: fc.boolean(),
      }),
    },
    {
      weight: 12,
      arbitrary: fc.record({
        k: fc.constant("market" as const),
        user: users,
        side,
        lots: fc.integer({ min: 1, max: MAX_LOTS * 2 }),
        tif: fc.constantFrom<TimeInForce>("GTC", "IOC", "IOC", "FOK"),
        budgetPermille: fc.integer({ min: 0, max: 1500 }),
        budgetLots: fc.integer({ min: 0, max: MAX_LOTS * 2 }),
        budgetExact: fc.boolean(),
        budgetDt: fc.integer({ min: -SPREAD_TICKS, max: SPREAD_TICKS }),
        budgetDelta: fc.integer({ min: -2, max: 2 }),
      }),
    },
    {
      weight: 20,
      arbitrary: fc.record({ k: fc.constant("cancel" as const), pick: fc.nat(), asOwner: fc.boolean() }),
    },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("cancel-unknown" as const), user: users }) },
    {
      weight: 3,
      arbitrary: fc.record({ k: fc.constant("duplicate" as const), pick: fc.nat(), user: users, side }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constant("invalid" as const),
        user: users,
        what: fc.constantFrom("off-tick", "zero-qty", "off-lot", "market-price") as fc.Arbitrary<
          "off-tick" | "zero-qty" | "off-lot" | "market-price"
        >,
      }),
    },
  );
}

/** Turns abstract ops into concrete commands for `sym` (deterministic; ids 1, 2, 3, ... as bigints, decimal strings and other strings). */
export function toCommands(ops: Op[], sym: SymbolInfo): Command[] {
  const ids: { id: OrderId; user: number }[] = [];
  const cmds: Command[] = [];
  let n = 0;
  const newId = (u: number): OrderId => {
    n++;
    const id: OrderId = n % 5 === 0 ? `ord-${n}` : n % 5 === 1 ? String(n) : BigInt(n);
    ids.push({ id, user: u });
    return id;
  };
  const bd = sym.base.decimals;
  for (const op of ops) {
    switch (op.k) {
      case "limit": {
        const c: PlaceCommand = {
          type: "place",
          order_id: newId(op.user),
          user_id: op.user,
          side: op.side,
          order_type: "Limit",
          price: (MID_TICKS + BigInt(op.dt)) * sym.tick,
          qty: BigInt(op.lots) * sym.lot,
        };
        // Only set optional fields sometimes: the defaults must behave like explicit GTC/false.
        if (op.tif !== "GTC" || op.lots % 2 === 0) c.tif = op.tif;
        if (op.postOnly && op.tif === "GTC") c.post_only = true;
        else if (op.lots % 3 === 0) c.post_only = false;
        cmds.push(c);
        break;
      }
      case "market": {
        const qty = BigInt(op.lots) * sym.lot;
        const c: PlaceCommand = {
          type: "place",
          order_id: newId(op.user),
          user_id: op.user,
          side: op.side,
          order_type: "Market",
          tif: op.tif,
          qty,
        };
        if (op.side === "Buy") {
          let b: bigint;
          if (op.budgetExact) {
            // Right at a boundary: what budgetLots cost at one price level, give or take a unit.
            // (often for exactly the order's own qty, so a single fill meets the boundary)
            const p = (MID_TICKS + BigInt(op.budgetDt)) * sym.tick;
            const lots = op.budgetPermille % 2 === 0 ? op.lots : op.budgetLots;
            b = quoteCost(p, BigInt(lots) * sym.lot, bd) + BigInt(op.budgetDelta);
          } else {
            // Around what budgetLots would cost near the mid, from 0 to 1.5x, not on any grid.
            const ref = quoteCost(MID_TICKS * sym.tick, BigInt(op.budgetLots) * sym.lot, bd);
            b = (ref * BigInt(op.budgetPermille)) / 1000n + BigInt(op.budgetPermille % 7);
          }
          c.quote_limit = b > 0n ? b : 1n;
        }
        cmds.push(c);
        break;
      }
      case "cancel": {
        if (ids.length === 0) break;
        const t = ids[op.pick % ids.length];
        cmds.push({ type: "cancel", order_id: t.id, user_id: op.asOwner ? t.user : (t.user % 4) + 1 });
        break;
      }
      case "cancel-unknown":
        cmds.push({ type: "cancel", order_id: 1_000_000_000n, user_id: op.user });
        break;
      case "duplicate": {
        if (ids.length === 0) break;
        const t = ids[op.pick % ids.length];
        cmds.push({
          type: "place",
          order_id: t.id,
          user_id: op.user,
          side: op.side,
          order_type: "Limit",
          price: MID_TICKS * sym.tick,
          qty: sym.lot,
        });
        break;
      }
      case "invalid": {
        const c: PlaceCommand = {
          type: "place",
          order_id: newId(op.user),
          user_id: op.user,
          side: "Sell",
          order_type: "Limit",
          price: MID_TICKS * sym.tick,
          qty: sym.lot,
        };
        if (op.what === "off-tick") c.price = MID_TICKS * sym.tick + 1n;
        if (op.what === "zero-qty") c.qty = 0n;
        if (op.what === "off-lot") c.qty = sym.lot + 1n;
        if (op.what === "market-price") c.order_type = "Market";
        cmds.push(c);
        break;
      }
    }
  }
  return cmds;
}
