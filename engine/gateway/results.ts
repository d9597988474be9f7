/**
 * Submitting an operation and waiting for its verdict.
 *
 * The gateway never decides an outcome itself: UBSCore does, and Settlement writes each verdict
 * to the `requests` table, keyed by (user_id, request_id). A write request goes like this, with
 * one deadline = arrival + config.gatewayResultTimeoutMs, all waiting on the Clock port:
 *
 *  1. Idempotency: read requests(user_id, request_id). If a verdict exists, answer it again and
 *     publish nothing (same kind required, else 2030).
 *  2. Publish the Operation (publish.ts: retries until acknowledged, or until a retry would
 *     start after the deadline) and, at the same time,
 *  3. wait for the verdict UBSCore publishes (verdict-feed.ts), and poll requests(user_id,
 *     request_id) with a doubling backoff (POLL_FIRST_MS .. POLL_MAX_MS; FEED_POLL_* while the
 *     feed runs; the last sleep cut to the deadline) until the verdict is there or the deadline passes. The
 *     verdict ends the wait even if the send has not been acknowledged (its answer may be lost,
 *     and kafkajs waits 30 s for it): the operation evidently reached UBSCore.
 *  4. accepted -> the route's success answer; rejected -> a 3xxx code with UBSCore's reason;
 *     no verdict in time -> 5001 PENDING if the send was acknowledged, 5002 PUBLISH_UNCONFIRMED
 *     if not. Both mean "may still take effect": the client repeats the request with the same
 *     request_id (or cid); the repeat is answered from step 1 once the verdict exists, or
 *     re-published (UBSCore drops the duplicate) and waited for again.
 *
 * Nothing here is remembered between requests: a gateway that crashes mid-wait loses nothing, as
 * the client's repeat finds the verdict (or publishes again, harmlessly).
 */
import type { Operation, OpResult } from "../protocol/messages.ts";
import { TABLES } from "../schema/cql.ts";
import { type GatewayContext, table } from "./context.ts";
import { bigOrNull, run, text } from "./db.ts";
import { GatewayError, rejectionKind } from "./errors.ts";
import { type PublishControl, publishOperation, unconfirmed } from "./publish.ts";

export const POLL_FIRST_MS = 2;
export const POLL_MAX_MS = 100;
/** Polls while the verdict feed runs: a fallback only. */
export const FEED_POLL_FIRST_MS = 200;
export const FEED_POLL_MAX_MS = 1_000;

/** A verdict as UBSCore published it, in the shape of the `requests` row Settlement writes from it. */
function verdictOf(r: OpResult): Verdict {
  return {
    request_id: r.request_id,
    kind: r.kind,
    status: r.status,
    reason: r.reason,
    order_id: r.order_id,
    order_status: r.order_status,
    body: { ...r.body, order_status: r.order_status },
  };
}

export interface Verdict {
  request_id: string;
  /** The operation type the verdict is for (deposit, withdraw, place, cancel). */
  kind: string;
  status: "accepted" | "rejected";
  reason: string | null;
  /** Places (and cancels, when UBSCore knows it): the order id. */
  order_id: string | null;
  /**
   * Places and cancels: the order's status once the matching engine handled the command (UBSCore
   * publishes those verdicts only then; Settlement keeps it in the body as `order_status`).
   */
  order_status: string | null;
  /** The request as UBSCore accepted it (amounts in minor units); {} if absent or unreadable. */
  body: Record<string, unknown>;
}

function parseBody(raw: string | null): Record<string, unknown> {
  if (raw === null || raw === "") return {};
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The verdict on (user_id, request_id), or null if none was written yet. */
export async function readVerdict(
  ctx: GatewayContext,
  user_id: number,
  request_id: string,
): Promise<Verdict | null> {
  const row = (
    await run(
      ctx,
      `SELECT kind, status, reason, order_id, body FROM ${table(ctx.config, TABLES.requests)} WHERE user_id = ? AND request_id = ?`,
      [BigInt(user_id), request_id],
    )
  ).first();
  if (row === null) return null;
  const status = text(row, "status");
  if (status !== "accepted" && status !== "rejected") {
    throw new GatewayError("INTERNAL", `request ${JSON.stringify(request_id)} has an unrecognised verdict`, {
      request_id,
    });
  }
  const order_id = bigOrNull(row, "order_id");
  const body = parseBody(text(row, "body"));
  return {
    request_id,
    kind: text(row, "kind") ?? "",
    status,
    reason: text(row, "reason"),
    order_id: order_id === null ? null : order_id.toString(),
    order_status: typeof body.order_status === "string" ? body.order_status : null,
    body,
  };
}

export interface Submitted {
  verdict: Verdict;
  /** True if the verdict existed before this request (nothing was published). */
  replayed: boolean;
}

function checked(v: Verdict, op: Operation, replayed: boolean): Submitted {
  if (v.kind !== op.type) {
    throw new GatewayError(
      "REQUEST_ID_CONFLICT",
      `request id ${JSON.stringify(op.request_id)} was already used for a ${v.kind || "different"} request; this is a ${op.type}`,
      { request_id: op.request_id, used_for: v.kind },
    );
  }
  return { verdict: v, replayed };
}

/** Steps 1-3 of the module comment: the verdict on `op`, or a thrown 5001 / 5002 / 2030. */
export async function submit(ctx: GatewayContext, op: Operation, deadline: number): Promise<Submitted> {
  const earlier = await readVerdict(ctx, op.user_id, op.request_id);
  if (earlier !== null) return checked(earlier, op, true);
  const feed = ctx.verdicts.wait(op.user_id, op.request_id); // before publishing: no verdict slips by

  // Publish and poll for the verdict at the same time: a send whose answer was lost can take
  // long to fail (kafkajs waits requestTimeout), yet the operation may be in the log and even
  // decided; the verdict, not the send's answer, is what counts.
  const control: PublishControl = { stopped: false };
  let published: "sending" | "sent" | { error: unknown } = "sending";
  publishOperation(ctx, op, deadline, control).then(
    () => {
      published = "sent";
    },
    (error: unknown) => {
      published = { error };
    },
  );
  const { clock } = ctx.ports;
  // The published verdict usually arrives through the feed first (verdict-feed.ts); the table is
  // polled all the same (the feed may miss), less often while the feed runs.
  let pushed: OpResult | null = null;
  feed.promise.then((r) => {
    pushed = r;
  });
  let backoff = ctx.verdicts.live ? FEED_POLL_FIRST_MS : POLL_FIRST_MS;
  try {
    for (;;) {
      const p = published as "sending" | "sent" | { error: unknown };
      if (typeof p === "object" && !(p.error instanceof GatewayError)) throw p.error; // a bug, not a fault
      const left = deadline - clock.now();
      if (left <= 0) break;
      await Promise.race([clock.sleep(Math.min(backoff, left)), feed.promise]);
      const got = pushed as OpResult | null;
      if (got !== null) return checked(verdictOf(got), op, false);
      backoff = Math.min(backoff * 2, ctx.verdicts.live ? FEED_POLL_MAX_MS : POLL_MAX_MS);
      try {
        const v = await readVerdict(ctx, op.user_id, op.request_id);
        if (v !== null) return checked(v, op, false);
      } catch (err) {
        // The store being briefly unavailable is no answer: keep polling until the deadline.
        if (!(err instanceof GatewayError && err.kind === "STORE_UNAVAILABLE")) throw err;
      }
    }
  } finally {
    control.stopped = true;
    feed.cancel();
  }
  const p = published as "sending" | "sent" | { error: unknown };
  if (p !== "sent") {
    ctx.ports.logger.warn("gateway: publish not confirmed in time", { request_id: op.request_id });
    throw typeof p === "object" ? p.error : unconfirmed(op);
  }
  ctx.ports.logger.warn("gateway: no verdict in time; answering pending", { request_id: op.request_id });
  throw new GatewayError(
    "PENDING",
    `request ${JSON.stringify(op.request_id)} is pending: no verdict within ${ctx.config.gatewayResultTimeoutMs} ms; repeat it with the same ${op.type === "place" ? "cid" : "request_id"} to learn the outcome`,
    { request_id: op.request_id, state: "pending" },
  );
}

/** The failure answer for a rejected verdict: its 3xxx code, the reason, and `data`. */
export function rejection(v: Verdict, what: string, data: Record<string, unknown>): GatewayError {
  return new GatewayError(rejectionKind(v.reason), `${what} rejected: ${v.reason ?? "no reason given"}`, {
    ...data,
    request_id: v.request_id,
    reason: v.reason,
  });
}
