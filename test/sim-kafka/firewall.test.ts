/**
 * The determinism firewall for sim/kafka: no wall clock, no Math.random, no timers, no real
 * randomness or I/O. All time comes from the Scheduler, all randomness from its seeded streams,
 * all faults from the FaultInjector.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIR = join(import.meta.dirname, "../../sim/kafka");

const FORBIDDEN: Array<[string, RegExp]> = [
  ["Date", /\bDate\b/],
  ["Math.random", /\bMath\.random\b/],
  ["timers", /\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/],
  ["performance.now", /\bperformance\b/],
  ["process.hrtime / process.nextTick", /\bprocess\.(hrtime|nextTick)\b/],
  ["crypto", /\bcrypto\b/i],
  ["node: modules (I/O, network)", /from\s+"node:/],
  ["require", /\brequire\(/],
];

function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
}

describe("sim/kafka determinism firewall", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".ts"));

  it("has the expected parts", () => {
    expect(files.sort()).toEqual(
      expect.arrayContaining([
        "admin.ts",
        "broker.ts",
        "consumer.ts",
        "group.ts",
        "index.ts",
        "partitioner.ts",
        "producer.ts",
      ]),
    );
  });

  for (const f of files) {
    it(`${f} touches no clock, timer, real randomness or I/O`, () => {
      const text = code(readFileSync(join(DIR, f), "utf8"));
      for (const [what, re] of FORBIDDEN) expect(re.test(text), `${f} uses ${what}`).toBe(false);
    });
  }
});
