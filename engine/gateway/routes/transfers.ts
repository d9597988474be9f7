/**
 * POST /api/v1/transfer_in (deposit) and /api/v1/transfer_out (withdrawal):
 * body `{request_id, user_id, asset, amount}`; answer `data` = the accepted request
 * `{request_id, user_id, asset, amount}` (amount in whole units), or a 3xxx rejection (a
 * withdrawal the balance does not cover is 3001, never a success), or 5001 pending.
 */
import type { FastifyInstance } from "fastify";
import { formatAmount } from "../../domain/amount.ts";
import { type AssetInfo, assetById } from "../../domain/assets.ts";
import type { DepositOp, WithdrawOp } from "../../protocol/messages.ts";
import type { GatewayContext } from "../context.ts";
import { type Envelope, ok } from "../errors.ts";
import { rejection, submit, type Verdict } from "../results.ts";
import { parseTransfer, type TransferRequest } from "../validation.ts";
import { authed, type Call, ownedBody } from "./shared.ts";

export interface TransferAnswer {
  request_id: string;
  user_id: number;
  asset: string;
  amount: string;
}

/** The request as UBSCore accepted it (from the verdict's body when it carries it). */
function answerOf(v: Verdict, t: TransferRequest): TransferAnswer {
  let asset: AssetInfo = t.asset;
  let amount = t.amount;
  const b = v.body;
  if (typeof b.asset_id === "number") {
    try {
      asset = assetById(b.asset_id);
    } catch {
      // keep the request's asset
    }
  }
  if (typeof b.amount === "string" && /^\d+$/.test(b.amount)) amount = BigInt(b.amount);
  return {
    request_id: t.request_id,
    user_id: t.user_id,
    asset: asset.code,
    amount: formatAmount(amount, asset),
  };
}

async function transfer(ctx: GatewayContext, type: "deposit" | "withdraw", call: Call): Promise<Envelope> {
  const t = parseTransfer(ownedBody(call));
  const op: DepositOp | WithdrawOp = {
    type,
    v: 1,
    request_id: t.request_id,
    user_id: t.user_id,
    asset_id: t.asset.id,
    amount: t.amount.toString(),
    ts: ctx.ports.clock.now(),
  };
  const { verdict } = await submit(ctx, op, call.deadline);
  const data = answerOf(verdict, t);
  if (verdict.status !== "accepted")
    throw rejection(verdict, type === "deposit" ? "deposit" : "withdrawal", { ...data });
  return ok(data);
}

export function registerTransferRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post(
    "/api/v1/transfer_in",
    authed(ctx, (call) => transfer(ctx, "deposit", call)),
  );
  app.post(
    "/api/v1/transfer_out",
    authed(ctx, (call) => transfer(ctx, "withdraw", call)),
  );
}
