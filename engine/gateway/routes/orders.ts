/**
 * POST /api/orders: place; the idempotency key is the cid (request_id = "order:" + cid).
 *   Answer `data` = `{order_id, order_status, cid}`: order_status is the order's state as
 *   Settlement wrote it (New, PartiallyFilled, Filled, Cancelled, Rejected), waited for until the
 *   request's deadline; "Accepted" if UBSCore accepted the order (funds frozen, sent to the ME)
 *   but its state was not written yet.
 * POST /api/orders/cancel: `{order_id}` or `{cid}`, optional `request_id` (default: derived from
 *   the target, "cancel:order_id:<id>" or "cancel:cid:<cid>", so repeating a cancel is answered
 *   from the first one). Answer `data` = the order's state, waited for until it is terminal or the
 *   deadline; "CancelRequested" if the order's state is not known yet.
 */
import type { FastifyInstance } from "fastify";
import { type SymbolInfo, symbolById } from "../../domain/symbols.ts";
import type { CancelOp, PlaceOp } from "../../protocol/messages.ts";
import type { GatewayContext } from "../context.ts";
import { type Envelope, ok } from "../errors.ts";
import { locateOrder, type OrderView, readOrder, TERMINAL_STATUSES } from "../reads.ts";
import { POLL_FIRST_MS, POLL_MAX_MS, readVerdict, rejection, submit, type Verdict } from "../results.ts";
import { parseCancel, parsePlace } from "../validation.ts";
import { authed, type Call, ownedBody } from "./shared.ts";

export const PLACE_REQUEST_PREFIX = "order:";

export function placeRequestId(cid: string): string {
  return PLACE_REQUEST_PREFIX + cid;
}

export function cancelRequestId(target: { order_id: string | null; cid: string | null }): string {
  return target.order_id !== null ? `cancel:order_id:${target.order_id}` : `cancel:cid:${target.cid}`;
}

function symbolOf(v: Verdict): SymbolInfo | null {
  if (typeof v.body.symbol_id !== "number") return null;
  try {
    return symbolById(v.body.symbol_id);
  } catch {
    return null;
  }
}

/**
 * Reads the order until `done(order)` or the deadline; the last state seen (null: never seen).
 * Best effort: the store being unavailable ends the wait with what is known.
 */
async function orderState(
  ctx: GatewayContext,
  user_id: number,
  symbol: SymbolInfo,
  order_id: string,
  done: (o: OrderView) => boolean,
  deadline: number,
): Promise<OrderView | null> {
  const { clock } = ctx.ports;
  let backoff = POLL_FIRST_MS;
  let last: OrderView | null = null;
  for (;;) {
    try {
      last = await readOrder(ctx, user_id, symbol, order_id);
    } catch (err) {
      ctx.ports.logger.warn("gateway: order state unavailable", { order_id, error: String(err) });
      return last;
    }
    if (last !== null && done(last)) return last;
    const left = deadline - clock.now();
    if (left <= 0) return last;
    await clock.sleep(Math.min(backoff, left));
    backoff = Math.min(backoff * 2, POLL_MAX_MS);
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
  if (verdict.status !== "accepted") {
    throw rejection(verdict, "order", { order_id: verdict.order_id, order_status: "Rejected", cid: p.cid });
  }
  const order_id = verdict.order_id;
  if (order_id === null) return ok({ order_id: null, order_status: "Accepted", cid: p.cid });
  const symbol = symbolOf(verdict) ?? p.symbol;
  const state = await orderState(ctx, user_id, symbol, order_id, () => true, call.deadline);
  return ok({ order_id, order_status: state?.order_status ?? "Accepted", cid: p.cid });
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
  if (verdict.status !== "accepted") {
    throw rejection(verdict, "cancel", { order_id: c.order_id ?? verdict.order_id, cid: c.cid });
  }
  // Which order: the verdict's id, the request's, or the one the cid's place verdict names.
  let order_id = verdict.order_id ?? c.order_id;
  if (order_id === null && c.cid !== null)
    order_id = (await readVerdict(ctx, user_id, placeRequestId(c.cid)))?.order_id ?? null;
  const pendingAnswer = { order_id, cid: c.cid, order_status: "CancelRequested" };
  if (order_id === null) return ok(pendingAnswer);
  let symbol = symbolOf(verdict);
  if (symbol === null) {
    const where = await locateOrder(ctx, order_id);
    if (where === null || where.user_id !== user_id) return ok(pendingAnswer);
    symbol = where.symbol;
  }
  const state = await orderState(
    ctx,
    user_id,
    symbol,
    order_id,
    (o) => TERMINAL_STATUSES.has(o.order_status),
    call.deadline,
  );
  return ok(state ?? pendingAnswer);
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
