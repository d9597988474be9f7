/**
 * The inspection API used by invariant checkers (no latency, no faults), and the error table:
 * every message of errors.ts either appears, as Cassandra 5.0.9 worded it, in the golden
 * transcripts, or is listed below with the reason it cannot.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MSG } from "../../sim/scylla/errors.ts";
import type { StepRecord } from "./conformance.ts";
import { arm, inProcess, makeSim, type Sim } from "./harness.ts";

const KS = "trading";

function setup(sim: Sim): void {
  sim.scylla.query(
    `CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  sim.scylla.query(
    `CREATE TABLE ${KS}.balance_ledger (user_id bigint, asset_id int, seq bigint, avail bigint, frozen bigint, PRIMARY KEY ((user_id, asset_id), seq)) WITH CLUSTERING ORDER BY (seq DESC)`,
  );
}

describe("inspection", () => {
  it("query() runs at once, typed like a prepared statement, and throws Cassandra's errors", () => {
    const sim = makeSim();
    setup(sim);
    const q = `INSERT INTO ${KS}.balance_ledger (user_id, asset_id, seq, avail, frozen) VALUES (?, ?, ?, ?, ?)`;
    for (let s = 1n; s <= 3n; s++) sim.scylla.query(q, [1001n, 1, s, s * 100n, 0n]);
    const rs = sim.scylla.query(
      `SELECT seq, avail FROM ${KS}.balance_ledger WHERE user_id = ? AND asset_id = ? LIMIT 1`,
      [1001n, 1],
    );
    expect(rs.rows).toEqual([{ seq: 3n, avail: 300n }]);
    expect(sim.sched.now()).toBe(0);
    expect(() => sim.scylla.query(`SELECT * FROM ${KS}.balance_ledger WHERE user_id = 1001`)).toThrow(
      MSG.allowFiltering(),
    );
    expect(() => sim.scylla.query("SELECT * FROM balance_ledger")).toThrow(MSG.noKeyspace());
    expect(sim.scylla.query("SELECT COUNT(*) FROM balance_ledger", [], { keyspace: KS }).first()).toEqual({
      count: 3n,
    });
  });

  it("rows(), partitionRows(), firstRow(), partitionKeys(), table()", () => {
    const sim = makeSim();
    setup(sim);
    const q = `INSERT INTO ${KS}.balance_ledger (user_id, asset_id, seq, avail) VALUES (?, ?, ?, ?)`;
    for (const [u, a, s] of [
      [1n, 1, 1n],
      [1n, 1, 2n],
      [2n, 1, 1n],
      [1n, 2, 1n],
    ] as const)
      sim.scylla.query(q, [u, a, s, 5n]);
    expect(sim.scylla.rows(KS, "balance_ledger")).toHaveLength(4);
    expect(sim.scylla.partitionRows(KS, "balance_ledger", [1n, 1]).map((r) => r.seq)).toEqual([2n, 1n]);
    expect(sim.scylla.firstRow(KS, "balance_ledger", [1n, 1])).toEqual({
      user_id: 1n,
      asset_id: 1,
      seq: 2n,
      avail: 5n,
      frozen: null,
    });
    // the head row deleted: firstRow skips it
    sim.scylla.query(`DELETE FROM ${KS}.balance_ledger WHERE user_id = 1 AND asset_id = 1 AND seq = 2`);
    expect(sim.scylla.firstRow(KS, "balance_ledger", [1n, 1])?.seq).toBe(1n);
    expect(sim.scylla.firstRow(KS, "balance_ledger", [9n, 9])).toBeNull();
    sim.scylla.query(`DELETE FROM ${KS}.balance_ledger WHERE user_id = 2 AND asset_id = 1`);
    const keys = sim.scylla.partitionKeys(KS, "balance_ledger");
    expect(keys).toHaveLength(2);
    expect(keys).toContainEqual({ user_id: 1n, asset_id: 1 });
    expect(keys).toContainEqual({ user_id: 1n, asset_id: 2 });
    const def = sim.scylla.table(KS, "balance_ledger")!;
    expect(def.partitionKey.map((c) => c.name)).toEqual(["user_id", "asset_id"]);
    expect(def.clustering.map((c) => c.name)).toEqual(["seq"]);
    expect(def.desc).toEqual([true]);
    expect(() => sim.scylla.rows(KS, "nope")).toThrow("table nope does not exist");
  });

  it("onWrite() reports every applied partition change, including those of faults", async () => {
    const sim = makeSim();
    setup(sim);
    const seen: string[] = [];
    const off = sim.scylla.onWrite((w) => seen.push(`${w.keyspace}.${w.table} ${w.pk.join(",")}`));
    arm(sim, "scylla.batch-partial");
    await inProcess(sim, async (store) => {
      await store.execute(`INSERT INTO ${KS}.balance_ledger (user_id, asset_id, seq) VALUES (1, 1, 1)`);
      await store
        .batch(
          [1, 2, 3].map((a) => ({
            query: `INSERT INTO ${KS}.balance_ledger (user_id, asset_id, seq) VALUES (5, ${a}, 1)`,
          })),
          { logged: false },
        )
        .catch(() => {});
    });
    expect(seen[0]).toBe("trading.balance_ledger 1,1");
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThanOrEqual(3);
    off();
    sim.scylla.query(`INSERT INTO ${KS}.balance_ledger (user_id, asset_id, seq) VALUES (1, 1, 2)`);
    expect(seen.length).toBeLessThanOrEqual(3);
    expect(sim.scylla.stats.statements).toBe(2);
  });
});

describe("error table", () => {
  const golden = JSON.parse(
    readFileSync(new URL("./golden/cassandra-5.0.json", import.meta.url), "utf8"),
  ) as {
    cases: Record<string, StepRecord[]>;
  };
  const messages = new Set<string>();
  for (const steps of Object.values(golden.cases))
    for (const s of steps) if (s.error) messages.add(s.error.message);

  /** Messages Cassandra produces that the golden cases cannot provoke, with the reason. */
  const NOT_IN_GOLDEN: Record<string, string> = {
    badUtf8: "the driver always sends valid UTF-8 for JS strings",
  };

  it("every message matches a golden (Cassandra 5.0.9) error text", () => {
    const missing: string[] = [];
    for (const [name, fn] of Object.entries(MSG) as Array<[string, (...a: unknown[]) => string]>) {
      if (name in NOT_IN_GOLDEN) continue;
      // build a regexp from the template: arguments become wildcards
      const marks = ["§0§", "§1§", "§2§", "§3§"];
      let text: string;
      try {
        text = fn(...marks);
      } catch {
        text = fn(...marks.map((m) => [m]));
      }
      const re = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/§\d§/g, ".+")}$`);
      if (![...messages].some((m) => re.test(m))) missing.push(`${name}: ${text.replace(/§\d§/g, "%s")}`);
    }
    expect(missing).toEqual([]);
  });
});
