import type { Command } from "commander";
import { FAULTS, PROFILES } from "../../sim/faults/catalog.ts";

export function registerFaults(program: Command): void {
  program
    .command("faults")
    .description("list the fault catalog: name, what it does, which bug class it exposes, rate per profile")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      const rows = FAULTS.map((f) => ({
        name: f.name,
        component: f.component,
        does: f.does,
        exposes: f.exposes,
        rates: Object.fromEntries(Object.entries(PROFILES).map(([p, r]) => [p, r[f.name]])),
      }));
      if (opts.json) {
        console.log(JSON.stringify({ faults: rows, profiles: Object.keys(PROFILES) }, null, 2));
        return;
      }
      for (const r of rows) {
        console.log(`${r.name}  [${r.component}]`);
        console.log(`  does:    ${r.does}`);
        console.log(`  exposes: ${r.exposes}`);
        console.log(
          `  rates:   ${Object.entries(r.rates)
            .map(([p, x]) => `${p}=${x}`)
            .join("  ")}`,
        );
      }
    });
}
