/**
 * `tradesim run --seed N [--ops M] [--profile NAME] [--users K] [--json] [--check-determinism]`:
 * one generated scenario, run on the simulator (or, with --adapters real, against real Kafka
 * and Cassandra). With --check-determinism the seed runs twice and the first step where the
 * traces differ is reported.
 */
import type { Command } from "commander";
import { runCommand } from "../../scenarios/generate/command.ts";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import { PROFILE_NAMES } from "../../sim/faults/catalog.ts";
import { firstDivergence } from "../../sim/kernel/trace.ts";
import { runScenario } from "../../sim/runner/run.ts";
import { printRun, toJson } from "../report.ts";
import { EXIT, parseChoice, parseIntFlag, parsePlants, UsageError } from "../usage.ts";
import { shrinkAndSave } from "./shrink-support.ts";

export interface RunFlags {
  seed?: string;
  ops: string;
  profile: string;
  users: string;
  load?: string;
  adapters: string;
  json?: boolean;
  checkDeterminism?: boolean;
  shrink: boolean;
  plant?: string;
  regressions: string;
}

export function register(program: Command): void {
  program
    .command("run")
    .description("run one seeded, generated scenario with every invariant checked after every step")
    .requiredOption("--seed <n>", "the seed (decides the scenario, every latency, fault and interleaving)")
    .option("--ops <m>", "scenario steps to generate", "500")
    .option("--profile <name>", `fault profile (${PROFILE_NAMES.join(", ")})`, "default")
    .option("--users <k>", "number of users", "8")
    .option("--load <k>", "open-loop load: k requests per 5 ms of virtual time, none waiting for its answer")
    .option("--adapters <kind>", "sim (the simulator) or real (Kafka and Cassandra on 127.0.0.1)", "sim")
    .option("--json", "print one JSON object")
    .option("--check-determinism", "run the seed twice and report the first step where the traces differ")
    .option("--no-shrink", "on failure, do not shrink to a minimal regression scenario")
    .option("--plant <name>", "plant a known bug for this run (mutation testing; see `tradesim plants`)")
    .option("--regressions <dir>", "where a shrunk failure is written", "scenarios/regressions")
    .action(async (flags: RunFlags) => {
      const seed = parseIntFlag(flags.seed ?? "", "--seed");
      const ops = parseIntFlag(flags.ops, "--ops", 1);
      const users = parseIntFlag(flags.users, "--users", 1);
      const profile = parseChoice(flags.profile, "--profile", PROFILE_NAMES);
      const adapters = parseChoice(flags.adapters, "--adapters", ["sim", "real"] as const);
      const load = flags.load === undefined ? undefined : parseIntFlag(flags.load, "--load", 1);
      const scenario = generateScenario({ seed, ops, users, profile, load });
      const plants = parsePlants(flags.plant);
      const replay =
        runCommand({ seed, ops, profile, users, load }) + (flags.plant ? ` --plant ${flags.plant}` : "");
      if (adapters === "real") {
        const { runReal } = await import("../../real/run.ts").catch(() => {
          throw new UsageError("--adapters real: real mode is not available in this build");
        });
        const r = await runReal(scenario, { replay: `${replay} --adapters real`, plants });
        printRun(r, !!flags.json);
        process.exitCode = r.ok ? EXIT.ok : EXIT.violation;
        return;
      }
      const keep = !!flags.checkDeterminism;
      const first = await runScenario(scenario, {
        replay,
        keepStepHashes: keep,
        keepTraceEntries: keep,
        plants,
        wallClock: () => performance.now(),
      });
      const r = first.result;
      let determinism: Record<string, unknown> | undefined;
      if (flags.checkDeterminism) {
        const second = await runScenario(scenario, {
          replay,
          keepStepHashes: true,
          keepTraceEntries: true,
          plants,
        });
        const a = first.world.sched.trace;
        const b = second.world.sched.trace;
        const at = firstDivergence(a.stepHashes!, b.stepHashes!);
        determinism = {
          deterministic: at === -1 && r.traceHash === second.result.traceHash,
          firstTraceHash: r.traceHash,
          secondTraceHash: second.result.traceHash,
        };
        if (at !== -1) {
          const step = at + 1;
          determinism.firstDivergentStep = step;
          determinism.first = a.entries!.filter((e) => e.step === step).map((e) => e.text);
          determinism.second = b.entries!.filter((e) => e.step === step).map((e) => e.text);
          r.violations.push({
            invariant: "determinism",
            step,
            op: -1,
            seed: String(seed),
            message: `the same seed diverged at step ${step}`,
            values: { first: String(determinism.first), second: String(determinism.second) },
          });
          r.ok = false;
        }
      }
      let regression: string | undefined;
      if (!r.ok && flags.shrink && !flags.checkDeterminism)
        regression = await shrinkAndSave(scenario, r, { profile, plants, dir: flags.regressions });
      if (flags.json) {
        console.log(
          toJson({ ...r, ...(determinism ? { determinism } : {}), ...(regression ? { regression } : {}) }),
        );
      } else {
        printRun(r, false);
        if (determinism)
          console.log(
            `  determinism: ${determinism.deterministic ? "same trace twice" : `DIVERGED at step ${determinism.firstDivergentStep}`} (${determinism.firstTraceHash} / ${determinism.secondTraceHash})`,
          );
        if (regression) console.log(`  shrunk to ${regression}  (replay: npx tradesim replay ${regression})`);
      }
      process.exitCode = r.ok ? EXIT.ok : EXIT.violation;
    });
}
