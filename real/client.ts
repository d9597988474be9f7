/**
 * The real-mode exchange client: signs requests like any caller (engine/gateway/signing.ts) and
 * sends them over HTTP to the gateway listening on 127.0.0.1. Answers have the simulator's
 * shape (sim/world/client.ts): a refused or reset connection is "gateway-down" (a crashed
 * gateway closes every socket), no answer within the client timeout is "timeout". Counts the
 * requests in flight (part of the quiescence rule).
 */
import { signRequest } from "../engine/gateway/signing.ts";
import type { ClientAnswer, ClientRequest, Credentials, Envelope } from "../sim/world/client.ts";

export class RealClient {
  /** Requests sent and not answered yet. */
  inFlight = 0;
  /** Requests answered (any way): changes whenever one completes. */
  completed = 0;
  private readonly baseUrl: () => string | null;
  private readonly timeoutMs: number;

  /** `baseUrl` answers the gateway's current URL, or null while it is down. */
  constructor(baseUrl: () => string | null, timeoutMs = 15_000) {
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
  }

  async request(creds: Credentials, req: ClientRequest): Promise<ClientAnswer> {
    const base = this.baseUrl();
    if (base === null) return { kind: "no-answer", reason: "gateway-down" };
    const signed = signRequest({
      method: req.method,
      path: req.path,
      query: req.query,
      body: req.body,
      key: creds.key,
      secret: creds.secret,
      timestamp: Date.now(),
    });
    this.inFlight++;
    try {
      const res = await fetch(base + signed.url, {
        method: signed.method,
        headers: signed.headers,
        body: signed.body === "" ? undefined : signed.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      let envelope: Envelope;
      try {
        envelope = JSON.parse(text) as Envelope;
      } catch {
        envelope = { status: -1, msg: `not JSON: ${text.slice(0, 200)}`, data: null };
      }
      return { kind: "answer", http: res.status, envelope };
    } catch (err) {
      const e = err as Error;
      if (e.name === "TimeoutError" || e.name === "AbortError")
        return { kind: "no-answer", reason: "timeout" };
      // fetch failed: connection refused, reset, or closed by a crashing gateway.
      return { kind: "no-answer", reason: "gateway-down" };
    } finally {
      this.inFlight--;
      this.completed++;
    }
  }
}
