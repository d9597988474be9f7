/**
 * `tradesim serve --adapters real`: the whole exchange on real Kafka and Cassandra, with the HTTP
 * gateway listening (127.0.0.1:3001 by default). Topics carry DOMAIN.md's names (no namespace),
 * the keyspace is `trading`, and a demo user gets an API key so the API can be tried with curl
 * (the requests are signed: real/sign.ts prints a ready curl line).
 */
import { randomBytes } from "node:crypto";
import { LogCollector } from "../engine/adapters/real/logger.ts";
import { defaultConfig } from "../engine/config.ts";
import { signRequest } from "../engine/gateway/signing.ts";
import { filterKafkajsWarning, RealEnv } from "./env.ts";
import { RealExchange } from "./exchange.ts";

export interface ServeOptions {
  host?: string;
  port?: number;
  keyspace?: string;
  /** Topic namespace ("" = DOMAIN.md's topic names). */
  topicPrefix?: string;
  /** User to provision a demo API key for (null: none). */
  demoUser?: number | null;
  /** Log lines (services starting, warnings of the services); default stderr. */
  log?: (line: string) => void;
  /** Also echo the services' info lines. */
  verbose?: boolean;
}

export interface Served {
  url: string;
  keyspace: string;
  brokers: string[];
  contactPoints: string[];
  demo: { user: number; key: string; secret: string } | null;
  exchange: RealExchange;
  stop(): Promise<void>;
}

export async function serve(opts: ServeOptions = {}): Promise<Served> {
  filterKafkajsWarning();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const keyspace = opts.keyspace ?? "trading";
  const env = await RealEnv.open({ keyspace, log: (line) => log(`[services] ${line}`) });
  const logs = new LogCollector({ echo: log, echoMin: opts.verbose ? "info" : "warn" });
  const exchange = new RealExchange({
    endpoints: env.endpoints,
    config: defaultConfig({ keyspace }),
    topicPrefix: opts.topicPrefix ?? "",
    logs,
    activity: env.activity,
    host: opts.host ?? "127.0.0.1",
    port: opts.port ?? 3001,
  });
  const demoUser = opts.demoUser === undefined ? 1001 : opts.demoUser;
  const demo =
    demoUser === null
      ? null
      : {
          user: demoUser,
          key: `demo-${demoUser}-${randomBytes(4).toString("hex")}`,
          secret: randomBytes(16).toString("hex"),
        };
  try {
    await exchange.bootstrap(demo === null ? [] : [[demo.user, { key: demo.key, secret: demo.secret }]]);
    await exchange.startAll();
    const failed = exchange.failures[0];
    if (failed !== undefined) throw new Error(`${failed.service} did not start: ${failed.error}`);
  } catch (err) {
    await exchange.stop();
    await env.close();
    throw err;
  }
  return {
    url: exchange.url() ?? `http://${opts.host ?? "127.0.0.1"}:${exchange.gatewayPort}`,
    keyspace,
    brokers: env.endpoints.kafka.brokers,
    contactPoints: env.endpoints.cassandra.contactPoints,
    demo,
    exchange,
    stop: async () => {
      await exchange.stop();
      await env.close();
    },
  };
}

/** A curl command for a signed request (valid for the gateway's auth window: 30 s by default). */
export function curlLine(input: {
  base: string;
  method: string;
  path: string;
  body?: string;
  key: string;
  secret: string;
  timestamp?: number;
}): string {
  const signed = signRequest({
    method: input.method,
    path: input.path,
    body: input.body,
    key: input.key,
    secret: input.secret,
    timestamp: input.timestamp ?? Date.now(),
  });
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const parts = ["curl -s", signed.method === "GET" ? "" : `-X ${signed.method}`, q(input.base + signed.url)];
  for (const [h, v] of Object.entries(signed.headers)) parts.push(`-H ${q(`${h}: ${v}`)}`);
  if (signed.body !== "") parts.push(`--data-raw ${q(signed.body)}`);
  return parts.filter((p) => p !== "").join(" ");
}
