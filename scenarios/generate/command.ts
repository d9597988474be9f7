/** The one command line that regenerates and runs a generated scenario (printed with failures). */
import type { GenerateOptions } from "./weights.ts";

export type RunSpec = Required<Pick<GenerateOptions, "seed" | "ops" | "profile" | "users">> &
  Pick<GenerateOptions, "load">;

export function runCommand(s: RunSpec): string {
  return (
    `npx tradesim run --seed ${s.seed} --ops ${s.ops} --profile ${s.profile}` +
    (s.users !== 8 ? ` --users ${s.users}` : "") +
    (s.load !== undefined ? ` --load ${s.load}` : "")
  );
}
