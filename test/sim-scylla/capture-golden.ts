/**
 * Records the golden transcripts of the conformance cases from a real Cassandra:
 *
 *   node test/sim-scylla/capture-golden.ts [host:port]      (default $TRADESIM_CASSANDRA or 127.0.0.1:9042)
 *
 * Writes test/sim-scylla/golden/cassandra-5.0.json. Uses keyspace `simconf` (dropped first).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CASES } from "./cases.ts";
import { runCase, type StepRecord } from "./conformance.ts";
import { realStore } from "./real-store.ts";

export const GOLDEN_KEYSPACE = "simconf";

async function main(): Promise<void> {
  const contact = process.argv[2] ?? process.env.TRADESIM_CASSANDRA ?? "127.0.0.1:9042";
  const ks = GOLDEN_KEYSPACE;
  const admin = realStore(contact);
  await admin.connect();
  const version = (await admin.execute("SELECT release_version FROM system.local")).first()?.release_version;
  for (const k of [ks, `${ks}_k1`, `${ks}_k2`]) await admin.execute(`DROP KEYSPACE IF EXISTS ${k}`);
  await admin.execute(
    `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  const cases: Record<string, StepRecord[]> = {};
  for (const c of CASES) {
    const store = realStore(contact);
    await store.connect();
    process.stdout.write(`${c.name} ... `);
    cases[c.name] = await runCase(c, store, ks);
    process.stdout.write(`${cases[c.name].length} steps\n`);
    await store.shutdown();
  }
  await admin.shutdown();
  const out = { cassandra: version, driver: "cassandra-driver 4.x, protocol v4, useBigIntAsLong", cases };
  const file = new URL("./golden/cassandra-5.0.json", import.meta.url);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  // the repository's formatter owns JSON layout
  execFileSync("npx", ["biome", "format", "--write", fileURLToPath(file)], { stdio: "ignore" });
  console.log(`wrote ${file.pathname}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
