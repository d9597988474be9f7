import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSource, checkTree } from "../../scripts/firewall.ts";

const root = join(import.meta.dirname, "../..");

describe("determinism firewall", () => {
  it("finds a planted Date.now() in engine/, and nothing once it is gone", () => {
    const planted = join(root, "engine", "__planted_firewall_probe__.ts");
    writeFileSync(planted, "export const t = () => Date.now();\n");
    try {
      const found = checkTree(root).filter((v) => v.file === "engine/__planted_firewall_probe__.ts");
      expect(found).toHaveLength(1);
      expect(found[0].rule).toMatch(/^Date: wall clock/);
      expect(found[0].line).toBe(1);
    } finally {
      rmSync(planted);
    }
    expect(checkTree(root)).toEqual([]);
  });

  it.each([
    ["Math.random()", "Math.random"],
    ["setTimeout(() => {}, 1)", "setTimeout"],
    ["setImmediate(() => {})", "setImmediate"],
    ["performance.now()", "performance"],
    ["process.hrtime.bigint()", "process.hrtime"],
    ["crypto.randomUUID()", "crypto.randomUUID"],
    ["new Date()", "Date"],
  ])("rejects %s", (code, rule) => {
    const v = checkSource("engine/x.ts", `export const f = () => ${code};\n`);
    expect(v.map((x) => x.rule.split(": ")[0])).toContain(rule);
  });

  it.each([
    ['import { createServer } from "node:net";', "import node:net"],
    ['import { Kafka } from "kafkajs";', "import kafkajs"],
    ['import { randomBytes } from "node:crypto";', "crypto.randomBytes"],
    ['import { readFileSync } from "node:fs";', "import node:fs"],
  ])("rejects %s", (code, rule) => {
    const v = checkSource("engine/x.ts", code);
    expect(v.map((x) => x.rule.split(": ")[0])).toContain(rule);
  });

  it("allows what is deterministic: HMAC, type-only references, property names", () => {
    const code = [
      'import { createHmac } from "node:crypto";',
      'import type { Kafka } from "kafkajs";',
      "type T = { Date: number; when: Date };",
      "const o = { setTimeout: 1 };",
      "export const h = (k: string) => createHmac('sha256', k).digest('hex') + o.setTimeout;",
    ].join("\n");
    expect(checkSource("engine/x.ts", code)).toEqual([]);
  });
});
