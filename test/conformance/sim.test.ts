/**
 * `tradesim conformance --adapters sim`: every case runs on the simulator (fast: no services),
 * the JSON report has its shape, usage errors exit 2; and the comparison and normalisation rules
 * (conformance/normalise.ts) on hand-made transcripts.
 */
import { describe, expect, it } from "vitest";
import { KAFKA_CASES } from "../../conformance/cases/kafka.ts";
import { normaliseSteps } from "../../conformance/normalise.ts";
import { compareOutcomes } from "../../conformance/run.ts";
import type { Step } from "../../conformance/types.ts";
import { CASES as STORE_CASES } from "../sim-scylla/cases.ts";
import { conformance, explain, report } from "./helpers.ts";

describe("tradesim conformance --adapters sim", () => {
  it("runs every case to its end; the JSON report has its shape", async () => {
    const r = await conformance(["--adapters", "sim", "--json"], 120_000);
    const rep = report(r);
    expect(r.code, explain(rep)).toBe(0);
    expect(rep.cases).toBe(KAFKA_CASES.length + STORE_CASES.length);
    expect(rep.cases).toBeGreaterThanOrEqual(30);
    expect(rep.agree).toBe(rep.cases);
    expect(rep.disagree).toEqual([]);
    expect(rep.failed).toEqual([]);
    expect(rep.sides).toEqual(["sim"]);
    expect(typeof rep.durationMs).toBe("number");
    expect(rep.results).toHaveLength(rep.cases);
    for (const c of rep.results) {
      expect(c.case).toMatch(/^(kafka|scylla)\//);
      expect(c.verdict).toBe("ran");
      expect(c.sim?.ok).toBe(true);
      expect(c.sim?.steps).toBeGreaterThan(0);
      expect(c.real).toBeUndefined();
    }
    expect(new Set(rep.results.map((c) => c.case)).size).toBe(rep.cases);
    expect(rep.results.filter((c) => c.suite === "kafka")).toHaveLength(KAFKA_CASES.length);
  });

  it("prints a table without --json; --only and --case select cases", async () => {
    const r = await conformance(["--adapters", "sim", "--only", "kafka", "--case", "group"], 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^case\s+sim\s+real\s+verdict$/m);
    expect(r.stdout).toContain("kafka/independent groups");
    expect(r.stdout).toContain("kafka/shared group");
    expect(r.stdout).not.toContain("scylla/");
    expect(r.stdout).toMatch(/2 cases on sim: 2 ran, 0 disagree, none failed/);
  });

  it("exits 2 on bad usage", async () => {
    const usages = [
      [],
      ["--adapters", "nope"],
      ["--adapters", "sim", "--only", "redis"],
      ["--adapters", "sim", "--case", "no such case"],
    ];
    const results = await Promise.all(usages.map((args) => conformance(args, 30_000)));
    results.forEach((r, i) => {
      expect(r.code, `${usages[i].join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe("");
    });
  });
});

describe("comparison and normalisation", () => {
  const ctx = { prefixes: ["tsconf.abc_12345."], keyspace: "conformance_abc_12345" };

  it("forgives only what normalise.ts lists", () => {
    const real: Step[] = [
      { call: "topic", note: "tsconf.abc_12345.adm" },
      {
        call: "error",
        error: { name: "E", message: "Keyspace 'conformance_abc_12345_k1' at 127.0.0.1:9042" },
      },
      { call: "member", note: "tradesim-conformance-0b6a1c1e-3f5e-4c51-9b7e-2a7c9a1d4e10 left" },
      { call: "message", note: { key: "k", timestamp: "1732400000123" } },
      {
        call: "syntax",
        error: { name: "ResponseError", code: 8192, message: "line 1:7 no viable alternative" },
        compare: "code",
      },
      { call: "offsets", note: ["2:0", "0:0", "1:3"], unordered: true },
    ];
    const sim: Step[] = [
      { call: "topic", note: "adm" },
      { call: "error", error: { name: "E", message: "Keyspace '{ks}_k1' at localhost:9042" } },
      { call: "member", note: "sim-member-1-0b6a1c1e-3f5e-4c51-9b7e-2a7c9a1d4e11 left" },
      { call: "message", note: { key: "k", timestamp: "1000" } },
      {
        call: "syntax",
        error: { name: "ResponseError", code: 8192, message: "line 1:7 mismatched input" },
        compare: "code",
      },
      { call: "offsets", note: ["0:0", "1:3", "2:0"], unordered: true },
    ];
    // the simulator's message timestamp is virtual (1000 ms): not an epoch, so not forgiven
    const d = compareOutcomes("x", { steps: normaliseSteps(sim, ctx) }, { steps: normaliseSteps(real, ctx) });
    expect(d?.diff).toHaveLength(1);
    expect(d?.diff[0]).toContain("step 3 (message)");
    sim[3] = { call: "message", note: { key: "k", timestamp: "1732400000999" } };
    expect(
      compareOutcomes("x", { steps: normaliseSteps(sim, ctx) }, { steps: normaliseSteps(real, ctx) }),
    ).toBeNull();
  });

  it("reports differing answers, missing steps and outcomes, with both sides' steps", () => {
    const sim: Step[] = [
      { call: "a", ok: 1 },
      { call: "b", ok: [1, 2] },
    ];
    const real: Step[] = [{ call: "a", ok: 2 }];
    const d = compareOutcomes("kafka/x", { steps: sim }, { steps: real, failure: "CheckFailed: boom" })!;
    expect(d.case).toBe("kafka/x");
    expect(d.sim).toEqual([
      { step: 0, call: "a", ok: 1 },
      { step: 1, call: "b", ok: [1, 2] },
      { failure: null },
    ]);
    expect(d.real).toEqual([
      { step: 0, call: "a", ok: 2 },
      { step: 1, missing: true },
      { failure: "CheckFailed: boom" },
    ]);
    expect(d.diff).toHaveLength(3);
    // an unordered list still differs when its elements do
    expect(
      compareOutcomes(
        "y",
        { steps: normaliseSteps([{ call: "s", note: [1, 2], unordered: true }], { prefixes: [] }) },
        { steps: normaliseSteps([{ call: "s", note: [2, 3], unordered: true }], { prefixes: [] }) },
      ),
    ).not.toBeNull();
  });
});
