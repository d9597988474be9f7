/**
 * `tradesim serve --adapters real [--port 3001] [--host 127.0.0.1] [--keyspace trading]
 * [--demo-user 1001 | --no-demo] [--verbose]`: the exchange itself, on real Kafka and Cassandra
 * (started or reused through scripts/services), with the HTTP gateway listening. Runs until
 * Ctrl-C (SIGINT) or SIGTERM, then stops the services' clients (Kafka and Cassandra keep running:
 * `npm run services:down` stops them). `--adapters sim` is refused: the simulator has no wall clock
 * or network to serve on.
 */
import type { Command } from "commander";
import { EXIT, parseChoice, parseIntFlag, UsageError } from "../usage.ts";

interface ServeFlags {
  adapters: string;
  port: string;
  host: string;
  keyspace: string;
  demoUser: string;
  demo: boolean;
  verbose?: boolean;
}

export function register(program: Command): void {
  program
    .command("serve")
    .description("run the exchange on real Kafka and Cassandra with the HTTP gateway listening")
    .option("--adapters <kind>", "real (sim is refused: nothing to serve on)", "real")
    .option("--port <n>", "gateway port", "3001")
    .option("--host <addr>", "gateway address", "127.0.0.1")
    .option("--keyspace <name>", "Cassandra keyspace", "trading")
    .option("--demo-user <id>", "user id that gets a demo API key", "1001")
    .option("--no-demo", "provision no demo API key")
    .option("--verbose", "also print the services' info lines")
    .action(async (flags: ServeFlags) => {
      const adapters = parseChoice(flags.adapters, "--adapters", ["sim", "real"] as const);
      if (adapters === "sim")
        throw new UsageError(
          "serve --adapters sim: the simulator runs on virtual time with no network, so there is nothing to serve; use `tradesim serve --adapters real` (real Kafka and Cassandra), or `tradesim run|replay` for the simulator",
        );
      const port = parseIntFlag(flags.port, "--port", 1);
      if (port > 65535) throw new UsageError(`--port: ${port} is not a port number`);
      const demoUser = flags.demo ? parseIntFlag(flags.demoUser, "--demo-user", 1) : null;
      if (!/^[a-z_][a-z0-9_]*$/.test(flags.keyspace))
        throw new UsageError(
          `--keyspace: ${JSON.stringify(flags.keyspace)} is not a keyspace name (a-z, 0-9, _)`,
        );
      const { serve, curlLine } = await import("../../real/serve.ts");
      const log = (line: string) => process.stderr.write(`${line}\n`);
      log("starting Kafka and Cassandra (or reusing them), then the exchange...");
      const s = await serve({
        host: flags.host,
        port,
        keyspace: flags.keyspace,
        demoUser,
        log,
        verbose: !!flags.verbose,
      });
      const out = (line = "") => console.log(line);
      out(`tradesim serve: the exchange is up; gateway on ${s.url}`);
      out(`  Kafka ${s.brokers.join(",")} (topics balance.operations, validated_orders, engine.outputs,`);
      out(
        `  balance.events, ubscore.results, ubscore.journal), Cassandra ${s.contactPoints.join(",")} keyspace ${s.keyspace}`,
      );
      if (s.demo !== null) {
        const { user, key, secret } = s.demo;
        const balance = `/api/user/balance?user_id=${user}`;
        const deposit = JSON.stringify({
          request_id: `dep-${Date.now()}`,
          user_id: user,
          asset: "BTC",
          amount: "1",
        });
        out();
        out(`demo user ${user}: api key ${key}  secret ${secret}`);
        out("requests are signed (x-api-key, x-timestamp, x-signature; valid 30 s). Balance, ready now:");
        out(`  ${curlLine({ base: s.url, method: "GET", path: balance, key, secret })}`);
        out("sign fresh ones with real/sign.ts (prints the curl line; --send sends it):");
        out(`  npx node real/sign.ts --base ${s.url} --key ${key} --secret ${secret} GET '${balance}'`);
        out(
          `  npx node real/sign.ts --base ${s.url} --key ${key} --secret ${secret} --send POST /api/v1/transfer_in '${deposit}'`,
        );
      }
      out();
      out("Ctrl-C stops the exchange (Kafka and Cassandra keep running: npm run services:down).");
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        process.once("SIGINT", done);
        process.once("SIGTERM", done);
      });
      log("stopping...");
      await s.stop();
      process.exitCode = EXIT.ok;
    });
}
