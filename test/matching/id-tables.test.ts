import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DETACHED, DUPLICATE, OrderTable } from "../../engine/matching/id-tables.ts";
import type { OrderId } from "../../engine/matching/types.ts";

/** Ids of every kind: dense sequential, strided (multiples of 2^k), near 2^53, negative, strings. */
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
  { weight: 1, arbitrary: fc.constantFrom("a", "b", "1", "0", "", "01", "-1", "1.0", " 1", "1e3") },
  // decimal strings: the fast path up to 15 digits, the fallback beyond
  { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 3000n }).map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: 10n ** 14n - 50n, max: 10n ** 15n + 50n }).map(String) },
);

class Val {
  slot = DETACHED;
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
}

describe("OrderTable", () => {
  it("behaves like a model (seen set + id -> value map) under register / attach / detach / get", () => {
    const opArb = fc.tuple(fc.constantFrom("place", "place", "place", "detach", "get"), idArb, fc.nat());
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 4000 }), (ops) => {
        const t = new OrderTable<Val>();
        const seen = new Set<OrderId>();
        const live = new Map<OrderId, Val>();
        for (const [op, id, n] of ops) {
          if (op === "place") {
            const slot = t.register(id);
            expect(slot === DUPLICATE).toBe(seen.has(id));
            if (slot !== DUPLICATE) {
              seen.add(id);
              if (n % 2 === 0) {
                // rest it (immediately, as the matcher does: no register in between)
                const v = new Val(n);
                t.attach(slot, id, v);
                live.set(id, v);
              }
            }
          } else if (op === "detach") {
            const v = live.get(id);
            if (v !== undefined) {
              t.detach(id, v);
              expect(v.slot).toBe(DETACHED);
              live.delete(id);
            }
          }
          expect(t.get(id)).toBe(live.get(id));
          expect(t.has(id)).toBe(seen.has(id));
        }
        expect(t.size).toBe(seen.size);
        expect(t.live).toBe(live.size);
        for (const [id, v] of live) expect(t.get(id)).toBe(v);
        const big = [...seen]
          .filter((x): x is bigint => typeof x === "bigint")
          .sort((a, b) => (a < b ? -1 : 1));
        const str = [...seen].filter((x): x is string => typeof x === "string").sort();
        expect(t.ids()).toEqual([...big, ...str]);
      }),
      { numRuns: 200 },
    );
  });

  it("keeps string ids apart from bigint ids and from each other", () => {
    const t = new OrderTable<Val>();
    for (const id of ["7", 7n, "07", "999999999999999", "1000000000000000", 999999999999999n]) {
      expect(t.register(id)).not.toBe(DUPLICATE);
    }
    for (const id of ["7", 7n, "07", "999999999999999", "1000000000000000", 999999999999999n]) {
      expect(t.register(id)).toBe(DUPLICATE);
    }
    expect(t.has("007")).toBe(false);
    expect(t.ids()).toEqual([7n, 999999999999999n, "07", "1000000000000000", "7", "999999999999999"]);
  });

  it("keeps 1n and '1' apart", () => {
    const t = new OrderTable<Val>();
    expect(t.register(1n)).toBeGreaterThanOrEqual(0);
    expect(t.has("1")).toBe(false);
    expect(t.register("1")).not.toBe(DUPLICATE);
    expect(t.register(1n)).toBe(DUPLICATE);
    expect(t.ids()).toEqual([1n, "1"]);
  });

  it("slots stay right through growth (values move, their slot follows)", () => {
    const t = new OrderTable<Val>();
    const vals: [bigint, Val][] = [];
    for (let i = 0n; i < 100_000n; i++) {
      const id = i * 3n;
      const slot = t.register(id);
      if (i % 7n === 0n) {
        const v = new Val(Number(i));
        t.attach(slot, id, v);
        vals.push([id, v]);
      }
    }
    for (let i = 0n; i < 20_000n; i++) t.register((i + 1n) << 20n);
    for (const [id, v] of vals) expect(t.get(id)).toBe(v);
    // detaching through the remembered slot clears exactly that entry
    for (const [id, v] of vals.slice(0, 1000)) t.detach(id, v);
    for (const [id] of vals.slice(0, 1000)) expect(t.get(id)).toBeUndefined();
    for (const [id, v] of vals.slice(1000)) expect(t.get(id)).toBe(v);
    expect(t.live).toBe(vals.length - 1000);
    expect(t.has(299_997n)).toBe(true);
    expect(t.has(299_998n)).toBe(false);
    expect(() => t.slotOf(299_998n)).toThrow(/not registered/);
  });
});
