// Where everything of the local Kafka and Cassandra lives. One ignored folder, `.services/` at
// the repo root, holds the resolved jars (a cache: a second `up` downloads nothing), the rendered
// configs, the data, the logs and the pid files, so `git clean`-style resets stay simple.
import path from "node:path";

export type ServiceName = "kafka" | "cassandra";

/** This folder: the poms and config templates checked into git. */
export const TEMPLATES_DIR = import.meta.dirname;

export const REPO_ROOT = path.resolve(TEMPLATES_DIR, "..", "..");

/** Overridable so tests or a second checkout can keep a separate instance's state apart. */
export const SERVICES_DIR = path.resolve(
  process.env.TRADESIM_SERVICES_DIR ?? path.join(REPO_ROOT, ".services"),
);

export const LOGS_DIR = path.join(SERVICES_DIR, "logs");
export const RUN_DIR = path.join(SERVICES_DIR, "run");
export const LIB_DIR = path.join(SERVICES_DIR, "lib");

/** Rendered configs and data of one server; `down --wipe` deletes exactly this folder. */
export function serviceHome(name: ServiceName): string {
  return path.join(SERVICES_DIR, name);
}

export function pidFile(name: ServiceName): string {
  return path.join(RUN_DIR, `${name}.pid`);
}

/** What the server's own logger writes (log4j2 / logback). */
export function serverLog(name: ServiceName): string {
  return path.join(LOGS_DIR, `${name}.log`);
}

/** The JVM's stdout and stderr: JVM warnings and anything logged before the logger is up. */
export function consoleLog(name: ServiceName): string {
  return path.join(LOGS_DIR, `${name}.out`);
}

export function template(file: string): string {
  return path.join(TEMPLATES_DIR, file);
}
