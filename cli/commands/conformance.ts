/**
 * `tradesim conformance --adapters sim|real|both [--only kafka|scylla] [--case TEXT] [--json]`:
 * runs the behaviour cases of the simulated Kafka and Scylla against the simulator, the real
 * services (brought up by scripts/services), or both, comparing the two (conformance/run.ts).
 * Exit 0: no disagreement and every case ran; 1: a disagreement, or a case that did not run to
 * its end; 2: bad usage.
 */
import type { Command } from "commander";
import { ADAPTERS, caseIds, runConformance, SUITES } from "../../conformance/run.ts";
import { formatTable } from "../../conformance/table.ts";
import { toJson } from "../report.ts";
import { EXIT, parseChoice, UsageError } from "../usage.ts";

export function register(program: Command): void {
  program
    .command("conformance")
    .description(
      "run the simulated Kafka's and Scylla's behaviour cases on the simulator, the real services, or both",
    )
    .requiredOption("--adapters <side>", `where to run the cases (${ADAPTERS.join(", ")})`)
    .option("--only <suite>", `one suite only (${SUITES.join(", ")})`)
    .option("--case <text>", "only the cases whose id (suite/name) contains this text")
    .option("--json", "print the report as JSON")
    .action(async (flags: { adapters: string; only?: string; case?: string; json?: boolean }) => {
      const adapters = parseChoice(flags.adapters, "--adapters", ADAPTERS);
      const only = flags.only === undefined ? undefined : parseChoice(flags.only, "--only", SUITES);
      const filter = flags.case;
      if (filter !== undefined && !caseIds(only).some((id) => id.includes(filter)))
        throw new UsageError(`--case: no case id contains ${JSON.stringify(filter)} (see --json's results)`);
      // progress goes to stderr; with --json only the services' lines (starting them can take minutes)
      const log = (line: string) => {
        if (!flags.json || line.startsWith("[services]")) console.error(line);
      };
      const report = await runConformance({ adapters, only, filter, log });
      console.log(flags.json ? toJson(report) : formatTable(report));
      process.exitCode =
        report.disagree.length === 0 && report.failed.length === 0 ? EXIT.ok : EXIT.violation;
    });
}
