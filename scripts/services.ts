// Real Kafka and Cassandra on 127.0.0.1 for real mode, from Maven Central jars (no Docker).
//
//   npm run services:up          start both, or reuse them if already up; prints startup times
//   npm run services:down        stop both (data kept);  -- --wipe  also deletes their data
//   npx node scripts/services.ts status | restart kafka|cassandra
//
// The work is done by scripts/services/control.ts (also usable from tests); see
// scripts/services/README.md for versions, JVM flags and measured times.
import { argv } from "zx";
import {
  CASSANDRA_VERSION,
  KAFKA_VERSION,
  restartCassandra,
  restartKafka,
  SERVICES_DIR,
  servicesDown,
  servicesStatus,
  servicesUp,
} from "./services/control.ts";

const USAGE = `usage: npx node scripts/services.ts <command>
  up                         start Kafka ${KAFKA_VERSION} and Cassandra ${CASSANDRA_VERSION} (reuse if running)
  down [--wipe]              stop both; --wipe also deletes their data
  status                     show what runs; exit code 0 only if both answer
  restart kafka|cassandra    stop and start one server, keeping its data`;

const log = (line: string): void => console.log(line);

async function main(): Promise<number> {
  const [command, target, ...extra] = argv._.map(String);
  switch (command) {
    case "up":
      return up();
    case "down":
      await servicesDown({ log, wipe: Boolean(argv.wipe) });
      return 0;
    case "status":
      return status();
    case "restart":
      if (extra.length > 0) return usage(`unexpected argument ${extra[0]}`);
      if (target === "kafka") await restartKafka({ log });
      else if (target === "cassandra") await restartCassandra({ log });
      else return usage(`restart what? expected kafka or cassandra, got ${target ?? "nothing"}`);
      return 0;
    default:
      return usage(command ? `unknown command ${command}` : "no command given");
  }
}

async function up(): Promise<number> {
  const t0 = performance.now();
  const { kafka, cassandra } = await servicesUp({ log });
  log(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  log(`  kafka brokers:           ${kafka.brokers.join(",")}`);
  log(`  cassandra contactPoints: ${cassandra.contactPoints.join(",")} (${cassandra.localDataCenter})`);
  log(`  state, logs and jars in  ${SERVICES_DIR}`);
  return 0;
}

async function status(): Promise<number> {
  const statuses = await servicesStatus();
  for (const s of statuses) {
    const state =
      s.pid === undefined ? "down" : `${s.answering ? "up" : "running, not answering"} (pid ${s.pid})`;
    log(`${s.name.padEnd(10)} ${state}`);
  }
  return statuses.every((s) => s.answering) ? 0 : 1;
}

function usage(problem: string): number {
  console.error(`${problem}\n${USAGE}`);
  return 2;
}

// kafkajs 2.2.4 arms a timer with a negative delay, which Node 24 reports as a
// TimeoutNegativeWarning on every run; harmless (Node uses 1 ms), so keep it off this CLI's output.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "TimeoutNegativeWarning") console.error(`${warning.name}: ${warning.message}`);
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
