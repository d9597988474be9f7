/**
 * The gateway's fastify instance, assembled but not listening: the simulator drives it in-process
 * with `app.inject()` (no sockets); real mode calls `app.listen({port: 3001, host: "127.0.0.1"})`.
 *
 * Determinism: every wait in a handler goes through the Clock port (clock.sleep), never a timer.
 * Fastify's own timers are off: no logger (so no timestamps; diagnostics go to the Logger port),
 * pluginTimeout 0 (avvio sets no plugin/ready timers), no handlerTimeout (the default, 0), and
 * requestTimeout / connectionTimeout 0 (socket-only anyway; inject has no socket). There are no
 * plugins to load, so `ready()` only runs process.nextTick callbacks. Call `await app.ready()`
 * before driving it under the scheduler, so the first inject does not also boot the instance.
 *
 * Note for in-process callers (the simulator): light-my-request ends a string/Buffer payload with
 * setImmediate, which the deterministic scheduler runs only when its event queue is empty, so in a
 * busy world a POST would not start until everything else is quiet. Pass the body as a stream
 * (a PassThrough ended with the exact signed bytes): that path needs no macrotask.
 *
 * Bodies are kept as raw text (one catch-all content parser): the signature covers the exact
 * bytes sent, and the routes parse the JSON themselves, answering 2001 for anything that is not
 * a JSON object. Every answer, also for unknown routes and fastify's own errors, is the
 * `{status, msg, data}` envelope (errors.ts).
 */
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { EngineConfig } from "../config.ts";
import type { Ports } from "../ports/index.ts";
import { createContext } from "./context.ts";
import { ERRORS, GatewayError } from "./errors.ts";
import { registerOrderRoutes } from "./routes/orders.ts";
import { registerTransferRoutes } from "./routes/transfers.ts";
import { registerUserRoutes } from "./routes/user.ts";

/** Largest accepted body (bytes); a bigger one is answered 2001. */
export const BODY_LIMIT = 64 * 1024;

export function buildGateway(ports: Ports, config: EngineConfig): FastifyInstance {
  const ctx = createContext(ports, config);
  const app = Fastify({
    logger: false,
    pluginTimeout: 0,
    requestTimeout: 0,
    connectionTimeout: 0,
    bodyLimit: BODY_LIMIT,
    exposeHeadRoutes: false,
    return503OnClosing: false,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.setNotFoundHandler(async (req, reply) => {
    const e = new GatewayError("UNKNOWN_ROUTE", `no route ${req.method} ${req.url.split("?")[0]}`);
    return reply.code(e.http).send(e.envelope());
  });

  app.setErrorHandler(async (err: FastifyError | GatewayError | Error, req, reply) => {
    let e: GatewayError;
    if (err instanceof GatewayError) {
      e = err;
    } else {
      const status = (err as FastifyError).statusCode;
      if (typeof status === "number" && status >= 400 && status < 500) {
        // fastify's own request errors: body too large, unreadable body, bad content type
        e = new GatewayError("BAD_BODY", `bad request body: ${err.message}`);
      } else {
        ports.logger.error("gateway: internal error", {
          method: req.method,
          url: req.url,
          error: `${err.name}: ${err.message}`,
        });
        e = new GatewayError("INTERNAL", `${ERRORS.INTERNAL.summary}: ${err.name}`);
      }
    }
    return reply.code(e.http).send(e.envelope());
  });

  app.addHook("onClose", async () => {
    await ctx.verdicts.stop();
  });

  registerTransferRoutes(app, ctx);
  registerOrderRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  return app;
}
