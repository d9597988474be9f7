/** `tradesim replay FILE [--adapters sim|real] [--json]`: run a scenario file. */
import type { Command } from "commander";
import { loadScenario } from "../../scenarios/format.ts";
import { runScenario } from "../../sim/runner/run.ts";
import { printRun } from "../report.ts";
import { EXIT, parseChoice, parsePlants, UsageError } from "../usage.ts";

export function register(program: Command): void {
  program
    .command("replay")
    .description("run a scenario file (JSON or YAML) with every invariant checked")
    .argument("<file>", "the scenario file")
    .option("--adapters <kind>", "sim or real", "sim")
    .option("--json", "print one JSON object")
    .option("--plant <name>", "plant a known bug for this run (see `tradesim plants`)")
    .action(async (file: string, flags: { adapters: string; json?: boolean; plant?: string }) => {
      const plants = parsePlants(flags.plant);
      const adapters = parseChoice(flags.adapters, "--adapters", ["sim", "real"] as const);
      const scenario = loadScenario(file);
      const replay = `npx tradesim replay ${file}${adapters === "real" ? " --adapters real" : ""}`;
      if (adapters === "real") {
        const { runReal } = await import("../../real/run.ts").catch(() => {
          throw new UsageError("--adapters real: real mode is not available in this build");
        });
        const r = await runReal(scenario, {
          replay: replay + (flags.plant ? ` --plant ${flags.plant}` : ""),
          plants,
        });
        printRun(r, !!flags.json);
        process.exitCode = r.ok ? EXIT.ok : EXIT.violation;
        return;
      }
      const { result } = await runScenario(scenario, {
        replay: replay + (flags.plant ? ` --plant ${flags.plant}` : ""),
        plants,
        wallClock: () => performance.now(),
      });
      printRun(result, !!flags.json);
      process.exitCode = result.ok ? EXIT.ok : EXIT.violation;
    });
}
