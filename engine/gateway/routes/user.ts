/**
 * Reads: GET /api/user/balance, /api/user/trade_history, /api/user/order_history. A `user_id`
 * in the query is optional and, if given, must be the caller's (1006): a key reads only its
 * owner's data.
 */
import type { FastifyInstance } from "fastify";
import type { GatewayContext } from "../context.ts";
import { ok } from "../errors.ts";
import { readBalances, readOrderHistory, readTradeHistory } from "../reads.ts";
import { parseBalanceQuery, parseHistoryQuery } from "../validation.ts";
import { authed, ownedQuery } from "./shared.ts";

export function registerUserRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get(
    "/api/user/balance",
    authed(ctx, async (call) => {
      parseBalanceQuery(ownedQuery(call));
      return ok(await readBalances(ctx, call.caller.user_id));
    }),
  );
  app.get(
    "/api/user/trade_history",
    authed(ctx, async (call) => {
      const q = parseHistoryQuery(ownedQuery(call));
      return ok(await readTradeHistory(ctx, call.caller.user_id, q.symbol, q.limit));
    }),
  );
  app.get(
    "/api/user/order_history",
    authed(ctx, async (call) => {
      const q = parseHistoryQuery(ownedQuery(call));
      return ok(await readOrderHistory(ctx, call.caller.user_id, q.symbol, q.limit));
    }),
  );
}
