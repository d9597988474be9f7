/**
 * Shrinking: reduces a failing scenario to a small one that still violates the same invariant
 * (same seed and profile, so the reduced run is replayable as is). Passes, repeated until none
 * makes progress or the budget of runs is spent:
 *   1. drop steps, ddmin-style: chunks of n/2, n/4, … down to single steps;
 *   2. drop faults: profile "none", then each fault/crash/restart/advance step;
 *   3. fewer users: fold each user into a lower-numbered one;
 *   4. smaller amounts: halve deposit/withdraw amounts and order quantities (kept on the lot).
 */
import { formatDecimal, parseDecimal } from "../engine/domain/amount.ts";
import type { Scenario, Step } from "./format.ts";

export interface ShrinkOptions {
  /** Does this candidate still fail the same way? */
  fails: (s: Scenario) => Promise<boolean>;
  /** Most candidate runs (default 300). */
  maxRuns?: number;
  log?: (msg: string) => void;
}

export interface ShrinkResult {
  scenario: Scenario;
  runs: number;
  from: number;
  to: number;
}

function withSteps(s: Scenario, steps: Step[]): Scenario {
  return { ...s, steps };
}

export async function shrinkScenario(start: Scenario, opts: ShrinkOptions): Promise<ShrinkResult> {
  const maxRuns = opts.maxRuns ?? 300;
  let runs = 0;
  let best = start;
  const attempt = async (cand: Scenario): Promise<boolean> => {
    if (runs >= maxRuns || cand.steps.length === 0) return false;
    runs++;
    if (await opts.fails(cand)) {
      best = cand;
      opts.log?.(`shrink: ${cand.steps.length} steps (run ${runs})`);
      return true;
    }
    return false;
  };

  let progress = true;
  while (progress && runs < maxRuns) {
    progress = false;
    // 1. ddmin over steps.
    for (
      let chunk = Math.max(1, Math.floor(best.steps.length / 2));
      chunk >= 1;
      chunk = Math.floor(chunk / 2)
    ) {
      for (let i = 0; i < best.steps.length && runs < maxRuns; ) {
        const steps = [...best.steps.slice(0, i), ...best.steps.slice(i + chunk)];
        if (await attempt(withSteps(best, steps))) progress = true;
        else i += chunk;
      }
      if (chunk === 1) break;
    }
    // 2. faults off.
    if (best.profile !== "none" && (await attempt({ ...best, profile: "none" }))) progress = true;
    // 3. fewer users.
    const users = [...new Set(best.steps.flatMap((s) => ("user" in s ? [s.user] : [])))].sort(
      (a, b) => a - b,
    );
    for (let j = users.length - 1; j > 0 && runs < maxRuns; j--) {
      const from = users[j];
      const to = users[0];
      const steps = best.steps.map((s) =>
        "user" in s && s.user === from ? { ...s, user: to } : s,
      ) as Step[];
      if (await attempt(withSteps(best, steps))) progress = true;
    }
    // 4. smaller amounts.
    for (let i = 0; i < best.steps.length && runs < maxRuns; i++) {
      const s = best.steps[i];
      const smaller = halve(s);
      if (smaller === null) continue;
      const steps = [...best.steps];
      steps[i] = smaller;
      if (await attempt(withSteps(best, steps))) progress = true;
    }
  }
  return { scenario: best, runs, from: start.steps.length, to: best.steps.length };
}

/** The same step with its amount or quantity halved (staying a positive multiple of the last digit), or null. */
function halve(s: Step): Step | null {
  const field = s.op === "deposit" || s.op === "withdraw" ? "amount" : s.op === "place" ? "qty" : null;
  if (field === null) return null;
  const text = (s as Record<string, unknown>)[field] as string;
  let v: bigint;
  try {
    v = parseDecimal(text, 8, 8, {});
  } catch {
    return null;
  }
  // Keep the precision the original used, so a lot-aligned quantity stays lot-aligned when even.
  const decimals = text.includes(".") ? text.split(".")[1].length : 0;
  const unit = 10n ** BigInt(8 - decimals);
  const units = v / unit;
  if (units < 2n || units % 2n !== 0n) return null;
  return { ...s, [field]: formatDecimal((units / 2n) * unit, 8) } as Step;
}
