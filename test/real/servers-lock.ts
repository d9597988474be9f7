/**
 * The files of test/real run in parallel (vitest forks one process per file), against the same
 * Kafka and Cassandra. replay.test.ts restarts the broker and Cassandra, which would pull the
 * servers from under the other files' clients mid-test. So: a reader/writer lock across
 * processes, made of files in a folder of the OS temp dir (one per holder, named by its pid).
 * Every file holds it shared while it uses the servers; a restart takes it exclusively and waits
 * until the other files are done (new shared holders wait behind it). Holders whose process
 * died are ignored. (Suites outside test/real that use the servers do not take part.)
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DIR = join(
  tmpdir(),
  `tradesim-real-tests-${createHash("sha1").update(process.cwd()).digest("hex").slice(0, 12)}`,
);
const WAIT_MS = 15 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Live holders of `kind` other than this process. */
function others(kind: "shared" | "exclusive"): string[] {
  let names: string[];
  try {
    names = readdirSync(DIR);
  } catch {
    return [];
  }
  return names.filter((n) => {
    const m = new RegExp(`^${kind}-(\\d+)-`).exec(n);
    if (!m) return false;
    const pid = Number(m[1]);
    if (pid === process.pid) return false;
    if (!alive(pid)) {
      rmSync(join(DIR, n), { force: true });
      return false;
    }
    return true;
  });
}

async function waitUntil(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline)
      throw new Error(`test/real servers lock: waited too long for ${what} (${DIR})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function mark(kind: "shared" | "exclusive"): string {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `${kind}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  writeFileSync(file, `${new Date().toISOString()}\n`);
  return file;
}

/** Holds the servers shared (a test file's whole run); returns the release. */
export async function holdShared(): Promise<() => void> {
  for (;;) {
    await waitUntil(() => others("exclusive").length === 0, "a restart of another test file to end");
    const file = mark("shared");
    if (others("exclusive").length === 0) return () => rmSync(file, { force: true });
    rmSync(file, { force: true }); // an exclusive holder came in between: let it go first
  }
}

/** Runs `work` while no other test file uses the servers (a broker or Cassandra restart). */
export async function exclusive<T>(work: () => Promise<T>): Promise<T> {
  await waitUntil(() => others("exclusive").length === 0, "another restart to end");
  const file = mark("exclusive");
  try {
    await waitUntil(() => others("shared").length === 0, "the other test files to finish with the servers");
    return await work();
  } finally {
    rmSync(file, { force: true });
  }
}
