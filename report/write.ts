/**
 * Writes a gate run's reports: `<out>/<run id>/{summary.json,junit.xml,summary.md,index.html}`,
 * then copies that folder to `<out>/latest` (a copy, not a symlink, so CI artifact uploads and
 * file:// links work everywhere). The run id is a hash of what ran and how it ended, so the same
 * deterministic run writes the same folder again.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GateReport } from "../sim/campaign/gate.ts";
import { renderHtml } from "./html.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";

export const REPORT_FILES = ["summary.json", "junit.xml", "summary.md", "index.html"] as const;

export function reportJson(r: GateReport): string {
  return `${JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

export interface Written {
  dir: string;
  latest: string;
  files: Record<(typeof REPORT_FILES)[number], string>;
}

export function writeGateReports(r: GateReport, outDir: string): Written {
  const dir = join(outDir, r.runId);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = {
    "summary.json": join(dir, "summary.json"),
    "junit.xml": join(dir, "junit.xml"),
    "summary.md": join(dir, "summary.md"),
    "index.html": join(dir, "index.html"),
  };
  writeFileSync(files["summary.json"], reportJson(r));
  writeFileSync(files["junit.xml"], renderJunit(r));
  writeFileSync(files["summary.md"], renderMarkdown(r, files["index.html"]));
  writeFileSync(files["index.html"], renderHtml(r));
  const latest = join(outDir, "latest");
  rmSync(latest, { recursive: true, force: true });
  cpSync(dir, latest, { recursive: true });
  return { dir, latest, files };
}
