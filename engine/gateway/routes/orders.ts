/**
 * POST /api/orders: place; the idempotency key is the cid (request_id = "order:" + cid).
 *   Answer `data` = `{order_id, order_status, cid}`. UBSCore publishes a place's verdict once the
 *   matching engine has handled the order, with its status then (New, PartiallyFilled, Filled,
 *   Cancelled: an IOC remainder, say); a place the ME refused (post-only-would-take) is a 3005
 *   rejection with order_status "Rejected". Without a status in the verdict the gateway reads
 *   the order's row once, else answers "Accepted" (funds frozen, sent to the ME).
 * POST /api/orders/cancel: `{order_id}` or `{cid}`, optional `request_id` (default: derived from
 *   the target, "cancel:order_id:<id>" or "cancel:cid:<cid>", so repeating a cancel is answered
 *   from the first one). Answer `data` = the order's state (its row in `orders`, with the status
 *   the cancel verdict reports); `{order_id, cid, order_status}` if the row is not readable yet.
 */
import type { FastifyInstance } from "fastify";
import { type SymbolInfo, symbolById } from "../../domain/symbols.ts";
import type { CancelOp, PlaceOp } from "../../protocol/messages.ts";
import type { GatewayContext } from "../context.ts";
import { type Envelope, GatewayError, ok } from "../errors.ts";
import { locateOrder, type OrderView, readOrder } from "../reads.ts";
import { readVerdict, rejection, submit, type Verdict } from "../results.ts";
import { parseCancel, parsePlace } from "../validation.ts";
import { authed, type Call, ownedBody } from "./shared.ts";

export const PLACE_REQUEST_PREFIX = "order:";

export function placeRequestId(cid: string): string {
  return PLACE_REQUEST_PREFIX + cid;
}

export function cancelRequestId(target: { order_id: string | null; cid: string | null }): string {
  return target.order_id !== null ? `cancel:order_id:${target.order_id}` : `cancel:cid:${target.cid}`;
}

function orderIdOf(v: Verdict): string | null {
  if (v.order_id !== null) return v.order_id;
  const b = v.body.order_id;
  return typeof b === "string" && /^\d+$/.test(b) ? b : null;
}

function symbolOf(v: Verdict): SymbolInfo | null {
  if (typeof v.body.symbol_id !== "number") return null;
  try {
    return symbolById(v.body.symbol_id);
  } catch {
    return null;
  }
}

/** One read of an order's row; null if it is not there (yet) or the store is unavailable. */
async function orderRow(
  ctx: GatewayContext,
  user_id: number,
  order_id: string,
  symbol: SymbolInfo | null,
): Promise<OrderView | null> {
  try {
    let sym = symbol;
    if (sym === null) {
      const where = await locateOrder(ctx, order_id);
      if (where === null || where.user_id !== user_id) return null;
      sym = where.symbol;
    }
    return await readOrder(ctx, user_id, sym, order_id);
  } catch (err) {
    if (err instanceof GatewayError && err.kind === "STORE_UNAVAILABLE") return null;
    throw err;
  }
}

async function place(ctx: GatewayContext, call: Call): Promise<Envelope> {
  const p = parsePlace(ownedBody(call));
  const user_id = call.caller.user_id;
  const op: PlaceOp = {
    type: "place",
    v: 1,
    request_id: placeRequestId(p.cid),
    user_id,
    cid: p.cid,
    symbol_id: p.symbol.id,
    side: p.side,
    order_type: p.order_type,
    tif: p.tif,
    post_only: p.post_only,
    price: p.price === null ? null : p.price.toString(),
    qty: p.qty.toString(),
    ts: ctx.ports.clock.now(),
  };
  const { verdict } = await submit(ctx, op, call.deadline);
  const order_id = orderIdOf(verdict);
  if (verdict.status !== "accepted") {
    throw rejection(verdict, "order", {
      order_id,
      order_status: verdict.order_status ?? "Rejected",
      cid: p.cid,
    });
  }
  let order_status = verdict.order_status;
  if (order_status === null && order_id !== null) {
    order_status =
      (await orderRow(ctx, user_id, order_id, symbolOf(verdict) ?? p.symbol))?.order_status ?? null;
  }
  return ok({ order_id, order_status: order_status ?? "Accepted", cid: p.cid });
}

async function cancel(ctx: GatewayContext, call: Call): Promise<Envelope> {
  const c = parseCancel(ownedBody(call));
  const user_id = call.caller.user_id;
  const op: CancelOp = {
    type: "cancel",
    v: 1,
    request_id: c.request_id ?? cancelRequestId(c),
    user_id,
    order_id: c.order_id,
    cid: c.cid,
    ts: ctx.ports.clock.now(),
  };
  const { verdict } = await submit(ctx, op, call.deadline);
  let order_id = orderIdOf(verdict) ?? c.order_id;
  if (verdict.status !== "accepted") {
    throw rejection(verdict, "cancel", { order_id, cid: c.cid });
  }
  // Which order: the verdict's id, the request's, or the one the cid's place verdict names.
  if (order_id === null && c.cid !== null) {
    order_id = (await readVerdict(ctx, user_id, placeRequestId(c.cid)))?.order_id ?? null;
  }
  const cid = c.cid ?? (typeof verdict.body.cid === "string" ? verdict.body.cid : null);
  if (order_id === null)
    return ok({ order_id, cid, order_status: verdict.order_status ?? "CancelRequested" });
  const row = await orderRow(ctx, user_id, order_id, symbolOf(verdict));
  if (row === null) return ok({ order_id, cid, order_status: verdict.order_status ?? "CancelRequested" });
  return ok({ ...row, order_status: verdict.order_status ?? row.order_status });
}

export function registerOrderRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post(
    "/api/orders",
    authed(ctx, (call) => place(ctx, call)),
  );
  app.post(
    "/api/orders/cancel",
    authed(ctx, (call) => cancel(ctx, call)),
  );
}
