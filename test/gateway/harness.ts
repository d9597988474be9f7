/** A gateway on the fake world, with signed-request helpers for the tests. */
import { PassThrough } from "node:stream";
import type { FastifyInstance } from "fastify";
import { defaultConfig, type EngineConfig } from "../../engine/config.ts";
import { buildGateway, type Envelope, provisionApiKey, signRequest } from "../../engine/gateway/index.ts";
import { drive, makeWorld, type World } from "./fakes.ts";

export const ALICE = 1001;
export const BOB = 1002;

export const KEYS: Record<number, { key: string; secret: string }> = {
  [ALICE]: { key: "key-alice", secret: "secret-alice" },
  [BOB]: { key: "key-bob", secret: "secret-bob" },
};

export interface Gw {
  app: FastifyInstance;
  world: World;
  config: EngineConfig;
}

export async function setup(overrides: Partial<EngineConfig> = {}, provision = true): Promise<Gw> {
  const world = makeWorld();
  const config = defaultConfig(overrides);
  if (provision) {
    for (const [user, k] of Object.entries(KEYS)) {
      await drive(
        world.sched,
        provisionApiKey(world.ports.store, defaultConfig(), { user_id: Number(user), ...k }),
      );
    }
  }
  const app = buildGateway(world.ports, config);
  await app.ready();
  return { app, world, config };
}

export interface CallOptions {
  method?: "GET" | "POST";
  query?: Record<string, string | number>;
  body?: unknown;
  /** Defaults to the gateway clock's now. */
  timestamp?: number;
  key?: string;
  secret?: string;
  /** Replace or drop (undefined) headers after signing. */
  headers?: Record<string, string | undefined>;
  /** Send this URL instead of the signed one (to tamper with the query). */
  url?: string;
  /** Send this body instead of the signed one (to tamper with it). */
  rawBody?: string;
}

export interface Answer<T = unknown> {
  http: number;
  env: Envelope<T>;
}

/**
 * The body as a stream: light-my-request delivers a string payload's end with setImmediate, which
 * the scheduler runs only when its queue is empty; a stream payload needs no macrotask, so a
 * request also goes through while the simulated world is busy.
 */
export function streamOf(body: string): PassThrough | undefined {
  if (body === "") return undefined;
  const s = new PassThrough();
  s.end(Buffer.from(body, "utf8"));
  return s;
}

/** A signed request as `user` (their key unless overridden), driven to completion. */
export async function call<T = unknown>(
  gw: Gw,
  user: number,
  path: string,
  opts: CallOptions = {},
): Promise<Answer<T>> {
  const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
  const k = KEYS[user] ?? { key: `key-${user}`, secret: `secret-${user}` };
  const signed = signRequest({
    method,
    path,
    query: opts.query,
    body: opts.body,
    key: opts.key ?? k.key,
    secret: opts.secret ?? k.secret,
    timestamp: opts.timestamp ?? gw.world.clock.now(),
  });
  const headers: Record<string, string> = { ...signed.headers };
  for (const [h, v] of Object.entries(opts.headers ?? {})) {
    if (v === undefined) delete headers[h];
    else headers[h] = v;
  }
  const res = await drive(
    gw.world.sched,
    gw.app.inject({
      method,
      url: opts.url ?? signed.url,
      headers,
      payload: streamOf(opts.rawBody ?? signed.body),
    }),
  );
  return { http: res.statusCode, env: res.json() as Envelope<T> };
}

/** Convenience: a deposit of `amount` `asset` to `user`, expected to succeed. */
export async function deposit(gw: Gw, user: number, asset: string, amount: string, request_id: string) {
  const a = await call(gw, user, "/api/v1/transfer_in", {
    body: { request_id, user_id: user, asset, amount },
  });
  if (a.env.status !== 0) throw new Error(`deposit failed: ${JSON.stringify(a.env)}`);
  return a;
}

export function publishedCount(gw: Gw): number {
  return gw.world.log.operations().length;
}
