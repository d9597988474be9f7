/** Runs `tradesim <command> ...args` as a child process in the repository, as a user would. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** With this Node (>= 22.18, type stripping); killed and failed after `timeoutMs`. */
export function runTradesim(command: string, args: string[], timeoutMs: number): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--no-warnings", "bin/tradesim.js", command, ...args], {
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
      fail(new Error(`tradesim ${command} ${args.join(" ")} took more than ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", fail);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
