/**
 * `tradesim gate [--seeds A..B | --budget DURATION] [--scenarios DIR...] [--baseline FILE]
 * [--out DIR] [--ops M] [--workers K] [--plant NAME] [--update-baseline] [--json]`: the CI
 * correctness gate. Replays every scenario file (scenarios/authored, scenarios/regressions and
 * the --scenarios folders), then seeded generated runs under each fault profile over the worker
 * pool; re-runs failures in-process for forensics; compares with the baseline; writes
 * reports/<run id>/ (summary.json, junit.xml, summary.md, index.html) and reports/latest/.
 * Exit 0: everything held and nothing regressed; 1: a violation, a failed expect, a run that
 * could not complete, or a regression against the baseline; 2: bad usage or bad input.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { writeGateReports } from "../../report/write.ts";
import { loadScenario } from "../../scenarios/format.ts";
import { type Baseline, BaselineError, loadBaseline, makeBaseline } from "../../sim/campaign/baseline.ts";
import { assembleReport, type GateConfig, gateForensics, runGate } from "../../sim/campaign/gate.ts";
import { defaultWorkers } from "../../sim/campaign/pool.ts";
import { PROFILE_NAMES } from "../../sim/faults/catalog.ts";
import { toJson } from "../report.ts";
import { EXIT, parseChoice, parseIntFlag, parsePlants, parseSeedRange, UsageError } from "../usage.ts";

const REPO = resolve(import.meta.dirname, "../..");
const DEFAULT_SEEDS = "1..10";
const DEFAULT_BASELINE = "reports/baseline.json";

/** `90s`, `2m`, `1h`, `1m30s`, `500ms` → milliseconds. */
export function parseDuration(text: string, flag = "--budget"): number {
  const t = text.trim();
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(t);
  const ms =
    m === null || t === ""
      ? Number.NaN
      : Number(m[1] ?? 0) * 3_600_000 +
        Number(m[2] ?? 0) * 60_000 +
        Number(m[3] ?? 0) * 1000 +
        Number(m[4] ?? 0);
  if (!Number.isFinite(ms) || ms <= 0)
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a duration like 90s, 2m, 1m30s or 1h`);
  return Math.round(ms);
}

/** A path as shown and replayed: relative to the working directory when inside it. */
function shown(p: string): string {
  const rel = relative(process.cwd(), resolve(p));
  return (rel === "" || rel.startsWith("..") ? resolve(p) : rel).split(sep).join("/");
}

function scenarioFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const p = join(dir, name);
    if (/\.(json|ya?ml)$/i.test(name) && statSync(p).isFile()) out.push(shown(p));
  }
  return out;
}

function defaultDir(rel: string): string {
  return existsSync(rel) ? rel : shown(join(REPO, rel));
}

interface GateFlags {
  budget?: string;
  seeds?: string;
  scenarios?: string[];
  defaultScenarios: boolean;
  baseline?: string | false;
  out: string;
  ops: string;
  users: string;
  profiles: string;
  load: string;
  workers?: string;
  plant?: string;
  updateBaseline?: boolean;
  maxForensics: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("gate")
    .description(
      "the CI correctness gate: every scenario file, then seeded runs under each fault profile; reports and a baseline comparison",
    )
    .option(
      "--seeds <A..B>",
      `seeds to run, each under every profile (default ${DEFAULT_SEEDS} without --budget)`,
    )
    .option(
      "--budget <duration>",
      "keep starting seeds (from A of --seeds, or 1) until this much time is spent: 90s, 2m, 1h",
    )
    .option(
      "--scenarios <dir...>",
      "more folders (or files) of scenarios to replay, besides scenarios/authored and scenarios/regressions",
    )
    .option(
      "--no-default-scenarios",
      "replay only the --scenarios folders, not scenarios/authored and scenarios/regressions",
    )
    .option("--baseline <file>", `the baseline to compare with (default ${DEFAULT_BASELINE}, if present)`)
    .option("--no-baseline", "do not compare with any baseline")
    .option(
      "--update-baseline",
      "write this run's results as the baseline (--baseline, default reports/baseline.json)",
    )
    .option("--out <dir>", "where reports are written (<dir>/<run id>/ and <dir>/latest/)", "reports")
    .option("--ops <m>", "scenario steps per seeded run", "500")
    .option("--users <k>", "users per seeded run", "8")
    .option(
      "--profiles <list>",
      `fault profiles the seeds run under (${PROFILE_NAMES.join(", ")})`,
      "default,all",
    )
    .option(
      "--load <k>",
      "also run each seed as open-loop load, k requests per 5 ms, under the last profile (0: not)",
      "20",
    )
    .option("--workers <k>", "worker processes (default: one per core)")
    .option("--plant <name>", "plant a known bug in every run (see `tradesim plants`)")
    .option("--max-forensics <n>", "failing runs re-run for the report's forensics", "10")
    .option("--json", "print the summary (summary.json) on stdout")
    .action(async (flags: GateFlags) => {
      // --- usage: everything is checked before anything runs --------------------------------
      const plants = parsePlants(flags.plant);
      const ops = parseIntFlag(flags.ops, "--ops", 1);
      const users = parseIntFlag(flags.users, "--users", 1);
      const maxForensics = parseIntFlag(flags.maxForensics, "--max-forensics", 0);
      const load = parseIntFlag(flags.load, "--load", 0);
      const workers =
        flags.workers === undefined ? defaultWorkers() : parseIntFlag(flags.workers, "--workers", 1);
      const profiles = [...new Set(flags.profiles.split(",").map((p) => p.trim()))].map((p) =>
        parseChoice(p, "--profiles", PROFILE_NAMES),
      );
      const budgetMs = flags.budget === undefined ? null : parseDuration(flags.budget);
      let seeds: GateConfig["seeds"];
      if (flags.seeds !== undefined) {
        const list = parseSeedRange(flags.seeds);
        seeds = { from: list[0], to: list[list.length - 1] };
      } else if (budgetMs !== null) seeds = { from: 1, to: null };
      else seeds = { from: 1, to: 10 };

      const dirs: string[] = [];
      if (flags.defaultScenarios)
        for (const d of ["scenarios/authored", "scenarios/regressions"].map(defaultDir))
          if (existsSync(d) && statSync(d).isDirectory()) dirs.push(d);
      const single: string[] = [];
      for (const d of flags.scenarios ?? []) {
        if (!existsSync(d)) throw new UsageError(`--scenarios: ${d} does not exist`);
        if (!statSync(d).isDirectory()) {
          // A single scenario file is accepted too.
          if (!/\.(json|ya?ml)$/i.test(d))
            throw new UsageError(
              `--scenarios: ${d} is neither a folder nor a scenario file (.json, .yaml, .yml)`,
            );
          single.push(shown(d));
          continue;
        }
        if (scenarioFilesIn(d).length === 0)
          throw new UsageError(`--scenarios: ${d} holds no scenario files (.json, .yaml, .yml)`);
        dirs.push(shown(d));
      }
      const files = [...new Set([...dirs.flatMap(scenarioFilesIn), ...single])];
      for (const f of files) loadScenario(f); // a bad file is bad input: exit 2, naming it

      if (flags.baseline === false && flags.updateBaseline)
        throw new UsageError("--update-baseline needs a baseline file; drop --no-baseline");
      const baselineFile = flags.baseline === false ? null : (flags.baseline ?? DEFAULT_BASELINE);
      let baseline: { file: string; data: Baseline } | null = null;
      if (baselineFile !== null && (flags.baseline !== undefined || existsSync(baselineFile))) {
        if (!existsSync(baselineFile)) {
          if (!flags.updateBaseline) throw new UsageError(`--baseline: ${baselineFile} does not exist`);
        } else {
          try {
            baseline = { file: baselineFile, data: loadBaseline(baselineFile) };
          } catch (e) {
            if (!(e instanceof BaselineError)) throw e;
            // Replacing an unreadable (or older) baseline is what --update-baseline is for.
            if (!flags.updateBaseline) throw new UsageError(`--baseline: ${e.message}`);
            console.error(`gate: warning: ${e.message}; it will be replaced`);
          }
        }
      }

      // --- the runs ---------------------------------------------------------------------
      const quiet = !!flags.json;
      const log = (s: string) => {
        if (!quiet) console.error(s);
      };
      const cfg: GateConfig = {
        scenarioFiles: files,
        seeds,
        budgetMs,
        ops,
        users,
        profiles,
        load,
        workers,
        plants: plants.map((p) => p.name),
      };
      const seedsDesc =
        seeds.to === null
          ? `seeds ${seeds.from}.. for ${flags.budget}`
          : `seeds ${seeds.from}..${seeds.to}${budgetMs ? ` (at most ${flags.budget})` : ""}`;
      log(
        `gate: ${files.length} scenario file(s), ${seedsDesc} under ${profiles.join(", ")}, ${ops} ops, ${workers} worker(s)${plants.length ? `, planted: ${cfg.plants.join(", ")}` : ""}`,
      );
      const tty = !quiet && process.stderr.isTTY;
      let bar: SingleBar | null = null;
      let lastLog = performance.now();
      cfg.onProgress = (p) => {
        if (quiet) return;
        if (tty && p.total !== null) {
          if (bar === null) {
            bar = new SingleBar({
              format: "{bar} {value}/{total} runs | {failed} failed | {eta_formatted} left",
              stream: process.stderr,
            });
            bar.start(p.total, 0, { failed: 0 });
          }
          bar.update(p.done, { failed: p.failed });
        } else if (performance.now() - lastLog > 5000 || p.done === p.total) {
          lastLog = performance.now();
          log(
            `gate: ${p.done}${p.total !== null ? `/${p.total}` : ""} runs done, ${p.failed} failed (last: ${p.last})`,
          );
        }
      };
      const run = await runGate(cfg);
      (bar as SingleBar | null)?.stop();
      const forensics = await gateForensics(run.items, cfg.plants, maxForensics, (id) =>
        log(`gate: re-running ${id} for the report`),
      );
      const report = assembleReport({
        cfg,
        run,
        forensics,
        baseline,
        options: {
          seeds: flags.seeds ?? (budgetMs === null ? DEFAULT_SEEDS : null),
          budget: flags.budget ?? null,
          ops,
          users,
          profiles,
          workers,
          plants: cfg.plants,
          scenarioDirs: [...dirs, ...single],
          baseline: baseline?.file ?? (flags.updateBaseline ? baselineFile : null),
          updateBaseline: !!flags.updateBaseline,
        },
      });
      if (flags.updateBaseline && baselineFile !== null) {
        const b = makeBaseline({
          runId: report.runId,
          ops,
          users,
          profiles,
          plants: cfg.plants,
          items: report.items.map((i) => ({ id: i.id, ok: i.ok, traceHash: i.result?.traceHash ?? "" })),
          coverage: report.coverage,
          throughput: {
            messages: report.totals.messages,
            cpuMs: report.totals.cpuMs,
            messagesPerSecond: report.totals.messagesPerSecond,
          },
        });
        mkdirSync(dirname(resolve(baselineFile)), { recursive: true });
        writeFileSync(baselineFile, `${JSON.stringify(b, null, 2)}\n`);
        report.baselineWritten = baselineFile;
      }
      const written = writeGateReports(report, flags.out);

      // --- the verdict ----------------------------------------------------------------------
      if (flags.json) console.log(toJson(report));
      else {
        const t = report.totals;
        console.log(
          `\ngate: ${report.verdict === "pass" ? "PASS" : "FAIL"}${report.reasons.length ? ` (${report.reasons.join("; ")})` : ""}`,
        );
        console.log(
          `  ${t.items} runs: ${t.scenarios.total} scenario file(s) (${t.scenarios.failed} failed), ${t.seeds.total} seeded run(s)${run.seedsRun ? ` of seeds ${run.seedsRun.from}..${run.seedsRun.to}` : ""} (${t.seeds.failed} failed); ${t.steps.toLocaleString("en-US")} steps, ${t.messagesPerSecond.toLocaleString("en-US")} msg/s, ${(t.wallMs / 1000).toFixed(1)} s`,
        );
        for (const it of report.items.filter((i) => !i.ok).slice(0, 20)) {
          const v = it.result?.violations[0];
          console.log(
            `  ✗ ${it.id}: ${v ? `[${v.invariant}] step ${v.step}${v.op >= 0 ? ` (scenario step ${v.op})` : ""}: ${v.message}` : (it.error ?? "").split("\n")[0]}`,
          );
          console.log(`      replay: ${it.replay}`);
        }
        const b = report.baseline;
        if (b)
          console.log(
            `  baseline ${b.file}: ${b.newFailures.length} new failure(s), ${b.fixed.length} fixed, rare events lost: ${b.coverageLost.map((c) => c.event).join(", ") || "none"}, throughput ${b.throughput.baseline} → ${b.throughput.now} msg/s`,
          );
        else if (!flags.updateBaseline) console.log("  no baseline to compare with");
        if (report.baselineWritten) console.log(`  baseline written: ${report.baselineWritten}`);
        if (report.neverReached.length)
          console.log(`  rare events never reached: ${report.neverReached.join(", ")}`);
        console.log(
          `  reports: ${written.dir}/ (index.html, junit.xml, summary.md, summary.json), copied to ${written.latest}/`,
        );
      }
      process.exitCode = report.exitCode === 0 ? EXIT.ok : EXIT.violation;
    });
}
