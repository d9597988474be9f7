/**
 * The real-mode test files' shared setup: hold the servers shared for the whole file (a broker or
 * Cassandra restart in replay.test.ts waits until no other file uses them, servers-lock.ts) and
 * open a RealEnv, handed to `opened`; close both at the end.
 * Register it first: vitest runs afterAll hooks in reverse, so a file's own cleanup runs before
 * the env closes.
 */
import { afterAll, beforeAll } from "vitest";
import { RealEnv } from "../../real/env.ts";
import { holdShared } from "./servers-lock.ts";

export function useRealEnv(opened: (env: RealEnv) => void): void {
  let env: RealEnv | undefined;
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await holdShared();
    env = await RealEnv.open();
    opened(env);
  }, 600_000);
  afterAll(async () => {
    await env?.close();
    release?.();
  }, 60_000);
}
