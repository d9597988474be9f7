/**
 * A pool of worker processes (one per core by default) that runs campaign jobs. Jobs are handed
 * out one at a time as workers free up; results come back in completion order and are sorted
 * by job id by the caller, so the summary does not depend on scheduling.
 */
import { fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Job, JobResult } from "./worker.ts";

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export async function runPool(jobs: Job[], workers: number, onResult: (r: JobResult) => void): Promise<void> {
  if (jobs.length === 0) return;
  const queue = [...jobs];
  const n = Math.min(workers, jobs.length);
  const script = join(import.meta.dirname, "worker.ts");
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve) => {
          const child = fork(script, [], {
            stdio: ["ignore", "inherit", "inherit", "ipc"],
            execArgv: ["--no-warnings"],
          });
          let current: Job | undefined;
          const next = () => {
            current = queue.shift();
            if (current === undefined) {
              child.disconnect();
              return;
            }
            child.send(current);
          };
          child.on("message", (m: JobResult | { ready: true }) => {
            if ("ready" in m) {
              next();
              return;
            }
            current = undefined;
            onResult(m);
            next();
          });
          child.on("exit", (code) => {
            if (current !== undefined) {
              onResult({
                id: current.id,
                error: `worker exited with code ${code} while running job ${current.id}`,
              });
            }
            resolve();
          });
          child.on("error", (err) => {
            if (current !== undefined) onResult({ id: current.id, error: `worker failed: ${err.message}` });
            current = undefined;
            resolve();
          });
        }),
    ),
  );
  // Jobs left over if every worker died: report them rather than drop them.
  for (const job of queue.splice(0)) onResult({ id: job.id, error: "not run: every worker process died" });
}
