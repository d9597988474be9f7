/**
 * The open-loop load shape: requests arrive at a fixed rate whatever the exchange's answers,
 * like a load generator (wrk2), instead of clients that wait for each answer. Many requests are
 * in flight at once, so the services see batches, and cancels, retries and fills race harder.
 *
 * Every request step is sent without waiting (`async`), except the opening deposits (everyone
 * must have funds before trading starts); after every `perTick` requests the clock advances
 * LOAD_TICK_MS. Other steps (reads, crashes, restarts, advances) keep their place.
 */
import type { Step } from "../format.ts";

export const LOAD_TICK_MS = 5;

const isRequest = (s: Step): boolean =>
  s.op === "deposit" || s.op === "withdraw" || s.op === "place" || s.op === "cancel";

export function openLoop(steps: readonly Step[], perTick: number): Step[] {
  if (!Number.isSafeInteger(perTick) || perTick < 1)
    throw new Error(`load: ${perTick} is not a whole number of requests per ${LOAD_TICK_MS} ms (>= 1)`);
  const out: Step[] = [];
  let inTick = 0;
  for (const s of steps) {
    const opening = s.op === "deposit" && (s.request_id ?? "").startsWith("seed-");
    if (!isRequest(s) || opening) {
      out.push(s);
      continue;
    }
    out.push({ ...s, async: true } as Step);
    if (++inTick === perTick) {
      out.push({ op: "advance", ms: LOAD_TICK_MS });
      inTick = 0;
    }
  }
  return out;
}
