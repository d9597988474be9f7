/**
 * Settlement's rows and statements (engine/settlement/service.ts), on the simulated Scylla: the
 * first verdict of a request is final without a Paxos round (write timestamp decreasing with the
 * verdict's offset), a withdrawal's verdict stays conditional, and the planner groups rows by
 * partition without losing or duplicating any.
 */
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../engine/config.ts";
import type { OpResult } from "../../engine/protocol/messages.ts";
import { TABLES } from "../../engine/schema/cql.ts";
import {
  MIXED_BATCH_ROWS,
  PARTITION_BATCH_ROWS,
  planStatements,
  SettlementWriter,
  VERDICT_TS_BASE,
  type Write,
} from "../../engine/settlement/service.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { drive, idleProcess, TestStore } from "../gateway/fakes.ts";

const writer = new SettlementWriter(defaultConfig());

const verdict = (over: Partial<OpResult>): OpResult => ({
  type: "result",
  v: 1,
  request_id: "r1",
  user_id: 7,
  kind: "deposit",
  status: "accepted",
  reason: null,
  order_id: null,
  order_status: null,
  body: {},
  ts: 1_000,
  ...over,
});

/** Writes `statements` one after the other through a store client of the simulated Scylla. */
async function writeAll(statements: Write[][]): Promise<TestStore> {
  const sched = new Scheduler({ seed: 1 });
  const store = new TestStore(sched);
  const client = store.client(idleProcess(sched, "settlement"));
  for (const rows of statements) {
    const p =
      rows.length === 1
        ? client.execute(rows[0].query, rows[0].params, { prepare: true })
        : client.batch(
            rows.map((r) => ({ query: r.query, params: r.params })),
            { prepare: true, logged: false },
          );
    await drive(sched, p);
  }
  return store;
}

describe("Settlement verdict rows", () => {
  it("keeps the first verdict of a request whatever order the rows are written in", async () => {
    const first = writer.result(verdict({ status: "accepted" }), 10n);
    const later = writer.result(verdict({ status: "rejected", reason: "insufficient-balance" }), 25n);
    for (const order of [
      [first, later],
      [later, first],
      [later, first, later],
    ]) {
      const store = await writeAll(order.map((w) => w));
      const rows = store.rows(TABLES.requests);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ request_id: "r1", status: "accepted", reason: null });
    }
    // in one batch too (one partition: the same cell written twice, the higher timestamp wins)
    const store = await writeAll(planStatements([...later, ...first]));
    expect(store.rows(TABLES.requests)[0]).toMatchObject({ status: "accepted" });
  });

  it("writes deposits, places and cancels without a condition, at VERDICT_TS_BASE - offset", () => {
    for (const kind of ["deposit", "place", "cancel"] as const) {
      const [w] = writer.result(verdict({ kind }), 42n);
      expect(w.conditional).toBeUndefined();
      expect(w.query).not.toMatch(/\bIF\b/);
      expect(w.query).toMatch(/USING TIMESTAMP \?$/);
      expect(w.params.at(-1)).toBe(VERDICT_TS_BASE - 42n);
    }
  });

  it("writes a withdrawal's verdict with IF NOT EXISTS, on its own", async () => {
    const [w] = writer.result(verdict({ kind: "withdraw" }), 3n);
    expect(w.conditional).toBe(true);
    expect(w.query).toMatch(/IF NOT EXISTS$/);
    const plan = planStatements([w, ...writer.result(verdict({ request_id: "r2" }), 4n)]);
    expect(plan.find((s) => s.includes(w))).toEqual([w]);
    const store = await writeAll([[w], writer.result(verdict({ kind: "withdraw", status: "rejected" }), 9n)]);
    expect(store.rows(TABLES.requests)).toEqual([expect.objectContaining({ status: "accepted" })]);
  });
});

describe("planStatements", () => {
  const ledger = (user: number, seq: number) =>
    writer.balance({
      type: "balance",
      v: 1,
      user_id: user,
      asset_id: 1,
      seq: String(seq),
      delta_avail: "1",
      delta_frozen: "0",
      avail: String(seq),
      frozen: "0",
      cause: "deposit",
      ref: `d${seq}`,
      ts: 1,
    })[0];

  it("puts each partition's rows together, packs single-row partitions, and keeps every row once", () => {
    const rows: Write[] = [];
    for (let s = 1; s <= PARTITION_BATCH_ROWS + 3; s++) rows.push(ledger(1, s)); // one big partition
    for (let s = 1; s <= 3; s++) rows.push(ledger(2, s));
    for (let u = 10; u < 10 + MIXED_BATCH_ROWS + 2; u++) rows.push(ledger(u, 1)); // single rows
    const plan = planStatements(rows);
    expect(plan.flat()).toHaveLength(rows.length);
    expect(new Set(plan.flat())).toEqual(new Set(rows));
    for (const s of plan) {
      const partitions = new Set(s.map((w) => w.partition));
      // a statement is one partition, or single-row partitions only
      if (partitions.size > 1) expect(partitions.size).toBe(s.length);
      expect(s.length).toBeLessThanOrEqual(Math.max(PARTITION_BATCH_ROWS, MIXED_BATCH_ROWS));
    }
    expect(plan.map((s) => s.length)).toEqual([PARTITION_BATCH_ROWS, 3, 3, MIXED_BATCH_ROWS, 2]);
    expect(planStatements(rows, { partitionRows: 1, mixedRows: 1 })).toHaveLength(rows.length);
  });

  it("writes the same rows as one statement per row would", async () => {
    const rows: Write[] = [];
    for (let u = 1; u <= 5; u++) for (let s = 1; s <= u; s++) rows.push(ledger(u, s));
    const batched = await writeAll(planStatements(rows));
    const single = await writeAll(rows.map((r) => [r]));
    expect(batched.rows(TABLES.ledger)).toEqual(single.rows(TABLES.ledger));
    expect(batched.rows(TABLES.ledger)).toHaveLength(15);
  });
});
