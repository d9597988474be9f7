/**
 * Simulator benchmark: simulated engine messages per second with every invariant on, and how
 * the cost per op changes with the length of the run (it must stay flat: per-step checks are
 * O(what changed), never O(history)).
 *   node scripts/bench-sim.ts [--ops 1000,10000,100000] [--profile none] [--seed 1] [--no-crashes]
 * Messages = records the services append to Kafka (all topics). Wall time covers the run only
 * (modules are loaded by a warm-up run first). A benchmark may read the wall clock.
 */
import { generateScenario } from "../scenarios/generate/generate.ts";
import { runScenario } from "../sim/runner/run.ts";

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = flag("ops", "1000,10000").split(",").map(Number);
const profile = flag("profile", "none");
const seed = Number(flag("seed", "1"));
// Explicit crash steps make services recover by replaying their input from offset 0 (no
// snapshots yet), which costs O(history) per crash; --no-crashes measures the steady state.
const crashes = !args.includes("--no-crashes");

await runScenario(generateScenario({ seed, ops: 200, profile }), { replay: "" }); // warm-up
console.log(
  `simulator benchmark: profile ${profile}, seed ${seed}, crash steps ${crashes ? "on" : "off"}, node ${process.version}`,
);
const rows: Array<Record<string, number>> = [];
for (const ops of sizes) {
  const scenario = generateScenario({ seed, ops, profile, crashes });
  const t0 = performance.now();
  const { result } = await runScenario(scenario, { replay: "", wallClock: () => performance.now() });
  const ms = performance.now() - t0;
  if (!result.ok)
    console.log(`  (run had ${result.violations.length} violations: ${result.violations[0]?.message})`);
  const row = {
    ops,
    steps: result.steps,
    messages: result.messages,
    invariantChecks: result.invariantChecks,
    seconds: Math.round(ms) / 1000,
    messagesPerSecond: Math.round((result.messages * 1000) / ms),
    stepsPerSecond: Math.round((result.steps * 1000) / ms),
    microsPerOp: Math.round((ms * 1000) / ops),
  };
  rows.push(row);
  console.log(
    `  ops ${String(ops).padStart(7)}: ${row.messages} messages, ${row.steps} steps in ${row.seconds}s → ${row.messagesPerSecond.toLocaleString("en-US")} messages/s, ${row.stepsPerSecond.toLocaleString("en-US")} steps/s, ${row.microsPerOp} µs/op`,
  );
}
console.log(JSON.stringify(rows));
