/**
 * Scenario request steps → gateway requests (DOMAIN.md API). Pure: the request a step sends
 * depends only on the step and its index, so a retried step sends the same request id.
 */
import type { StepOf } from "../../scenarios/format.ts";
import type { ClientRequest } from "../world/client.ts";

export type RequestStep = StepOf<"deposit"> | StepOf<"withdraw"> | StepOf<"place"> | StepOf<"cancel">;

export function isRequestStep(s: { op: string }): s is RequestStep {
  return s.op === "deposit" || s.op === "withdraw" || s.op === "place" || s.op === "cancel";
}

export function requestFor(step: RequestStep, index: number): ClientRequest {
  switch (step.op) {
    case "deposit":
    case "withdraw":
      return {
        method: "POST",
        path: step.op === "deposit" ? "/api/v1/transfer_in" : "/api/v1/transfer_out",
        body: {
          request_id: step.request_id ?? `${step.op}-${index}`,
          user_id: step.user,
          asset: step.asset,
          amount: step.amount,
        },
      };
    case "place": {
      const body: Record<string, unknown> = {
        cid: step.cid ?? `cid-${index}`,
        symbol: step.symbol,
        side: step.side,
        quantity: step.qty,
        order_type: step.type,
      };
      if (step.price !== undefined) body.price = step.price;
      if (step.tif !== undefined) body.time_in_force = step.tif;
      if (step.post_only !== undefined) body.post_only = step.post_only;
      return { method: "POST", path: "/api/orders", body };
    }
    case "cancel": {
      const body: Record<string, unknown> =
        step.cid !== undefined ? { cid: step.cid } : { order_id: step.order_id };
      if (step.request_id !== undefined) body.request_id = step.request_id;
      return { method: "POST", path: "/api/orders/cancel", body };
    }
  }
}

/** Gateway answers that mean "not decided yet / try again with the same request id". */
export function isRetryable(status: number): boolean {
  return status >= 5000;
}
