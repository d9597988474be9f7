/**
 * Storage and types: the sorted clustering structure against a reference model (random
 * operations, both physical orientations), Murmur3 tokens against cassandra-driver's tokenizer,
 * text order, the LWW tie-break byte order, and the parse cache.
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Bound, SortedRows } from "../../sim/scylla/storage.ts";
import {
  compareBytes,
  compareText,
  murmur3Token,
  partitionKeyBytes,
  type Value,
} from "../../sim/scylla/types.ts";
import { makeSim } from "./harness.ts";

const require = createRequire(import.meta.url);
const { Murmur3Tokenizer } = require("cassandra-driver/lib/tokenizer.js") as {
  Murmur3Tokenizer: new () => { hash(b: Buffer): { toString(): string } };
};

/** Clustering (a int [ASC|DESC], b int [ASC|DESC]) comparator and prefix comparator. */
function comparator(descA: boolean, descB: boolean) {
  const prefix = (x: Value[], y: Value[]) => {
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const c = (x[i] as number) - (y[i] as number);
      if (c !== 0) return (i === 0 ? descA : descB) ? -Math.sign(c) : Math.sign(c);
    }
    return 0;
  };
  return prefix;
}

describe("SortedRows", () => {
  it("keeps rows sorted and answers ranges like a sorted array, in both physical orientations", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5 })), {
          maxLength: 600,
        }),
        fc.array(
          fc.record({
            lo: fc.option(fc.tuple(fc.integer({ min: -1, max: 41 }), fc.boolean())),
            hi: fc.option(fc.tuple(fc.integer({ min: -1, max: 41 }), fc.boolean())),
            reverse: fc.boolean(),
            stopAfter: fc.integer({ min: 1, max: 50 }),
          }),
          { maxLength: 20 },
        ),
        (descA, descB, keys, queries) => {
          const cmp = comparator(descA, descB);
          const rows = new SortedRows(cmp, descA);
          const ref: Value[][] = [];
          for (const [a, b] of keys) {
            const ck = [a, b];
            const row = rows.getOrCreate(ck, 1);
            expect(row.ck).toEqual(ck);
            if (!ref.some((r) => cmp(r, ck) === 0)) ref.push(ck);
          }
          ref.sort(cmp);
          expect(rows.size).toBe(ref.length);
          const all: Value[][] = [];
          rows.range(null, null, false, (r) => {
            all.push(r.ck);
            return true;
          });
          expect(all).toEqual(ref);
          expect(rows.first()?.ck).toEqual(ref[0]);
          expect(rows.last()?.ck).toEqual(ref[ref.length - 1]);
          for (const [a, b] of keys) expect(rows.get([a, b])?.ck).toEqual([a, b]);
          expect(rows.get([99, 99])).toBeUndefined();
          // slices on the first column, as clustering-order bounds
          for (const q of queries) {
            const start: Bound | null = q.lo === null ? null : { values: [q.lo[0]], inclusive: q.lo[1] };
            const end: Bound | null = q.hi === null ? null : { values: [q.hi[0]], inclusive: q.hi[1] };
            const isAfter = (ck: Value[]) => {
              if (start === null) return true;
              const c = cmp(ck, start.values);
              return c > 0 || (c === 0 && start.inclusive);
            };
            const isBefore = (ck: Value[]) => {
              if (end === null) return true;
              const c = cmp(ck, end.values);
              return c < 0 || (c === 0 && end.inclusive);
            };
            let expected = ref.filter((ck) => isAfter(ck) && isBefore(ck));
            if (q.reverse) expected = expected.reverse();
            expected = expected.slice(0, q.stopAfter);
            const got: Value[][] = [];
            rows.range(
              start === null ? null : (r) => isAfter(r.ck),
              end === null ? null : (r) => isBefore(r.ck),
              q.reverse,
              (r) => {
                got.push(r.ck);
                return got.length < q.stopAfter;
              },
            );
            expect(got).toEqual(expected);
          }
          // purge half the rows
          rows.retain((r) => ((r.ck[0] as number) + (r.ck[1] as number)) % 2 === 0);
          const kept = ref.filter((ck) => ((ck[0] as number) + (ck[1] as number)) % 2 === 0);
          const remaining: Value[][] = [];
          rows.range(null, null, true, (r) => {
            remaining.push(r.ck);
            return true;
          });
          expect(remaining).toEqual(kept.reverse());
          expect(rows.size).toBe(kept.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("types", () => {
  it("computes Cassandra's Murmur3 tokens (same as cassandra-driver's tokenizer)", () => {
    const tokenizer = new Murmur3Tokenizer();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        expect(murmur3Token(bytes).toString()).toBe(tokenizer.hash(Buffer.from(bytes)).toString());
      }),
      { numRuns: 500 },
    );
    // values observed on Cassandra 5.0.9 (SELECT token(k))
    expect(murmur3Token(partitionKeyBytes(["text"], ["a"]))).toBe(-8839064797231613815n);
    expect(murmur3Token(partitionKeyBytes(["text"], ["zz"]))).toBe(-7449478004392144519n);
  });

  it("orders text by code point (UTF-8 byte order)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        const c = compareText(a, b);
        const bytes = Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
        expect(Math.sign(c)).toBe(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("breaks write-timestamp ties by the serialised value, unsigned", () => {
    expect(compareBytes("bigint", -1n, 5n)).toBeGreaterThan(0);
    expect(compareBytes("bigint", 7n, 5n)).toBeGreaterThan(0);
    expect(compareBytes("int", -3, 3)).toBeGreaterThan(0);
    expect(compareBytes("boolean", true, false)).toBeGreaterThan(0);
    expect(compareBytes("text", "b", "ab")).toBeGreaterThan(0);
  });
});

describe("parse and prepare caches", () => {
  it("parses a query text once and re-prepares after a schema change", () => {
    const { scylla } = makeSim();
    scylla.query("CREATE KEYSPACE c WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    scylla.query("CREATE TABLE c.t (k int PRIMARY KEY, v int)");
    const q = "SELECT v FROM c.t WHERE k = ?";
    const p1 = scylla.prepareQuery(q, null);
    expect(scylla.prepareQuery(q, null)).toBe(p1);
    scylla.query("DROP TABLE c.t");
    expect(() => scylla.prepareQuery(q, null)).toThrow("table t does not exist");
    scylla.query("CREATE TABLE c.t (k int PRIMARY KEY, x int)");
    expect(() => scylla.prepareQuery(q, null)).toThrow("Undefined column name v in table c.t");
  });
});

describe("convergence", () => {
  it("ends in the same state whatever order the same timestamped writes arrive in (LWW, tombstones, purges)", () => {
    const op = fc.oneof(
      fc
        .tuple(
          fc.constantFrom("x", "y"),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 0, max: 2 }),
          fc.option(fc.constantFrom("a", "b", "c")),
          fc.integer({ min: 1, max: 6 }),
        )
        .map(([p, a, b, v, t]) => ({
          q: `INSERT INTO c.t (p, a, b, v) VALUES (?, ?, ?, ?) USING TIMESTAMP ${t}`,
          params: [p, a, b, v] as unknown[],
        })),
      fc
        .tuple(
          fc.constantFrom("x", "y"),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 0, max: 2 }),
          fc.option(fc.constantFrom("a", "b", "c")),
          fc.integer({ min: 1, max: 6 }),
        )
        .map(([p, a, b, v, t]) => ({
          q: `UPDATE c.t USING TIMESTAMP ${t} SET v = ? WHERE p = ? AND a = ? AND b = ?`,
          params: [v, p, a, b] as unknown[],
        })),
      fc
        .tuple(
          fc.constantFrom("x", "y"),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 0, max: 4 }),
        )
        .map(([p, a, b, t, kind]) => {
          const where = [
            "p = ? AND a = ? AND b = ?",
            "p = ?",
            "p = ? AND a = ?",
            "p = ? AND a > ?",
            "p = ? AND a = ? AND b <= ?",
          ][kind];
          const params = [[p, a, b], [p], [p, a], [p, a], [p, a, b]][kind];
          return { q: `DELETE FROM c.t USING TIMESTAMP ${t} WHERE ${where}`, params: params as unknown[] };
        }),
      fc
        .tuple(
          fc.constantFrom("x", "y"),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 1, max: 6 }),
        )
        .map(([p, a, b, t]) => ({
          q: `DELETE v FROM c.t USING TIMESTAMP ${t} WHERE p = ? AND a = ? AND b = ?`,
          params: [p, a, b] as unknown[],
        })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer(), (ops, seed) => {
        const run = (order: typeof ops) => {
          const { scylla } = makeSim();
          scylla.query(
            "CREATE KEYSPACE c WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
          );
          scylla.query(
            "CREATE TABLE c.t (p text, a int, b int, v text, PRIMARY KEY (p, a, b)) WITH CLUSTERING ORDER BY (a DESC, b ASC)",
          );
          for (const o of order) scylla.query(o.q, o.params);
          return scylla.query("SELECT p, a, b, v, writetime(v) FROM c.t").rows;
        };
        // a seeded permutation
        const shuffled = [...ops];
        let x = seed;
        for (let i = shuffled.length - 1; i > 0; i--) {
          x = (Math.imul(x, 1103515245) + 12345) | 0;
          const j = Math.abs(x) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        expect(run(shuffled)).toEqual(run(ops));
      }),
      { numRuns: 300 },
    );
  });
});
