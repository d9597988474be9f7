import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, ScenarioError, validateScenario } from "../../scenarios/format.ts";
import { generateScenario } from "../../scenarios/generate/generate.ts";

function problems(doc: unknown): string[] {
  try {
    validateScenario(doc, "x.json");
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  return [];
}

const ok = { op: "deposit", user: 1, asset: "BTC", amount: "1" };

describe("scenario format", () => {
  it("names the step index and field of a bad amount", () => {
    expect(problems({ name: "s", steps: [ok, ok, ok, { ...ok, amount: "12abc" }] })).toEqual([
      'steps[3].amount: "12abc" is not a decimal amount',
    ]);
  });

  it.each([
    [{ name: "s", steps: [{ op: "dance" }] }, 'steps[0].op: unknown op "dance"'],
    [{ name: "s", steps: [{ ...ok, colour: "red" }] }, 'steps[0]: unknown field "colour"'],
    [{ name: "s", steps: [{ op: "withdraw", user: 1, asset: "BTC" }] }, "steps[0].amount: missing"],
    [{ name: "s", steps: [{ ...ok, amount: 5 }] }, "steps[0].amount: 5 is not a decimal amount"],
    [
      { name: "s", steps: [{ op: "cancel", user: 1 }] },
      "steps[0]: a cancel names exactly one of cid, order_id",
    ],
    [{ name: "s", steps: [{ op: "crash", service: "db" }] }, 'steps[0].service: "db" is not a service'],
    [{ name: "s", steps: [{ op: "fault", name: "x" }] }, 'steps[0].name: "x" is not a fault of the catalog'],
    [{ name: "s", profile: "wild", steps: [ok] }, 'profile: "wild" is not a profile'],
    [{ name: "s", steps: [] }, "steps: a scenario needs at least one step"],
    [{ steps: [ok] }, "name: missing"],
    [{ name: "s", steps: [{ ...ok, user: 0 }] }, "steps[0].user: user ids start at 1"],
  ])("rejects %j", (doc, message) => {
    const p = problems(doc);
    expect(p.length).toBeGreaterThan(0);
    expect(p.join("\n")).toContain(message);
  });

  it("accepts the design brief's example and YAML", () => {
    const file = join(import.meta.dirname, "../../scenarios/authored/design-example.json");
    expect(loadScenario(file).steps).toHaveLength(9);
    const dir = mkdtempSync(join(tmpdir(), "tradesim-"));
    writeFileSync(
      join(dir, "s.yaml"),
      "name: y\nsteps:\n  - {op: deposit, user: 7, asset: ETH, amount: '2.5'}\n",
    );
    expect(loadScenario(join(dir, "s.yaml")).steps[0]).toMatchObject({ user: 7, amount: "2.5" });
  });

  it("reports unreadable and malformed files with the file name", () => {
    const dir = mkdtempSync(join(tmpdir(), "tradesim-"));
    writeFileSync(join(dir, "bad.json"), "{ nope");
    expect(() => loadScenario(join(dir, "bad.json"))).toThrow(/bad\.json: not valid JSON/);
    expect(() => loadScenario(join(dir, "absent.json"))).toThrow(/absent\.json: cannot read/);
  });
});

describe("generator", () => {
  it("gives the same scenario for the same seed and a different one for another", () => {
    const a = generateScenario({ seed: 5, ops: 300 });
    expect(generateScenario({ seed: 5, ops: 300 })).toEqual(a);
    expect(generateScenario({ seed: 6, ops: 300 })).not.toEqual(a);
    expect(a.steps).toHaveLength(300);
    expect(() => validateScenario(a)).not.toThrow();
  });

  it("covers every op kind and every order type across a long scenario", () => {
    const s = generateScenario({ seed: 1, ops: 2000 });
    const ops = new Set(s.steps.map((x) => x.op));
    for (const op of ["deposit", "withdraw", "place", "cancel", "crash", "restart", "advance"])
      expect(ops).toContain(op);
    const kinds = new Set(
      s.steps.flatMap((x) =>
        x.op === "place" ? [`${x.type}/${x.tif ?? "GTC"}/${x.post_only ? "po" : ""}`] : [],
      ),
    );
    for (const k of ["Limit/GTC/", "Limit/IOC/", "Limit/FOK/", "Limit/GTC/po", "Market/GTC/"])
      expect(kinds).toContain(k);
    expect(s.steps.some((x) => "async" in x && x.async)).toBe(true);
  });
});
