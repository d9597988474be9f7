/**
 * The simulated exchange client: signs requests like a real caller and sends them to the
 * gateway in-process (`app.inject`, no sockets). A request to a crashed gateway is refused at
 * once; one whose answer does not come within the client's timeout (virtual time) is reported as
 * unanswered: the caller decides whether to retry with the same request id.
 */
import { PassThrough } from "node:stream";
import type { FastifyInstance } from "fastify";
import { signRequest } from "../../engine/gateway/signing.ts";
import type { Scheduler } from "../kernel/scheduler.ts";
import { SIM_EPOCH_MS } from "../ports/clock.ts";

export interface Envelope {
  status: number;
  msg: string;
  data: unknown;
}

export type ClientAnswer =
  | { kind: "answer"; http: number; envelope: Envelope }
  | { kind: "no-answer"; reason: "gateway-down" | "timeout" };

export interface Credentials {
  key: string;
  secret: string;
}

export interface ClientRequest {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
}

export class SimClient {
  private readonly sched: Scheduler;
  private readonly gateway: () => FastifyInstance | null;
  private readonly timeoutMs: number;

  constructor(sched: Scheduler, gateway: () => FastifyInstance | null, timeoutMs = 10_000) {
    this.sched = sched;
    this.gateway = gateway;
    this.timeoutMs = timeoutMs;
  }

  request(creds: Credentials, req: ClientRequest): Promise<ClientAnswer> {
    const app = this.gateway();
    if (app === null) return Promise.resolve({ kind: "no-answer", reason: "gateway-down" });
    const signed = signRequest({
      method: req.method,
      path: req.path,
      query: req.query,
      body: req.body,
      key: creds.key,
      secret: creds.secret,
      timestamp: SIM_EPOCH_MS + Math.floor(this.sched.now() / 1000),
    });
    const d = this.sched.deferred<ClientAnswer>();
    const timer = this.sched.after(this.timeoutMs * 1000, "client timeout", () =>
      d.resolve({ kind: "no-answer", reason: "timeout" }),
    );
    this.sched
      .external(
        app.inject({
          method: signed.method as "GET" | "POST",
          url: signed.url,
          headers: signed.headers,
          // A stream body, not a string: the injection library ends a string payload with
          // setImmediate, but a pre-ended stream only needs ticks, which the kernel drains.
          payload: streamOf(signed.body),
        }),
        d.promise,
      )
      .then(
        (res) => {
          this.sched.cancel(timer);
          let envelope: Envelope;
          try {
            envelope = JSON.parse(res.body) as Envelope;
          } catch {
            envelope = { status: -1, msg: `not JSON: ${res.body.slice(0, 200)}`, data: null };
          }
          d.resolve({ kind: "answer", http: res.statusCode, envelope });
        },
        (err: unknown) => {
          this.sched.cancel(timer);
          d.resolve({ kind: "answer", http: 0, envelope: { status: -1, msg: String(err), data: null } });
        },
      );
    return d.promise;
  }
}

function streamOf(body: string): PassThrough | undefined {
  if (body === "") return undefined;
  const s = new PassThrough();
  s.end(Buffer.from(body, "utf8"));
  return s;
}
