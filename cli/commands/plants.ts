/** `tradesim plants [--json]`: the planted bugs tradesim can put into the engine for a run. */
import type { Command } from "commander";
import { PLANTS } from "../../sim/plants/catalog.ts";

export function register(program: Command): void {
  program
    .command("plants")
    .description(
      "list the known bugs tradesim can plant into the engine (mutation testing of the invariants)",
    )
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      const rows = PLANTS.map((p) => ({ name: p.name, does: p.does, bugClass: p.bugClass }));
      if (opts.json) console.log(JSON.stringify({ plants: rows }, null, 2));
      else for (const r of rows) console.log(`${r.name}\n  does:      ${r.does}\n  bug class: ${r.bugClass}`);
    });
}
