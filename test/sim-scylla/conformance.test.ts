/**
 * The simulator against Cassandra 5.0.9: every conformance case runs on the simulated store and
 * its transcript must equal the golden one recorded from the real server (capture-golden.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CASES } from "./cases.ts";
import { diffTranscripts, runCase, type StepRecord } from "./conformance.ts";
import { makeSim, simStore } from "./harness.ts";

const golden = JSON.parse(readFileSync(new URL("./golden/cassandra-5.0.json", import.meta.url), "utf8")) as {
  cassandra: string;
  cases: Record<string, StepRecord[]>;
};

async function simTranscript(c: (typeof CASES)[number], ks = "simconf"): Promise<StepRecord[]> {
  const sim = makeSim({ seed: 1 });
  const { store } = simStore(sim);
  await store.execute(
    `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  return runCase(c, store, ks);
}

describe(`conformance with Cassandra ${golden.cassandra}`, () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const expected = golden.cases[c.name];
      expect(expected, `no golden transcript for "${c.name}": run capture-golden.ts`).toBeDefined();
      const actual = await simTranscript(c);
      const diff = diffTranscripts(expected, actual);
      expect(diff, diff.join("\n")).toEqual([]);
    });
  }
});
