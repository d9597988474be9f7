/**
 * A campaign worker process: receives jobs (a seed, or a scenario file) from the parent over
 * IPC, runs each, and sends back the result. One per core; the parent balances the load.
 */
import { loadScenario } from "../../scenarios/format.ts";
import { runCommand } from "../../scenarios/generate/command.ts";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import { plantByName } from "../plants/catalog.ts";
import type { RunResult } from "../runner/result.ts";
import { runScenario } from "../runner/run.ts";

export type Job =
  | {
      kind: "seed";
      id: number;
      seed: number;
      ops: number;
      profile: string;
      users: number;
      load?: number;
      plants?: string[];
    }
  | { kind: "file"; id: number; file: string; plants?: string[] };

export type JobResult = { id: number; result: RunResult } | { id: number; error: string };

async function runJob(job: Job): Promise<RunResult> {
  const plants = (job.plants ?? []).map(plantByName);
  const suffix = job.plants?.length ? ` --plant ${job.plants.join(",")}` : "";
  if (job.kind === "seed") {
    const spec = { seed: job.seed, ops: job.ops, users: job.users, profile: job.profile, load: job.load };
    const scenario = generateScenario(spec);
    const replay = runCommand(spec);
    return (
      await runScenario(scenario, { replay: replay + suffix, plants, wallClock: () => performance.now() })
    ).result;
  }
  const scenario = loadScenario(job.file);
  return (
    await runScenario(scenario, {
      replay: `npx tradesim replay ${job.file}${suffix}`,
      plants,
      wallClock: () => performance.now(),
    })
  ).result;
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
