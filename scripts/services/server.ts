// The lifecycle shared by both servers: what differs (configs, flags, probes) lives in a
// ServerSpec in kafka.ts and cassandra.ts; starting, reusing and stopping are the same here.
import { mkdir } from "node:fs/promises";
import type { ServiceName } from "./layout.ts";
import { assertPortsFree, runningPid, spawnDetached, stopProcess, waitUntilReady } from "./proc.ts";

export interface LaunchCommand {
  bin: string;
  args: string[];
  cwd: string;
}

export interface ServerSpec {
  name: ServiceName;
  /** Every port the server binds, checked before a start so a foreign listener fails clearly. */
  ports: number[];
  readyTimeoutMs: number;
  /** How long a SIGTERM may take before SIGKILL. */
  stopTimeoutMs: number;
  /** Resolves jars, renders configs, prepares storage; returns the JVM command line. */
  prepare(): Promise<LaunchCommand>;
  /** True once the server answers a real client request. Never throws. */
  probe(): Promise<boolean>;
  /** Optional one-off work after a fresh start, so the first test does not pay for it. */
  warmUp?(): Promise<void>;
}

export interface StartReport {
  name: ServiceName;
  pid: number;
  /** True when a server that was already running (and ours) was kept. */
  reused: boolean;
  /** Jar resolution, config rendering, storage format. */
  prepareMs: number;
  /** From spawning the JVM to the first answered probe. */
  readyMs: number;
  /** The spec's warm-up after a fresh start. */
  warmUpMs: number;
}

/** Throws if the server is not running and one of its ports is held by someone else. */
export async function assertCanStart(spec: ServerSpec): Promise<void> {
  if ((await runningPid(spec.name)) === undefined) await assertPortsFree(spec.name, spec.ports);
}

export async function startServer(spec: ServerSpec): Promise<StartReport> {
  const running = await runningPid(spec.name);
  if (running !== undefined) {
    // Ours and alive, but maybe still booting (another `up` launched it): wait, do not probe once.
    const t0 = performance.now();
    await waitUntilReady(spec.probe, { name: spec.name, pid: running, timeoutMs: spec.readyTimeoutMs });
    const readyMs = performance.now() - t0;
    return { name: spec.name, pid: running, reused: true, prepareMs: 0, readyMs, warmUpMs: 0 };
  }

  await assertPortsFree(spec.name, spec.ports);
  const t0 = performance.now();
  const command = await spec.prepare();
  await mkdir(command.cwd, { recursive: true });
  const t1 = performance.now();
  const pid = await spawnDetached(spec.name, command.bin, command.args, command.cwd);
  await waitUntilReady(spec.probe, { name: spec.name, pid, timeoutMs: spec.readyTimeoutMs });
  const t2 = performance.now();
  await spec.warmUp?.();
  const t3 = performance.now();
  return { name: spec.name, pid, reused: false, prepareMs: t1 - t0, readyMs: t2 - t1, warmUpMs: t3 - t2 };
}

export interface StopReport {
  name: ServiceName;
  /** Undefined when nothing of ours was running. */
  pid?: number;
  ms: number;
}

export async function stopServer(spec: ServerSpec): Promise<StopReport> {
  const t0 = performance.now();
  const pid = await runningPid(spec.name);
  if (pid !== undefined) await stopProcess(spec.name, pid, spec.stopTimeoutMs);
  return { name: spec.name, pid, ms: performance.now() - t0 };
}

export interface ServerStatus {
  name: ServiceName;
  pid?: number;
  answering: boolean;
}

export async function serverStatus(spec: ServerSpec): Promise<ServerStatus> {
  const pid = await runningPid(spec.name);
  return { name: spec.name, pid, answering: pid !== undefined && (await spec.probe()) };
}
