import { PLANT_NAMES, type Plant, plantByName } from "../sim/plants/catalog.ts";

/** Exit codes of the CLI contract (DESIGN.md). */
export const EXIT = { ok: 0, violation: 1, usage: 2 } as const;

/** Bad usage or bad input: printed as one clear message, exit code 2, nothing run. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses `A..B` (inclusive) into a list of seeds. */
export function parseSeedRange(text: string, flag = "--seeds"): number[] {
  const m = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  if (!m) {
    if (/^\d+$/.test(text.trim())) return [Number(text.trim())];
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a seed range like 1..100`);
  }
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (b < a) throw new UsageError(`${flag}: ${text} is empty (the end is before the start)`);
  if (b - a > 1_000_000) throw new UsageError(`${flag}: ${text} is more than a million seeds`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export function parseIntFlag(text: string, flag: string, min = 0): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not an integer >= ${min}`);
  }
  return Number(text);
}

export function parseChoice<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not one of ${choices.join(", ")}`);
  }
  return text as T;
}

/** `--plant a,b` → the planted bugs, or a usage error naming the unknown one. */
export function parsePlants(text: string | undefined): Plant[] {
  if (text === undefined) return [];
  return text.split(",").map((name) => {
    try {
      return plantByName(name.trim());
    } catch {
      throw new UsageError(
        `--plant: ${JSON.stringify(name)} is not a planted bug (known: ${PLANT_NAMES.join(", ")})`,
      );
    }
  });
}
