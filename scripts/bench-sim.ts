/**
 * Simulator benchmark: simulated engine messages per second with every invariant on, and how
 * the cost per op changes with the length of the run (it must stay flat: per-step checks are
 * O(what changed), never O(history)).
 *   node scripts/bench-sim.ts [--ops 1000,10000,100000] [--profile none] [--seed 1] [--no-crashes]
 *                             [--load closed,50]
 * Two load shapes (scenarios/generate/load.ts): `closed` (generated scenarios as they are:
 * clients mostly wait for each answer, about one request in flight) and a number K (open loop:
 * K requests per 5 ms of virtual time, none waiting, so the services see batches).
 * Messages = records the services append to Kafka (all topics). Wall time covers the run only
 * (modules are loaded by a warm-up run first). A benchmark may read the wall clock.
 */
import { defaultConfig } from "../engine/config.ts";
import { knobsOf, pinned } from "../scenarios/engine-config.ts";
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
// Explicit crash steps make UBSCore and the ME recover from their newest snapshot plus the input
// after it (engine/README.md, "Snapshots"): O(state), no longer a replay from offset 0;
// --no-crashes measures the steady state.
const crashes = !args.includes("--no-crashes");
const DEFAULTS = defaultConfig();
const loads = flag("load", "closed,50")
  .split(",")
  .map((l) => (l === "closed" ? undefined : Number(l)));

await runScenario(generateScenario({ seed, ops: 200, profile }), { replay: "" }); // warm-up
console.log(
  `simulator benchmark: profile ${profile}, seed ${seed}, crash steps ${crashes ? "on" : "off"}, node ${process.version}`,
);
const rows: Array<Record<string, number>> = [];
for (const load of loads)
  for (const ops of sizes) {
    const scenario = generateScenario({ seed, ops, profile, crashes, load });
    // The engine's production settings, not knobs drawn from the seed.
    scenario.config = {
      snapshot_every: DEFAULTS.snapshotEvery,
      commit_interval_ms: DEFAULTS.commitIntervalMs,
    };
    const t0 = performance.now();
    const { result, world } = await runScenario(scenario, { replay: "", wallClock: () => performance.now() });
    const ms = performance.now() - t0;
    const kafka = world.kafka.counts();
    if (!result.ok)
      console.log(`  (run had ${result.violations.length} violations: ${result.violations[0]?.message})`);
    const row = {
      load: load ?? 0,
      ops,
      steps: result.steps,
      messages: result.messages,
      invariantChecks: result.invariantChecks,
      seconds: Math.round(ms) / 1000,
      messagesPerSecond: Math.round((result.messages * 1000) / ms),
      stepsPerSecond: Math.round((result.steps * 1000) / ms),
      microsPerOp: Math.round((ms * 1000) / ops),
      // What the load shape does to batching: messages per batch handed to a consumer.
      messagesPerBatch: Math.round((10 * kafka.messagesDelivered) / kafka.batchesDelivered) / 10,
    };
    rows.push(row);
    console.log(
      `  ${load === undefined ? "closed loop " : `load ${String(load).padStart(3)}/5ms`} ops ${String(ops).padStart(7)}: ${row.messages} messages, ${row.steps} steps in ${row.seconds}s → ${row.messagesPerSecond.toLocaleString("en-US")} messages/s, ${row.stepsPerSecond.toLocaleString("en-US")} steps/s, ${row.microsPerOp} µs/op, ${row.messagesPerBatch} messages/batch`,
    );
  }
console.log(JSON.stringify(rows));
