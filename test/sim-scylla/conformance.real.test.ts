/**
 * Live conformance: every case runs on a real Cassandra and on the simulator, and the two
 * transcripts must agree. Skipped unless TRADESIM_CASSANDRA=host:port names a reachable node
 * (scripts/ start one; see REAL mode in the README). To refresh the golden transcripts that CI
 * checks without a Cassandra, run capture-golden.ts against the same node.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASES } from "./cases.ts";
import { diffTranscripts, runCase } from "./conformance.ts";
import { makeSim, simStore } from "./harness.ts";
import { realStore } from "./real-store.ts";

const contact = process.env.TRADESIM_CASSANDRA;
const KS = "simconf_live";

describe.skipIf(contact === undefined)(`live conformance with Cassandra at ${contact}`, () => {
  const admin = contact === undefined ? null : realStore(contact);

  beforeAll(async () => {
    await admin!.connect();
    for (const k of [KS, `${KS}_k1`, `${KS}_k2`]) await admin!.execute(`DROP KEYSPACE IF EXISTS ${k}`);
    await admin!.execute(
      `CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
  }, 120_000);

  afterAll(async () => {
    await admin?.shutdown();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const real = realStore(contact!);
      await real.connect();
      let expected: Awaited<ReturnType<typeof runCase>>;
      try {
        expected = await runCase(c, real, KS);
      } finally {
        await real.shutdown();
      }
      const sim = makeSim({ seed: 1 });
      const { store } = simStore(sim);
      await store.execute(
        `CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
      );
      const actual = await runCase(c, store, KS);
      const diff = diffTranscripts(expected, actual);
      expect(diff, diff.join("\n")).toEqual([]);
    }, 120_000);
  }
});
