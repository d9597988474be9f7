/**
 * `tradesim gate` end to end (small op counts, few seeds): a clean run on the current engine, a
 * scenario whose `expect` is wrong, a seed that regressed against a baseline (with a planted
 * bug), and bad usage. Reports are written to temporary folders.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDuration } from "../../cli/commands/gate.ts";
import { loadBaseline } from "../../sim/campaign/baseline.ts";
import { gate, networkRefs, readReport, removeTempDirs, tempDir, wrongExpectFolder } from "./helpers.ts";
import { findAll, parseXml, type XmlElement } from "./xml.ts";

const FILES = ["summary.json", "junit.xml", "summary.md", "index.html"];

function checkJunitCounts(root: XmlElement): void {
  expect(root.name).toBe("testsuites");
  const suites = findAll(root, "testsuite");
  let tests = 0;
  let failures = 0;
  for (const s of suites) {
    const cases = s.children.filter((c) => c.name === "testcase");
    expect(Number(s.attrs.tests), s.attrs.name).toBe(cases.length);
    const failed = cases.filter((c) => c.children.some((x) => x.name === "failure")).length;
    expect(Number(s.attrs.failures), s.attrs.name).toBe(failed);
    for (const c of cases) {
      expect(c.attrs.name).toBeTruthy();
      expect(c.attrs.classname).toBeTruthy();
      expect(Number(c.attrs.time)).toBeGreaterThanOrEqual(0);
    }
    tests += cases.length;
    failures += failed;
  }
  expect(Number(root.attrs.tests)).toBe(tests);
  expect(Number(root.attrs.failures)).toBe(failures);
}

afterAll(removeTempDirs);

describe("tradesim gate", () => {
  it("passes on the current engine with --seeds 1..2 --ops 60 and writes the four reports", async () => {
    const out = tempDir("gate-pass");
    const r = await gate(["--seeds", "1..2", "--ops", "60", "--out", out, "--no-baseline"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain("gate: PASS");
    const report = readReport(join(out, "latest"));
    expect(report.verdict).toBe("pass");
    expect(report.runId).toMatch(/^gate-[0-9a-f]{12}$/);
    for (const f of FILES) {
      expect(existsSync(join(out, report.runId, f)), f).toBe(true);
      expect(readFileSync(join(out, "latest", f), "utf8")).toBe(
        readFileSync(join(out, report.runId, f), "utf8"),
      );
    }
    const scenarios = readdirSync("scenarios/authored").filter((f) => /\.(json|ya?ml)$/.test(f)).length;
    expect(report.totals.scenarios.total).toBeGreaterThanOrEqual(scenarios);
    expect(report.totals.seeds.total).toBe(6); // seeds 1 and 2 under default, all, and all as open-loop load
    expect(report.seedsRun).toEqual({ from: 1, to: 2, count: 2 });
    expect(report.items.filter((i) => i.kind === "seed").map((i) => i.id)).toEqual([
      "seed/default/1",
      "seed/all/1",
      "seed/all+load20/1",
      "seed/default/2",
      "seed/all/2",
      "seed/all+load20/2",
    ]);

    // junit.xml: well-formed, and the counts add up: a test case per scenario file and one per
    // seed batch (seeds 1..2 are one batch per profile and load shape).
    const junit = parseXml(readFileSync(join(out, "latest/junit.xml"), "utf8"));
    checkJunitCounts(junit);
    expect(Number(junit.attrs.tests)).toBe(report.totals.scenarios.total + 3);
    expect(Number(junit.attrs.failures)).toBe(0);
    const seedCases = findAll(junit, "testcase").filter((c) =>
      c.attrs.classname.startsWith("tradesim.seeds."),
    );
    expect(seedCases.map((c) => c.attrs.name)).toEqual([
      "seeds 1..2 (profile default, 60 ops)",
      "seeds 1..2 (profile all, 60 ops)",
      "seeds 1..2 (profile all+load20, 60 ops)",
    ]);

    // index.html: one self-contained file, nothing loaded from the network.
    const html = readFileSync(join(out, "latest/index.html"), "utf8");
    expect(networkRefs(html)).toEqual([]);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).toContain("uPlot");
    expect(html).toContain('data-verdict="pass"');
    expect(readFileSync(join(out, "latest/summary.md"), "utf8")).toContain("tradesim gate: pass");
  }, 300_000);

  it("fails on a scenario whose expect is wrong, and every report names it, its step and its replay", async () => {
    const { dir, file } = wrongExpectFolder();
    const out = tempDir("gate-expect");
    const r = await gate([
      "--scenarios",
      dir,
      "--no-default-scenarios",
      "--seeds",
      "1..1",
      "--ops",
      "30",
      "--profiles",
      "default",
      "--out",
      out,
      "--no-baseline",
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    const report = readReport(join(out, "latest"));
    expect(report.verdict).toBe("fail");
    const item = report.items.find((i) => i.kind === "scenario")!;
    expect(item.id).toBe(file);
    expect(item.ok).toBe(false);
    const v = item.result!.violations[0];
    expect(v.invariant).toBe("expect");
    expect(v.message).toContain("expected 8999.98");
    const replay = `npx tradesim replay ${file}`;
    expect(item.replay).toBe(replay);
    expect(r.stdout).toContain(replay);

    const junitText = readFileSync(join(out, "latest/junit.xml"), "utf8");
    const junit = parseXml(junitText);
    checkJunitCounts(junit);
    const failing = findAll(junit, "testcase").filter((c) => c.children.some((x) => x.name === "failure"));
    expect(failing.map((c) => c.attrs.name)).toEqual([file]);
    const failure = failing[0].children.find((x) => x.name === "failure")!;
    expect(failure.attrs.type).toBe("expect");
    expect(failure.attrs.message).toContain(`step ${v.step}`);
    expect(failure.attrs.message).toContain(replay);
    expect(failure.text).toContain(`step: ${v.step}`);
    expect(failure.text).toContain(`replay: ${replay}`);

    const md = readFileSync(join(out, "latest/summary.md"), "utf8");
    expect(md).toContain("FAIL");
    expect(md).toContain(file);
    expect(md).toContain(`| ${v.step} (scenario step ${v.op})`);
    expect(md).toContain(replay);

    const html = readFileSync(join(out, "latest/index.html"), "utf8");
    expect(html).toContain(file);
    expect(html).toContain(item.name);
    expect(html).toContain(`data-failing-step="${v.step}"`);
    expect(html).toContain(`failing step ${v.step}`);
    expect(html).toContain(replay);
    expect(networkRefs(html)).toEqual([]);

    // Forensics: the trace around the step, the balances of user 1001's BTC, its ledger rows.
    const f = report.forensics[0];
    expect(f.itemId).toBe(file);
    expect(f.reproduced).toBe(true);
    expect(f.failingStep).toBe(v.step);
    expect(f.window.some((t) => t.failing && t.text.startsWith("violation expect"))).toBe(true);
    expect(f.timeline.some((t) => t.kind === "crash" && t.text.startsWith("crash settlement"))).toBe(true);
    expect(f.balances.map((b) => `${b.user}:${b.assetCode}`)).toEqual(["1001:BTC"]);
    expect(f.balances[0].points.at(-1)!.avail).toBe("8999.99");
    expect(f.ledger[0].rows.map((x) => x.event)).toContain("withdraw");
    expect(f.ledger[0].breaks).toBe(0);
  }, 300_000);

  it("finds a regression against the baseline: a seed that passed now fails (planted bug)", async () => {
    const out = tempDir("gate-baseline");
    const baseline = join(out, "baseline.json");
    const common = [
      "--no-default-scenarios",
      "--seeds",
      "1..1",
      "--ops",
      "40",
      "--profiles",
      "default",
      "--load",
      "0",
    ];
    const first = await gate([...common, "--baseline", baseline, "--update-baseline", "--out", out]);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const b = loadBaseline(baseline);
    expect(b.items["seed/default/1"]).toMatchObject({ ok: true });
    expect(b.ops).toBe(40);
    expect(b.throughput.messagesPerSecond).toBeGreaterThan(0);

    // Same baseline, same seed: nothing changed, exit 0, every seed compared.
    const again = await gate([...common, "--baseline", baseline, "--out", out]);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    const same = readReport(join(out, "latest"));
    expect(same.baseline).toMatchObject({ newFailures: [], fixed: [], coverageLost: [], traceChanged: 0 });
    expect(same.runId).toBe(b.runId); // deterministic: the same run gets the same id

    const planted = await gate([...common, "--baseline", baseline, "--plant", "ledger-ms-key", "--out", out]);
    expect(planted.code, planted.stderr + planted.stdout).toBe(1);
    const report = readReport(join(out, "latest"));
    expect(report.baseline!.newFailures).toEqual(["seed/default/1"]);
    expect(report.reasons.join(" ")).toContain("passed in the baseline and fail now");
    const f = report.forensics[0];
    expect(f.violation.invariant).toBe("ledger-chain");
    expect(f.ledger.some((p) => p.breaks > 0)).toBe(true);
    const junit = parseXml(readFileSync(join(out, "latest/junit.xml"), "utf8"));
    checkJunitCounts(junit);
    const regression = findAll(junit, "testcase").find(
      (c) => c.attrs.classname === "tradesim.baseline" && c.children.length > 0,
    )!;
    expect(regression.children[0].attrs.message).toContain("seed/default/1");
    const md = readFileSync(join(out, "latest/summary.md"), "utf8");
    expect(md).toMatch(/new failures: `seed\/default\/1`/);
    const html = readFileSync(join(out, "latest/index.html"), "utf8");
    expect(html).toContain("New failures (1)");
    expect(html).toContain("npx tradesim run --seed 1 --ops 40 --profile default --plant ledger-ms-key");
  }, 300_000);

  it("with --budget keeps starting seeds until the time is spent, all runs of a seed together", async () => {
    const out = tempDir("gate-budget");
    const r = await gate([
      "--budget",
      "1s",
      "--ops",
      "20",
      "--no-default-scenarios",
      "--no-baseline",
      "--out",
      out,
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = readReport(join(out, "latest"));
    expect(report.options.budget).toBe("1s");
    const seeds = report.items.map((i) => i.id);
    const n = report.seedsRun!.count;
    expect(n).toBeGreaterThanOrEqual(1); // the first seed always starts
    expect(report.seedsRun).toEqual({ from: 1, to: n, count: n });
    expect(seeds).toEqual(
      Array.from({ length: n }, (_, i) => [
        `seed/default/${i + 1}`,
        `seed/all/${i + 1}`,
        `seed/all+load20/${i + 1}`,
      ]).flat(),
    );
    checkJunitCounts(parseXml(readFileSync(join(out, "latest/junit.xml"), "utf8")));
    expect(readFileSync(join(out, "latest/summary.md"), "utf8")).toContain("budget 1s");
  }, 120_000);

  it("rejects bad usage with exit 2 and a message naming the flag or file", async () => {
    const dir = tempDir("gate-usage");
    const badBaseline = join(dir, "bad.json");
    writeFileSync(badBaseline, '{"version": 1, "items": 3}');
    const notJson = join(dir, "not.json");
    writeFileSync(notJson, "{ nope");
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const cases: Array<[string[], RegExp]> = [
      [["--budget", "2x"], /--budget: "2x" is not a duration/],
      [["--seeds", "5..1"], /--seeds: 5\.\.1 is empty/],
      [["--scenarios", join(dir, "missing")], /--scenarios: .*missing does not exist/],
      [["--scenarios", empty], /--scenarios: .*empty holds no scenario files/],
      [["--baseline", join(dir, "none.json")], /--baseline: .*none\.json does not exist/],
      [["--baseline", badBaseline], /--baseline: .*bad\.json: not a tradesim gate baseline/],
      [["--baseline", notJson], /--baseline: .*not\.json: not valid JSON/],
      [["--profiles", "default,nope"], /--profiles: "nope" is not one of/],
      [["--plant", "nope"], /--plant: "nope" is not a planted bug/],
      [["--no-baseline", "--update-baseline"], /--update-baseline needs a baseline file/],
    ];
    const results = await Promise.all(cases.map(([args]) => gate([...args, "--out", dir])));
    results.forEach((r, i) => {
      expect(r.code, `${cases[i][0].join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
    });
    // A scenario file that does not validate is bad input too, named with its field.
    const bad = join(dir, "scen");
    mkdirSync(bad);
    writeFileSync(
      join(bad, "broken.json"),
      JSON.stringify({ name: "x", steps: [{ op: "deposit", user: 1 }] }),
    );
    const r = await gate(["--scenarios", bad, "--no-default-scenarios", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json: steps\[0\]\.asset: missing/);
  }, 120_000);

  it("parses durations", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("500ms")).toBe(500);
    for (const bad of ["", "2", "0s", "2x", "m", "-1s"])
      expect(() => parseDuration(bad), bad).toThrow(/--budget/);
  });
});
