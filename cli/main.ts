/**
 * The tradesim CLI (DESIGN.md contract): exit 0 = every invariant held, 1 = a violation was
 * found, 2 = bad usage or bad input, with a message naming the file, field or flag.
 */
import { Command, CommanderError } from "commander";
import { ScenarioError } from "../scenarios/format.ts";
import { register as registerCampaign } from "./commands/campaign.ts";
import { register as registerConformance } from "./commands/conformance.ts";
import { registerFaults } from "./commands/faults.ts";
import { register as registerGate } from "./commands/gate.ts";
import { register as registerPlants } from "./commands/plants.ts";
import { register as registerReplay } from "./commands/replay.ts";
import { register as registerRun } from "./commands/run.ts";
import { register as registerServe } from "./commands/serve.ts";
import { EXIT, UsageError } from "./usage.ts";

const program = new Command();
program
  .name("tradesim")
  .description("deterministic simulation and verification harness for a crypto exchange backend")
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) })
  .showHelpAfterError("(run tradesim --help for usage)");

registerRun(program);
registerReplay(program);
registerCampaign(program);
registerFaults(program);
registerPlants(program);
registerGate(program);
registerServe(program);
registerConformance(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; every other commander error is bad usage.
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (err instanceof UsageError || err instanceof ScenarioError) {
    console.error(`tradesim: ${err.message}`);
    process.exitCode = EXIT.usage;
  } else {
    throw err;
  }
}
