/**
 * Publishing an Operation to `balance.operations` (key = user_id), with retries.
 *
 * A send can fail in ways that leave the outcome unknown (a request timeout after the broker
 * appended the message, a connection dropped before the ack). Retrying is always safe: every
 * operation carries its request_id and UBSCore applies each request id at most once, so a
 * duplicate in the log changes nothing. So the gateway retries every failed send (with a doubling
 * backoff on the Clock port) until it is acknowledged or the request's deadline passes; then it
 * answers 5002 PUBLISH_UNCONFIRMED ("may or may not take effect, repeat with the same id"), never
 * "failed", because the message may be in the log. Which errors are retried is engine/common's
 * isRetriableLogError: all but programming errors (TypeError, RangeError).
 */
import { isRetriableLogError } from "../common/retry.ts";
import type { Operation } from "../protocol/messages.ts";
import { encode } from "../protocol/messages.ts";
import { TOPICS } from "../protocol/topics.ts";
import { beforeDeadline, type GatewayContext, TIMED_OUT } from "./context.ts";
import { GatewayError } from "./errors.ts";

export const SEND_BACKOFF_FIRST_MS = 10;
export const SEND_BACKOFF_MAX_MS = 500;

function unconfirmed(op: Operation, attempts: number): GatewayError {
  return new GatewayError(
    "PUBLISH_UNCONFIRMED",
    `could not confirm that request ${JSON.stringify(op.request_id)} was published (${attempts} attempt(s)); it may or may not take effect: repeat the request with the same ${op.type === "place" ? "cid" : "request_id"}`,
    { request_id: op.request_id, state: "unknown" },
  );
}

/**
 * Sends `op` until acknowledged; throws PUBLISH_UNCONFIRMED once `deadline` (clock ms) has
 * passed, also while a send is still waiting for its answer (kafkajs waits `requestTimeout`,
 * 30 s by default, for an answer that was lost: the send goes on in the background).
 */
export async function publishOperation(ctx: GatewayContext, op: Operation, deadline: number): Promise<void> {
  const { clock, logger } = ctx.ports;
  const value = encode(op);
  const send = async (): Promise<void> => {
    const producer = await ctx.producer();
    await producer.send({
      topic: TOPICS.operations,
      messages: [{ key: String(op.user_id), value }],
      acks: -1,
    });
  };
  let backoff = SEND_BACKOFF_FIRST_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      if ((await beforeDeadline(clock, send(), deadline)) === TIMED_OUT) throw unconfirmed(op, attempt);
      return;
    } catch (err) {
      if (err instanceof GatewayError || !isRetriableLogError(err)) throw err;
      logger.warn("gateway: send to balance.operations failed; retrying", {
        request_id: op.request_id,
        attempt,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      if (clock.now() + backoff > deadline) throw unconfirmed(op, attempt);
      await clock.sleep(backoff);
      backoff = Math.min(backoff * 2, SEND_BACKOFF_MAX_MS);
    }
  }
}
