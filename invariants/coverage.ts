/**
 * Coverage of rare events ("sometimes" assertions, after Antithesis and FoundationDB's
 * TEST/BUGGIFY counters): how often each interesting situation happened in a run. A campaign
 * sums them and names any that never happened, so a harness that silently stopped reaching a
 * situation (a cancel racing a fill, a crash between a write and its commit) is noticed.
 */
import type { StepFeed } from "./auditor.ts";

export const RARE_EVENTS = {
  "partial-fill": "an order filled in part and stayed open or was cancelled",
  "cancel-racing-fill": "a cancel arrived at the ME after its order had already filled completely",
  "stp-fired": "self-trade prevention cancelled an order's remainder",
  "post-only-rejected": "a post-only order was rejected because it would take",
  "fok-killed": "a fill-or-kill order could not fill completely and was cancelled",
  "ioc-remainder-cancelled": "an IOC order's unfilled rest was cancelled",
  "market-unfilled": "a market order could not fill completely",
  "withdraw-rejected": "a withdrawal was rejected as not covered",
  "balance-exactly-zero": "a user's balance of an asset returned to exactly zero",
  "duplicate-output-delivered":
    "a message was appended twice (an engine output, or a balance event re-published after a UBSCore restart) and its consumers deduplicated it",
  "retried-request-id": "a request id reached UBSCore more than once",
  "crash-with-uncommitted-input": "a service crashed with input it had consumed but not committed",
  "client-retry": "a client retried a request with the same request id",
  "recovered-from-snapshot":
    "a restarted UBSCore or matching engine recovered from a snapshot, not from offset 0",
} as const;

export type RareEvent = keyof typeof RARE_EVENTS;

export class Coverage {
  private readonly n = new Map<RareEvent, number>();
  private readonly seenOutputs = new Set<string>();
  private readonly seenBalanceEvents = new Set<string>();
  private readonly seenRequests = new Set<string>();
  private readonly filled = new Set<string>();

  hit(e: RareEvent, times = 1): void {
    this.n.set(e, (this.n.get(e) ?? 0) + times);
  }

  /** Learns from what was appended in one step (O(new records)). */
  observe(feed: StepFeed): void {
    for (const { msg: o } of feed.outputs) {
      const key = `${o.symbol_id}:${o.output_seq}`;
      if (this.seenOutputs.has(key)) {
        this.hit("duplicate-output-delivered");
        continue;
      }
      this.seenOutputs.add(key);
      for (const e of o.events) {
        if (e.type === "order") {
          if (e.status === "PartiallyFilled" || (e.status === "Cancelled" && e.filled_qty !== "0"))
            this.hit("partial-fill");
          if (e.status === "Filled") this.filled.add(e.order_id);
          if (e.status === "Cancelled" && e.reason === "stp") this.hit("stp-fired");
          if (e.status === "Cancelled" && e.reason === "fok") this.hit("fok-killed");
          if (e.status === "Cancelled" && e.reason === "ioc") this.hit("ioc-remainder-cancelled");
          if (e.status === "Cancelled" && e.reason === "market-unfilled") this.hit("market-unfilled");
          if (e.status === "Rejected" && e.reason === "post-only-would-take") this.hit("post-only-rejected");
        } else if (e.type === "reject" && e.command === "cancel" && this.filled.has(e.order_id)) {
          this.hit("cancel-racing-fill");
        }
      }
    }
    for (const { msg: r } of feed.results) {
      if (r.kind === "withdraw" && r.status === "rejected") this.hit("withdraw-rejected");
      const key = `${r.user_id}:${r.request_id}`;
      if (this.seenRequests.has(key)) this.hit("retried-request-id");
      else this.seenRequests.add(key);
    }
    for (const { msg: e } of feed.balanceEvents) {
      const key = `${e.user_id}:${e.asset_id}:${e.seq}`;
      if (this.seenBalanceEvents.has(key)) this.hit("duplicate-output-delivered");
      else this.seenBalanceEvents.add(key);
      if (
        e.user_id > 0 &&
        e.avail === "0" &&
        e.frozen === "0" &&
        (e.delta_avail !== "0" || e.delta_frozen !== "0")
      )
        this.hit("balance-exactly-zero");
    }
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of Object.keys(RARE_EVENTS) as RareEvent[]) out[k] = this.n.get(k) ?? 0;
    return out;
  }
}
