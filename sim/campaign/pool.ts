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
  await runPoolFrom(() => queue.shift(), Math.min(workers, jobs.length), onResult);
  // Jobs left over if every worker died: report them rather than drop them.
  for (const job of queue.splice(0)) onResult({ id: job.id, error: "not run: every worker process died" });
}

/**
 * Like `runPool`, but jobs come from `next()`, asked each time a worker frees up, until it
 * returns undefined: for time-boxed runs (`tradesim gate --budget`) that keep starting jobs
 * while time remains. Jobs already started always finish and are reported.
 */
export async function runPoolFrom(
  next: () => Job | undefined,
  workers: number,
  onResult: (r: JobResult) => void,
): Promise<void> {
  const first = next();
  if (first === undefined) return;
  const pending: Job[] = [first];
  const take = () => pending.shift() ?? next();
  const n = Math.max(1, workers);
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
          let ended = false;
          const end = () => {
            if (!ended) resolve();
            ended = true;
          };
          const feed = () => {
            current = take();
            if (current === undefined) {
              child.disconnect();
              return;
            }
            child.send(current);
          };
          child.on("message", (m: JobResult | { ready: true }) => {
            if ("ready" in m) {
              feed();
              return;
            }
            current = undefined;
            onResult(m);
            feed();
          });
          child.on("exit", (code) => {
            if (current !== undefined) {
              onResult({
                id: current.id,
                error: `worker exited with code ${code} while running job ${current.id}`,
              });
              current = undefined;
            }
            end();
          });
          child.on("error", (err) => {
            if (current !== undefined) onResult({ id: current.id, error: `worker failed: ${err.message}` });
            current = undefined;
            end();
          });
        }),
    ),
  );
  // A job taken but never sent (every worker died first) is reported, not dropped.
  for (const job of pending.splice(0)) onResult({ id: job.id, error: "not run: every worker process died" });
}
