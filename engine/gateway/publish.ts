/**
 * Publishing an Operation to `balance.operations` (key = user_id), with retries; concurrent
 * requests share sends (coalesce.ts).
 *
 * A send can fail in ways that leave the outcome unknown (a request timeout after the broker
 * appended the message, a connection dropped before the ack). Retrying is always safe: every
 * operation carries its request_id and UBSCore applies each request id at most once, so a
 * duplicate in the log changes nothing. So the gateway retries every failed send (with a doubling
 * backoff on the Clock port) until it is acknowledged, or until a retry would start after the
 * request's deadline, or until the caller (results.ts) has the verdict. Without an ack or a
 * verdict by the deadline the answer is 5002 PUBLISH_UNCONFIRMED ("may or may not take effect,
 * repeat with the same id"), never "failed": the message may be in the log. Which errors are
 * retried is engine/common's isRetriableLogError: all but programming errors (TypeError,
 * RangeError).
 */
import { isRetriableLogError } from "../common/retry.ts";
import type { Operation } from "../protocol/messages.ts";
import { encode } from "../protocol/messages.ts";
import type { GatewayContext } from "./context.ts";
import { GatewayError } from "./errors.ts";

export const SEND_BACKOFF_FIRST_MS = 10;
export const SEND_BACKOFF_MAX_MS = 500;

export function unconfirmed(op: Operation): GatewayError {
  return new GatewayError(
    "PUBLISH_UNCONFIRMED",
    `could not confirm in time that request ${JSON.stringify(op.request_id)} was published; it may or may not take effect: repeat the request with the same ${op.type === "place" ? "cid" : "request_id"}`,
    { request_id: op.request_id, state: "unknown" },
  );
}

/** Lets the caller stop the retries once they are pointless (the verdict is already there). */
export interface PublishControl {
  stopped: boolean;
}

/**
 * Sends `op` until acknowledged. Throws PUBLISH_UNCONFIRMED when a retry would start after
 * `deadline` (clock ms); returns quietly once `control.stopped` is set. A single send may wait
 * long for a lost answer (kafkajs: `requestTimeout`, 30 s by default): the caller does not wait
 * for it (results.ts polls for the verdict meanwhile).
 */
export async function publishOperation(
  ctx: GatewayContext,
  op: Operation,
  deadline: number,
  control: PublishControl = { stopped: false },
): Promise<void> {
  const { clock, logger } = ctx.ports;
  const value = encode(op);
  let backoff = SEND_BACKOFF_FIRST_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.operations.send({ key: String(op.user_id), value });
      return;
    } catch (err) {
      if (control.stopped) return;
      if (!isRetriableLogError(err)) throw err;
      logger.warn("gateway: send to balance.operations failed; retrying", {
        request_id: op.request_id,
        attempt,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      if (clock.now() + backoff > deadline) throw unconfirmed(op);
      await clock.sleep(backoff);
      if (control.stopped) return;
      backoff = Math.min(backoff * 2, SEND_BACKOFF_MAX_MS);
    }
  }
}
