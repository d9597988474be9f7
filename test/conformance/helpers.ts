/** Runs `tradesim conformance ...` as a child process, as a user would. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import type { ConformanceReport } from "../../conformance/run.ts";

export const REPO = resolve(import.meta.dirname, "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function conformance(args: string[], timeoutMs: number): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--no-warnings", "bin/tradesim.js", "conformance", ...args], {
      cwd: REPO,
      env: { ...process.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`tradesim conformance ${args.join(" ")} took more than ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", fail);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export function report(r: CliResult): ConformanceReport {
  try {
    return JSON.parse(r.stdout) as ConformanceReport;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** The disagreements and failures of a report, readable in a failed assertion. */
export function explain(rep: ConformanceReport): string {
  const lines: string[] = [];
  for (const d of rep.disagree) lines.push(`DISAGREE ${d.case}`, ...d.diff.map((l) => `  ${l}`));
  for (const f of rep.failed) lines.push(`FAILED ${f.case} on ${f.side}: ${f.failure}`);
  return lines.join("\n");
}
