import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OrderIdSet, OrderIndex } from "../../engine/matching/id-tables.ts";
import type { OrderId } from "../../engine/matching/types.ts";

/** Ids of every kind: dense sequential, strided (multiples of 2^k), huge, negative, strings. */
const idArb: fc.Arbitrary<OrderId> = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: 0n, max: 3000n }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.bigInt({ min: 0n, max: 500n }), fc.integer({ min: 6, max: 40 }))
      .map(([a, k]) => a << BigInt(k)),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: 9007199254740980n, max: 9007199254741000n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -5n, max: -1n }) },
  { weight: 1, arbitrary: fc.constantFrom("a", "b", "1", "0", "") },
);

describe("OrderIdSet", () => {
  it("behaves like a Set, lists ids canonically", () => {
    fc.assert(
      fc.property(fc.array(idArb, { maxLength: 3000 }), (ids) => {
        const s = new OrderIdSet();
        const model = new Set<OrderId>();
        for (const id of ids) {
          expect(s.has(id)).toBe(model.has(id));
          expect(s.add(id)).toBe(!model.has(id));
          model.add(id);
          expect(s.has(id)).toBe(true);
        }
        expect(s.size).toBe(model.size);
        const big = [...model]
          .filter((x): x is bigint => typeof x === "bigint")
          .sort((a, b) => (a < b ? -1 : 1));
        const str = [...model].filter((x): x is string => typeof x === "string").sort();
        expect(s.ids()).toEqual([...big, ...str]);
      }),
      { numRuns: 200 },
    );
  });

  it("keeps 1n and '1' apart", () => {
    const s = new OrderIdSet();
    expect(s.add(1n)).toBe(true);
    expect(s.has("1")).toBe(false);
    expect(s.add("1")).toBe(true);
    expect(s.add(1n)).toBe(false);
    expect(s.ids()).toEqual([1n, "1"]);
  });

  it("grows through many sequential and strided ids", () => {
    const s = new OrderIdSet();
    for (let i = 0n; i < 100_000n; i++) s.add(i * 3n);
    for (let i = 0n; i < 20_000n; i++) s.add(i << 20n);
    expect(s.size).toBe(100_000 + 20_000 - 1); // 0 is in both
    expect(s.has(299_997n)).toBe(true);
    expect(s.has(299_998n)).toBe(false);
    expect(s.has(19_999n << 20n)).toBe(true);
  });
});

describe("OrderIndex", () => {
  const opArb = fc.tuple(fc.constantFrom("set", "set", "delete", "get"), idArb, fc.nat());
  it("behaves like a Map under random set/delete/get", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 4000 }), (ops) => {
        const ix = new OrderIndex<number>();
        const model = new Map<OrderId, number>();
        for (const [op, id, v] of ops) {
          if (op === "set") {
            ix.set(id, v);
            model.set(id, v);
          } else if (op === "delete") {
            expect(ix.delete(id)).toBe(model.delete(id));
          }
          expect(ix.get(id)).toBe(model.get(id));
        }
        expect(ix.size).toBe(model.size);
        for (const [id, v] of model) expect(ix.get(id)).toBe(v);
      }),
      { numRuns: 200 },
    );
  });

  it("tombstones and clean-up rehashes keep every probe run reachable (dense churn)", () => {
    const ix = new OrderIndex<bigint>();
    const live: bigint[] = [];
    let next = 0n;
    for (let step = 0; step < 200_000; step++) {
      if (live.length < 5000 || step % 3 !== 0) {
        ix.set(next, next);
        live.push(next++);
      } else {
        const k = (step * 7919) % live.length;
        const [id] = live.splice(k, 1);
        expect(ix.delete(id)).toBe(true);
        expect(ix.get(id)).toBeUndefined();
      }
    }
    expect(ix.size).toBe(live.length);
    for (const id of live) expect(ix.get(id)).toBe(id);
  });
});
