/**
 * What every route does first: authenticate the caller, then make sure a `user_id` the request
 * names (body or query) is the caller's own, before any other validation, read or publish.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ApiKeyRecord, authenticate, requireOwner, splitUrl } from "../auth.ts";
import type { GatewayContext } from "../context.ts";
import type { Envelope } from "../errors.ts";
import { parseJsonObject, parseQueryString, parseUserId } from "../validation.ts";

export interface Call {
  req: FastifyRequest;
  caller: ApiKeyRecord;
  /** Clock ms when the request arrived; write requests answer by `deadline`. */
  started: number;
  deadline: number;
}

export type Handler = (call: Call) => Promise<Envelope>;

/** A fastify handler that authenticates, runs `fn` and sends its envelope (errors: app.ts). */
export function authed(ctx: GatewayContext, fn: Handler) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<Envelope> => {
    const started = ctx.ports.clock.now();
    const caller = await authenticate(ctx, req);
    const env = await fn({ req, caller, started, deadline: started + ctx.config.gatewayResultTimeoutMs });
    reply.code(200);
    return env;
  };
}

/** The JSON object body; a `user_id` in it must be the caller's (1006). */
export function ownedBody(call: Call): Record<string, unknown> {
  const body = parseJsonObject(call.req.body);
  if (body.user_id !== undefined) requireOwner(call.caller, parseUserId(body.user_id), "body");
  return body;
}

/** The query parameters; a `user_id` among them must be the caller's (1006). */
export function ownedQuery(call: Call): Record<string, string> {
  const q = parseQueryString(splitUrl(call.req.url).rawQuery);
  if (q.user_id !== undefined) requireOwner(call.caller, parseUserId(q.user_id), "query");
  return q;
}
