/** The baseline comparison and the report formats, on hand-made data (no runs: fast). */
import { describe, expect, it } from "vitest";
import { esc } from "../../report/text.ts";
import { compareBaseline, makeBaseline } from "../../sim/campaign/baseline.ts";
import { classify, partitionsNamed } from "../../sim/campaign/forensics.ts";
import { parseXml } from "./xml.ts";

const base = makeBaseline({
  runId: "gate-000000000000",
  ops: 60,
  users: 8,
  profiles: ["default", "all"],
  plants: [],
  items: [
    { id: "scenarios/authored/a.json", ok: true, traceHash: "aa" },
    { id: "scenarios/authored/b.json", ok: false, traceHash: "bb" },
    { id: "seed/default/1", ok: true, traceHash: "11" },
    { id: "seed/default/2", ok: true, traceHash: "22" },
  ],
  coverage: { "partial-fill": 4, "stp-fired": 1, "fok-killed": 0 },
  throughput: { messages: 1000, cpuMs: 1000, messagesPerSecond: 1000 },
});

describe("baseline comparison", () => {
  it("names new failures, fixes, lost and gained rare events, and the throughput change", () => {
    const c = compareBaseline("b.json", base, {
      ops: 60,
      users: 8,
      plants: [],
      items: [
        { id: "scenarios/authored/a.json", kind: "scenario", ok: false, traceHash: "ax" },
        { id: "scenarios/authored/b.json", kind: "scenario", ok: true, traceHash: "bb" },
        { id: "seed/default/1", kind: "seed", ok: true, traceHash: "1x" },
        { id: "seed/default/3", kind: "seed", ok: true, traceHash: "33" },
      ],
      coverage: { "partial-fill": 6, "stp-fired": 0, "fok-killed": 2 },
      messagesPerSecond: 800,
    });
    expect(c.newFailures).toEqual(["scenarios/authored/a.json"]);
    expect(c.fixed).toEqual(["scenarios/authored/b.json"]);
    expect(c.added).toEqual(["seed/default/3"]);
    expect(c.notRun).toEqual(["seed/default/2"]);
    expect(c.traceChanged).toBe(1);
    expect(c.coverageLost).toEqual([{ event: "stp-fired", baseline: 1, now: 0 }]);
    expect(c.coverageGained).toEqual([{ event: "fok-killed", baseline: 0, now: 2 }]);
    expect(c.throughput).toEqual({ baseline: 1000, now: 800, changePct: -20 });
    expect(c.regressed).toBe(true);
  });

  it("does not compare seeds generated with another --ops, and says so", () => {
    const c = compareBaseline("b.json", base, {
      ops: 500,
      users: 8,
      plants: [],
      items: [{ id: "seed/default/1", kind: "seed", ok: false, traceHash: "x" }],
      coverage: { "partial-fill": 1, "stp-fired": 1 },
      messagesPerSecond: 1000,
    });
    expect(c.newFailures).toEqual([]);
    expect(c.added).toEqual(["seed/default/1"]);
    expect(c.notes.join(" ")).toMatch(/--ops 60 .* --ops 500/);
    expect(c.regressed).toBe(false);
  });
});

describe("forensics helpers", () => {
  it("finds the partitions a violation names, in its values or its message", () => {
    const v = (message: string, values: Record<string, string> = {}) => ({
      invariant: "x",
      step: 1,
      op: 0,
      seed: "1",
      message,
      values,
    });
    expect(partitionsNamed(v("steps[8]: user 1001 BTC avail is 1", { user: "1001", asset: "BTC" }))).toEqual([
      { user: 1001, asset: 1 },
    ]);
    expect(
      partitionsNamed(v("ledger (user 1002, asset 3): seq 5 follows 3", { user: "1002", asset: "3" })),
    ).toEqual([{ user: 1002, asset: 3 }]);
    expect(partitionsNamed(v("user 1004 asset 2 went negative"))).toEqual([{ user: 1004, asset: 2 }]);
    expect(partitionsNamed(v("symbol 0: output_seq 1 reused"))).toEqual([]);
  });

  it("classifies trace entries for the timeline", () => {
    expect(classify("op 3 deposit")).toBe("op");
    expect(classify("fault kafka.send-timeout-appended x")).toBe("fault");
    expect(classify("crash settlement#1")).toBe("crash");
    expect(classify("start settlement#2")).toBe("restart");
    expect(classify("start settlement#1")).toBeUndefined();
    expect(classify("violation expect: x")).toBe("violation");
    expect(classify("scylla gateway exec")).toBeUndefined();
  });
});

describe("escaping", () => {
  it("keeps any text well-formed in XML", () => {
    const nasty = `a<b>&"c'\u0001 ]]> </failure>`;
    const el = parseXml(`<x a="${esc(nasty)}">${esc(nasty)}</x>`);
    expect(el.attrs.a).toBe(nasty.replace("\u0001", "\ufffd"));
    expect(el.text).toBe(nasty.replace("\u0001", "\ufffd"));
  });

  it("rejects XML that is not well-formed", () => {
    for (const bad of [
      "<a>",
      "<a></b>",
      "<a x=1/>",
      "<a>&</a>",
      "<a>&nope;</a>",
      "<a/><b/>",
      '<a x="1" x="2"/>',
      "<a><</a>",
    ])
      expect(() => parseXml(bad), bad).toThrow();
  });
});
