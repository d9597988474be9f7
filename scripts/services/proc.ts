// Detached server processes: spawn, recognise, wait for, stop. The servers must outlive the
// script that started them (`npm run services:up` returns, tests run later), so everything here
// works from pid files and /proc rather than from ChildProcess handles.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { $, sleep } from "zx";
import {
  consoleLog,
  LOGS_DIR,
  pidFile,
  RUN_DIR,
  SERVICES_DIR,
  type ServiceName,
  serverLog,
} from "./layout.ts";

/**
 * System properties that tag a JVM as ours. A pid file alone is not proof: after a reboot or a
 * `kill -9` the pid may belong to an unrelated process, and we must never signal that.
 */
export function ownershipFlags(name: ServiceName): string[] {
  return [`-Dtradesim.service=${name}`, `-Dtradesim.home=${SERVICES_DIR}`];
}

function isOurProcess(pid: number, name: ServiceName): boolean {
  const cmdlinePath = `/proc/${pid}/cmdline`;
  if (existsSync("/proc/self/cmdline")) {
    // A zombie or a dead pid has an empty or missing cmdline, so this also answers "alive?".
    let argv: string[];
    try {
      argv = readFileSync(cmdlinePath, "utf8").split("\0");
    } catch {
      return false;
    }
    return ownershipFlags(name).every((flag) => argv.includes(flag));
  }
  // No /proc (macOS): fall back to "some process has this pid".
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of our running server, or undefined; a stale pid file is removed on the way. */
export async function runningPid(name: ServiceName): Promise<number | undefined> {
  const file = pidFile(name);
  let pid: number;
  try {
    pid = Number((await readFile(file, "utf8")).trim());
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && isOurProcess(pid, name)) return pid;
  await rm(file, { force: true });
  return undefined;
}

/** Starts `bin args` in its own session with output appended to `.services/logs/<name>.out`. */
export async function spawnDetached(
  name: ServiceName,
  bin: string,
  args: string[],
  cwd: string,
): Promise<number> {
  await mkdir(LOGS_DIR, { recursive: true });
  await mkdir(RUN_DIR, { recursive: true });
  const out = openSync(consoleLog(name), "a");
  try {
    // detached: own process group, so the terminal's Ctrl-C and the parent's exit do not reach it.
    const child = spawn(bin, args, { cwd, detached: true, stdio: ["ignore", out, out] });
    // A failed spawn also emits 'error', which would crash the process if nobody listened;
    // the missing pid below already reports it.
    child.once("error", () => {});
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${bin} for ${name}`);
    child.unref();
    await writeFile(pidFile(name), `${pid}\n`);
    return pid;
  } finally {
    closeSync(out);
  }
}

/** SIGTERM (both servers shut down cleanly on it), then SIGKILL if it takes longer than allowed. */
export async function stopProcess(name: ServiceName, pid: number, timeoutMs: number): Promise<void> {
  signal(pid, "SIGTERM");
  if (!(await waitForExit(pid, name, timeoutMs))) {
    signal(pid, "SIGKILL");
    if (!(await waitForExit(pid, name, 10_000))) {
      throw new Error(`${name} (pid ${pid}) survived SIGKILL`);
    }
  }
  await rm(pidFile(name), { force: true });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

async function waitForExit(pid: number, name: ServiceName, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isOurProcess(pid, name)) {
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}

/**
 * Fails with a clear message when a port the server needs is taken by someone else (another
 * Kafka, a Docker container...). Binding is the honest test: it also catches a listener on
 * 0.0.0.0 that a connect to 127.0.0.1 might miss.
 */
export async function assertPortsFree(name: ServiceName, ports: number[]): Promise<void> {
  for (const port of ports) {
    if (await canBind(port)) continue;
    const holder = await describePortHolder(port);
    throw new Error(
      `port ${port} (needed by ${name}) is already in use by a process that is not ours` +
        `${holder ? `:\n${holder}` : ""}\nstop it, or stop the other instance, then retry`,
    );
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

async function describePortHolder(port: number): Promise<string> {
  // Best effort: `ss` names the process when we may see it; its absence costs only detail.
  const result = await $({ quiet: true, nothrow: true })`ss -Hltnp ${`sport = :${port}`}`;
  return result.exitCode === 0 ? result.stdout.trim() : "";
}

export interface WaitOptions {
  name: ServiceName;
  pid: number;
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it answers true. Gives up early, with the end of the logs, if the server
 * process has died: a JVM that failed on a bad flag should not cost the whole timeout.
 */
export async function waitUntilReady(probe: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (!isOurProcess(opts.pid, opts.name)) {
      await rm(pidFile(opts.name), { force: true });
      throw new Error(`${opts.name} exited during startup.\n${await logTails(opts.name)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${opts.name} (pid ${opts.pid}) did not answer within ${opts.timeoutMs / 1000}s; ` +
          `it is left running for inspection (stop it with \`npm run services:down\`).\n` +
          (await logTails(opts.name)),
      );
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

export async function logTails(name: ServiceName, lines = 25): Promise<string> {
  const parts: string[] = [];
  for (const file of [consoleLog(name), serverLog(name)]) {
    const text = await readFile(file, "utf8").catch(() => "");
    if (text.trim() === "") continue;
    parts.push(`--- last lines of ${file}\n${text.trimEnd().split("\n").slice(-lines).join("\n")}`);
  }
  return parts.join("\n");
}
