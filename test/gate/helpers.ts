/** Shared helpers for the gate's tests: run the CLI, make scenario folders, read reports. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GateReport } from "../../sim/campaign/gate.ts";
import { type CliResult, REPO, runTradesim } from "../support/tradesim-cli.ts";

export { REPO };

/** Runs `tradesim gate ...args` in the repository with this Node (>= 22.18, type stripping). */
export function gate(args: string[], timeoutMs = 240_000): Promise<CliResult> {
  return runTradesim("gate", args, timeoutMs);
}

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tradesim-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes the temporary folders made by `tempDir` (call from afterAll). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A folder holding the design example with its expected avail changed: its `expect` fails. */
export function wrongExpectFolder(): { dir: string; file: string } {
  const dir = join(tempDir("wrong-expect"), "scenarios");
  mkdirSync(dir, { recursive: true });
  const doc = JSON.parse(readFileSync(join(REPO, "scenarios/authored/design-example.json"), "utf8"));
  doc.name = "wrong expect: the design example expecting 8999.98 BTC";
  const expect = doc.steps[doc.steps.length - 1];
  expect.balances["1001"].BTC.avail = "8999.98";
  const file = join(dir, "wrong-expect.json");
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return { dir, file };
}

export function readReport(dir: string): GateReport {
  return JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as GateReport;
}

/** URLs an HTML page would load from the network: script/img/iframe src, link href, CSS url(), @import. */
export function networkRefs(html: string): string[] {
  const out: string[] = [];
  const patterns = [
    /<(?:script|img|iframe|audio|video|source|embed|track|input)\b[^>]*?\bsrc\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]+)/gi,
    /<link\b[^>]*?\bhref\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]+)/gi,
    /<object\b[^>]*?\bdata\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]+)/gi,
    /url\(\s*["']?\s*((?:https?:)?\/\/[^"')\s]+)/gi,
    /@import\s+(?:url\()?\s*["']?((?:https?:)?\/\/[^"')\s;]+)/gi,
    /\b(?:fetch|importScripts)\(\s*["'`](https?:\/\/[^"'`]+)/gi,
  ];
  for (const re of patterns) for (const m of html.matchAll(re)) out.push(m[1]);
  return out;
}
