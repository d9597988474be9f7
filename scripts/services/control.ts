// Start and stop the real Kafka and Cassandra used by real mode, from tests and scripts.
// `scripts/services.ts` is the command-line face of this module.
//
//   const { kafka, cassandra } = await servicesUp();   // reuses running servers
//   await restartKafka();                               // fault injection: data is kept
//   await servicesDown();
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { sleep } from "zx";
import { CASSANDRA_VERSION, CONTACT_POINTS, cassandraServer, LOCAL_DATA_CENTER } from "./cassandra.ts";
import { BROKERS, KAFKA_VERSION, kafkaServer } from "./kafka.ts";
import { RUN_DIR, SERVICES_DIR, serverLog, serviceHome } from "./layout.ts";
import {
  assertCanStart,
  type ServerSpec,
  type ServerStatus,
  type StartReport,
  type StopReport,
  serverStatus,
  startServer,
  stopServer,
} from "./server.ts";
import { findJava } from "./toolchain.ts";

export type { ServerStatus, StartReport, StopReport };
export { CASSANDRA_VERSION, KAFKA_VERSION, SERVICES_DIR };

export interface ServiceEndpoints {
  kafka: { brokers: string[] };
  cassandra: { contactPoints: string[]; localDataCenter: string };
}

export interface ControlOptions {
  /** Progress lines; stderr by default so a caller's stdout (say, --json) stays clean. */
  log?: (line: string) => void;
}

const SERVERS: readonly ServerSpec[] = [kafkaServer, cassandraServer];

export function endpoints(): ServiceEndpoints {
  return {
    kafka: { brokers: [...BROKERS] },
    cassandra: { contactPoints: [...CONTACT_POINTS], localDataCenter: LOCAL_DATA_CENTER },
  };
}

/** Starts whichever of the two is not running (both at once), waits until both answer. */
export async function servicesUp(options: ControlOptions = {}): Promise<ServiceEndpoints> {
  const log = options.log ?? logToStderr;
  return withLock(async () => {
    // Check everything before starting anything, so a taken port or a missing JDK does not
    // leave one server half-started.
    await findJava();
    await settleAll(SERVERS.map((server) => assertCanStart(server)));
    await settleAll(
      SERVERS.map((server) => startServer(server)),
      (report) => log(describeStart(report)),
    );
    return endpoints();
  });
}

export interface DownOptions extends ControlOptions {
  /** Also delete both servers' data and rendered configs (the jar cache and logs stay). */
  wipe?: boolean;
}

export async function servicesDown(options: DownOptions = {}): Promise<void> {
  const log = options.log ?? logToStderr;
  await withLock(async () => {
    await settleAll(
      SERVERS.map((server) => stopServer(server)),
      (report) => log(describeStop(report)),
    );
    if (options.wipe) {
      for (const server of SERVERS) await rm(serviceHome(server.name), { recursive: true, force: true });
      log("data wiped");
    }
  });
}

/** Stops the broker (SIGTERM) and starts it again on the same data: a broker restart. */
export function restartKafka(options: ControlOptions = {}): Promise<StartReport> {
  return restart(kafkaServer, options);
}

/** Stops Cassandra (SIGTERM, it drains) and starts it again on the same data. */
export function restartCassandra(options: ControlOptions = {}): Promise<StartReport> {
  return restart(cassandraServer, options);
}

function restart(server: ServerSpec, options: ControlOptions): Promise<StartReport> {
  const log = options.log ?? logToStderr;
  return withLock(async () => {
    log(describeStop(await stopServer(server)));
    const report = await startServer(server);
    log(describeStart(report));
    return report;
  });
}

/** True when both servers are ours, alive, and answer a client request. */
export async function isUp(): Promise<boolean> {
  const statuses = await servicesStatus();
  return statuses.every((status) => status.answering);
}

export function servicesStatus(): Promise<ServerStatus[]> {
  return Promise.all(SERVERS.map((server) => serverStatus(server)));
}

/**
 * Waits for every start or stop, so one failure does not leave the other half-observed, and
 * reports the ones that succeeded (`onValue`) before throwing all the failures at once.
 */
async function settleAll<T>(work: Promise<T>[], onValue?: (value: T) => void): Promise<T[]> {
  const results = await Promise.allSettled(work);
  for (const r of results) if (r.status === "fulfilled") onValue?.(r.value);
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    throw new Error(failures.map((f) => (f instanceof Error ? f.message : String(f))).join("\n\n"));
  }
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function describeStart(report: StartReport): string {
  const where = report.name === "kafka" ? BROKERS.join(",") : CONTACT_POINTS.join(",");
  if (report.reused) return `${report.name}: already up (pid ${report.pid}) on ${where}, reused`;
  const steps = [`pid ${report.pid}`, `JVM to first answer ${seconds(report.readyMs)}`];
  if (report.prepareMs >= 100) steps.push(`jars, config, storage ${seconds(report.prepareMs)}`);
  if (report.warmUpMs >= 100) steps.push(`warm-up ${seconds(report.warmUpMs)}`);
  const total = report.prepareMs + report.readyMs + report.warmUpMs;
  return (
    `${report.name}: up in ${seconds(total)} (${steps.join("; ")}) on ${where}, ` +
    `log ${path.relative(process.cwd(), serverLog(report.name))}`
  );
}

function describeStop(report: StopReport): string {
  return report.pid === undefined
    ? `${report.name}: not running`
    : `${report.name}: stopped in ${seconds(report.ms)} (pid ${report.pid})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function logToStderr(line: string): void {
  process.stderr.write(`[services] ${line}\n`);
}

// --- Mutual exclusion -------------------------------------------------------------------------
// Test workers and scripts may call servicesUp() at the same moment. Two starts racing for the
// same ports would fail confusingly, so every state change runs under one lock: a promise chain
// inside this process and a lock file (holding the owner's pid) across processes.

const LOCK_FILE = path.join(RUN_DIR, "lock");
/** A start from scratch includes a Maven download; waiting longer than that means a bug. */
const LOCK_WAIT_MS = 10 * 60_000;
let inProcess: Promise<unknown> = Promise.resolve();

function withLock<T>(work: () => Promise<T>): Promise<T> {
  const run = inProcess.then(() => withFileLock(work));
  inProcess = run.catch(() => {});
  return run;
}

async function withFileLock<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(RUN_DIR, { recursive: true });
  await acquireFileLock();
  try {
    return await work();
  } finally {
    await rm(LOCK_FILE, { force: true });
  }
}

async function acquireFileLock(): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (tryCreateLock()) return;
    const holder = Number((await readFile(LOCK_FILE, "utf8").catch(() => "")).trim());
    if (!isAlive(holder) && !(await justCreated(LOCK_FILE))) {
      // Left by a process that died mid-`up` (Ctrl-C, kill): take it over.
      await rm(LOCK_FILE, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`${LOCK_FILE} is held by pid ${holder} for too long; is an \`up\` stuck?`);
    }
    await sleep(250);
  }
}

/** A lock file a moment old may still be empty: its creator has not written its pid yet. */
async function justCreated(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs < 2_000;
}

function tryCreateLock(): boolean {
  try {
    const fd = openSync(LOCK_FILE, "wx");
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
