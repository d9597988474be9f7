/**
 * A campaign worker process: receives jobs (a seed, or a scenario file) from the parent over
 * IPC, runs each, and sends back the result. One per core; the parent balances the load.
 */
import { loadScenario } from "../../scenarios/format.ts";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import type { RunResult } from "../runner/result.ts";
import { runScenario } from "../runner/run.ts";

export type Job =
  | { kind: "seed"; id: number; seed: number; ops: number; profile: string; users: number }
  | { kind: "file"; id: number; file: string };

export type JobResult = { id: number; result: RunResult } | { id: number; error: string };

async function runJob(job: Job): Promise<RunResult> {
  if (job.kind === "seed") {
    const scenario = generateScenario({
      seed: job.seed,
      ops: job.ops,
      users: job.users,
      profile: job.profile,
    });
    const replay = `npx tradesim run --seed ${job.seed} --ops ${job.ops} --profile ${job.profile}${job.users !== 8 ? ` --users ${job.users}` : ""}`;
    return (await runScenario(scenario, { replay })).result;
  }
  const scenario = loadScenario(job.file);
  return (await runScenario(scenario, { replay: `npx tradesim replay ${job.file}` })).result;
}

process.on("message", (job: Job) => {
  runJob(job).then(
    (result) => process.send!({ id: job.id, result } satisfies JobResult),
    (err: unknown) =>
      process.send!({
        id: job.id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      } satisfies JobResult),
  );
});
process.send!({ ready: true });
