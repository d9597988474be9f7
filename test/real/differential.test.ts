/**
 * Differential: the same scenario on the simulator and on real Kafka and Cassandra ends in the
 * same ledger. Per (user, asset): the latest balance_ledger row (seq, avail, frozen), and
 * UBSCore's final balances (avail, frozen, seq). Both runs must also hold every invariant.
 *
 * The generated scenario sends every request synchronously (asyncShare 0): with requests racing,
 * the order in which UBSCore sees them (and so the seqs) may legitimately differ between the
 * simulator's seeded latencies and real timing. Crashes are in (explicit crash/restart steps),
 * and the authored one adds adapter-level faults; recovery must not change the outcome.
 *
 * Brings Kafka and Cassandra up itself (the first run on a machine downloads the jars); without
 * Java 17 or Maven it FAILS with the services scripts' message.
 */
import { describe, expect, it } from "vitest";
import { TABLES } from "../../engine/schema/cql.ts";
import type { RealEnv } from "../../real/env.ts";
import { ledgerHash, ledgerHeads } from "../../real/ledger.ts";
import { runRealScenario } from "../../real/run.ts";
import { loadScenario, type Scenario } from "../../scenarios/format.ts";
import { generateScenario } from "../../scenarios/generate/generate.ts";
import { runScenario } from "../../sim/runner/run.ts";
import { useRealEnv } from "./real-env.ts";

let env: RealEnv;
useRealEnv((e) => {
  env = e;
});

const show = (m: Map<string, { seq: bigint; avail: bigint; frozen: bigint }>) =>
  Object.fromEntries(
    [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, `${v.seq}:${v.avail}/${v.frozen}`]),
  );

async function compare(scenario: Scenario): Promise<void> {
  const sim = await runScenario(scenario, { replay: "differential (sim)" });
  expect(sim.result.violations, "simulator run").toEqual([]);
  const simLedger = ledgerHeads(sim.world.scylla.rows(sim.world.config.keyspace, TABLES.ledger));
  const simBalances = new Map<string, { seq: bigint; avail: bigint; frozen: bigint }>();
  for (const [user, assets] of sim.world.live.ubscore!.state.balances)
    for (const [asset, h] of assets)
      simBalances.set(`${user}:${asset}`, { seq: h.seq, avail: h.avail, frozen: h.frozen });

  const real = await runRealScenario(scenario, { replay: "differential (real)", env });
  expect(real.result.violations, "real run").toEqual([]);
  expect(simLedger.size).toBeGreaterThan(0);
  expect(show(real.final.ledger)).toEqual(show(simLedger));
  expect(show(real.final.balances)).toEqual(show(simBalances));
  expect(real.result.traceHash).toBe(ledgerHash(simLedger));
}

describe("sim and real mode end in the same ledger", () => {
  it("the design example", async () => {
    await compare(loadScenario("scenarios/authored/design-example.json"));
  }, 120_000);

  it("crashes of every service and adapter-level faults", async () => {
    await compare(loadScenario("test/real/scenarios/crashes-and-faults.json"));
  }, 180_000);

  it("a generated scenario with crashes (seed 7, 60 steps, 4 users)", async () => {
    const scenario = generateScenario({
      seed: 7,
      ops: 60,
      users: 4,
      profile: "none",
      asyncShare: 0,
      weights: { crash: 4 },
    });
    expect(scenario.steps.some((s) => s.op === "crash")).toBe(true);
    await compare(scenario);
  }, 240_000);
});
