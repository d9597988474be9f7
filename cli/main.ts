/**
 * The tradesim CLI (DESIGN.md contract): exit 0 = every invariant held, 1 = a violation was
 * found, 2 = bad usage or bad input, with a message naming the file, field or flag.
 */
import { Command, CommanderError } from "commander";
import { ScenarioError } from "../scenarios/format.ts";
import { registerFaults } from "./commands/faults.ts";
import { EXIT, UsageError } from "./usage.ts";

const program = new Command();
program
  .name("tradesim")
  .description("deterministic simulation and verification harness for a crypto exchange backend")
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) })
  .showHelpAfterError("(run tradesim --help for usage)");

registerFaults(program);

const commands = await Promise.all([
  import("./commands/run.ts").catch(() => null),
  import("./commands/replay.ts").catch(() => null),
  import("./commands/campaign.ts").catch(() => null),
  import("./commands/serve.ts").catch(() => null),
  import("./commands/conformance.ts").catch(() => null),
  import("./commands/gate.ts").catch(() => null),
]);
for (const mod of commands) (mod as { register?: (p: Command) => void } | null)?.register?.(program);

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
