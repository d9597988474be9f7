/** Small text helpers shared by the gate's report formats. */
import type { Violation } from "../invariants/types.ts";
import { type GateItem, type GateReport, shapeOf } from "../sim/campaign/gate.ts";

/** Escapes text for XML and HTML (content and double- or single-quoted attributes). */
export function esc(s: unknown): string {
  return (
    String(s)
      // Characters XML 1.0 does not allow at all (C0 controls other than tab, LF, CR).
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;")
  );
}

export function num(n: number): string {
  return n.toLocaleString("en-US");
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export function firstViolation(it: GateItem): Violation | undefined {
  return it.result?.violations[0];
}

/** "[expect] step 1234 (scenario step 8): message" */
export function violationLine(v: Violation): string {
  return `[${v.invariant}] step ${v.step}${v.op >= 0 ? ` (scenario step ${v.op})` : v.op === -1 ? " (end-of-run drain)" : ""}: ${v.message}`;
}

export function valuesText(v: Violation): string {
  return Object.entries(v.values)
    .map(([k, x]) => `${k}=${x}`)
    .join("  ");
}

/** "seeds 1..40 under default, all (60 ops)" */
export function seedsText(r: GateReport): string {
  if (r.seedsRun === null) return "no seeds";
  const { from, to } = r.seedsRun;
  return `seed${from === to ? ` ${from}` : `s ${from}..${to}`} under ${r.options.profiles.join(", ")} (${r.options.ops} ops)`;
}

export function pct(x: number | null): string {
  if (x === null) return "n/a";
  return `${x > 0 ? "+" : ""}${x.toFixed(1)}%`;
}

/** Consecutive runs of seeds per profile (and load shape), `size` at most: the JUnit test cases for seeds. */
export function seedBatches(items: GateItem[], size: number): Array<{ profile: string; items: GateItem[] }> {
  const out: Array<{ profile: string; items: GateItem[] }> = [];
  const byProfile = new Map<string, GateItem[]>();
  for (const it of items) {
    if (it.spec.kind !== "seed") continue;
    const shape = shapeOf(it.spec);
    const list = byProfile.get(shape) ?? [];
    list.push(it);
    byProfile.set(shape, list);
  }
  for (const [profile, list] of byProfile) {
    list.sort((a, b) => (a.spec.kind === "seed" && b.spec.kind === "seed" ? a.spec.seed - b.spec.seed : 0));
    for (let i = 0; i < list.length; i += size) out.push({ profile, items: list.slice(i, i + size) });
  }
  return out;
}

export function seedOf(it: GateItem): number {
  return it.spec.kind === "seed" ? it.spec.seed : (it.result?.seed ?? 0);
}
