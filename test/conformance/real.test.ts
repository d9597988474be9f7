/**
 * `tradesim conformance --adapters both --json` against a real Kafka and Cassandra (started, or
 * reused, by scripts/services: Java 17 and Maven on the machine; the first start downloads the
 * jars and takes a minute or two). Not skipped: a machine without them fails here, naming what
 * is missing, as CI installs them through scripts/services.
 *
 * Every case must run on both sides and the two must agree. A disagreement fails this test with
 * both answers: fix the simulator (sim/kafka, sim/scylla) or the adapter (engine/adapters/real),
 * not the normalisation, unless the difference is one a correct client must not depend on (then
 * add a rule to conformance/normalise.ts and say why).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { KAFKA_CASES } from "../../conformance/cases/kafka.ts";
import type { ConformanceReport } from "../../conformance/run.ts";
import { cassandraStore } from "../../engine/adapters/real/cassandra.ts";
import { kafkaLog } from "../../engine/adapters/real/kafka.ts";
import { type ServiceEndpoints, servicesUp } from "../../scripts/services/control.ts";
import { CASES as STORE_CASES } from "../sim-scylla/cases.ts";
import { type CliResult, conformance, explain, report } from "./helpers.ts";

describe("tradesim conformance --adapters both (real Kafka 4.4 and Cassandra 5.0)", () => {
  let endpoints: ServiceEndpoints;
  let run: CliResult;
  let rep: ConformanceReport;

  beforeAll(async () => {
    endpoints = await servicesUp({ log: (line) => console.error(`[services] ${line}`) });
    run = await conformance(["--adapters", "both", "--json"], 900_000);
    rep = report(run);
  }, 1_200_000);

  it("runs every case on both sides, and they agree", () => {
    expect(rep.sides).toEqual(["sim", "real"]);
    expect(rep.cases).toBeGreaterThanOrEqual(30);
    expect(rep.cases).toBe(KAFKA_CASES.length + STORE_CASES.length);
    expect(rep.disagree, explain(rep)).toEqual([]);
    expect(rep.failed, explain(rep)).toEqual([]);
    expect(rep.agree).toBe(rep.cases);
    for (const c of rep.results) {
      expect(c.sim?.ok && c.real?.ok, c.case).toBe(true);
      expect(c.verdict).toBe("agree");
    }
    expect(run.code).toBe(0);
  });

  it("works in names of its own and removes them at the end", async () => {
    const keyspace = rep.real?.keyspace ?? "";
    const prefix = rep.real?.topicPrefix ?? "";
    expect(keyspace).toMatch(/^conformance_[0-9a-z]+_[0-9a-z]{5}$/);
    expect(prefix).toMatch(/^tsconf\.[0-9a-z]+_[0-9a-z]{5}\.$/);
    const store = cassandraStore(endpoints.cassandra);
    const log = kafkaLog({ brokers: endpoints.kafka.brokers, topicPrefix: prefix });
    try {
      await store.connect();
      const rs = await store.execute("SELECT keyspace_name FROM system_schema.keyspaces");
      expect(rs.rows.map((r) => String(r.keyspace_name)).filter((k) => k.startsWith(keyspace))).toEqual([]);
      const admin = log.admin();
      await admin.connect();
      expect(await admin.listTopics()).toEqual([]);
    } finally {
      await log.close();
      await store.shutdown();
    }
  }, 60_000);
});
