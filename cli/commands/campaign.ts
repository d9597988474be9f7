/**
 * `tradesim campaign --seeds A..B [--profile NAME] [--workers K] [--ops M] [--json]`: many
 * seeded runs over worker processes (one per core by default) with a progress bar, then a
 * summary grouped by invariant; the first failure of each invariant is shrunk to a regression.
 */
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import { defaultWorkers, runPool } from "../../sim/campaign/pool.ts";
import { printSummary, summarize } from "../../sim/campaign/summary.ts";
import type { Job } from "../../sim/campaign/worker.ts";
import { PROFILE_NAMES } from "../../sim/faults/catalog.ts";
import type { RunResult } from "../../sim/runner/result.ts";
import { toJson } from "../report.ts";
import { EXIT, parseChoice, parseIntFlag, parsePlants, parseSeedRange } from "../usage.ts";
import { shrinkAndSave } from "./shrink-support.ts";

export function register(program: Command): void {
  program
    .command("campaign")
    .description("run a range of seeds over worker processes and summarise the failures by invariant")
    .requiredOption("--seeds <A..B>", "seed range, inclusive")
    .option("--profile <name>", `fault profile (${PROFILE_NAMES.join(", ")})`, "default")
    .option("--ops <m>", "scenario steps per run", "500")
    .option("--users <k>", "users per run", "8")
    .option("--load <k>", "open-loop load: k requests per 5 ms of virtual time, none waiting for its answer")
    .option("--workers <k>", "worker processes (default: one per core)")
    .option("--no-shrink", "do not shrink failures to regression files")
    .option("--regressions <dir>", "where shrunk failures are written", "scenarios/regressions")
    .option("--json", "print the summary as JSON")
    .option("--plant <name>", "plant a known bug in every run (see `tradesim plants`)")
    .action(
      async (flags: {
        seeds: string;
        profile: string;
        ops: string;
        users: string;
        load?: string;
        workers?: string;
        shrink: boolean;
        regressions: string;
        json?: boolean;
        plant?: string;
      }) => {
        const plants = parsePlants(flags.plant);
        const seeds = parseSeedRange(flags.seeds);
        const profile = parseChoice(flags.profile, "--profile", PROFILE_NAMES);
        const ops = parseIntFlag(flags.ops, "--ops", 1);
        const users = parseIntFlag(flags.users, "--users", 1);
        const load = flags.load === undefined ? undefined : parseIntFlag(flags.load, "--load", 1);
        const workers =
          flags.workers === undefined ? defaultWorkers() : parseIntFlag(flags.workers, "--workers", 1);
        const jobs: Job[] = seeds.map((seed, id) => ({
          kind: "seed",
          id,
          seed,
          ops,
          profile,
          users,
          load,
          plants: plants.map((p) => p.name),
        }));
        const results: Array<RunResult | undefined> = [];
        const errors: Array<{ job: string; error: string }> = [];
        const bar =
          flags.json || !process.stderr.isTTY
            ? null
            : new SingleBar({
                format: "{bar} {value}/{total} seeds | {failed} failed | {eta_formatted} left",
                stream: process.stderr,
              });
        bar?.start(jobs.length, 0, { failed: 0 });
        let failed = 0;
        let done = 0;
        const t0 = performance.now();
        await runPool(jobs, workers, (r) => {
          done++;
          if ("error" in r) errors.push({ job: `seed ${seeds[r.id]}`, error: r.error });
          else {
            results[r.id] = r.result;
            if (!r.result.ok) failed++;
          }
          if (bar) bar.update(done, { failed });
          else if (
            !flags.json &&
            (done % Math.max(1, Math.floor(jobs.length / 10)) === 0 || done === jobs.length)
          )
            console.error(`campaign: ${done}/${jobs.length} seeds, ${failed} failed`);
        });
        bar?.stop();
        const ordered = results.filter((r): r is RunResult => r !== undefined);
        const summary = summarize(ordered, errors, Math.round(performance.now() - t0));
        const regressions: string[] = [];
        if (flags.shrink) {
          for (const g of summary.byInvariant) {
            const failedRun = ordered.find((r) => r.seed === g.first.seed)!;
            const scenario = generateScenario({ seed: failedRun.seed, ops, users, profile, load });
            regressions.push(
              await shrinkAndSave(scenario, failedRun, { profile, dir: flags.regressions, plants }),
            );
          }
        }
        if (flags.json) console.log(toJson({ ...summary, regressions }));
        else {
          printSummary(summary);
          for (const f of regressions) console.log(`  regression written: ${f} (npx tradesim replay ${f})`);
        }
        process.exitCode = summary.failed > 0 || errors.length > 0 ? EXIT.violation : EXIT.ok;
      },
    );
}
