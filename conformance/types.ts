/**
 * The conformance runner's vocabulary: a case runs on a side and leaves a transcript (a list of
 * steps: what was called, what came back); two sides agree on a case when their normalised
 * transcripts are equal.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Which implementation a case runs against. */
export type Side = "sim" | "real";

/** Which port (and service) a case exercises. */
export type Suite = "kafka" | "scylla";

/**
 * One step of a transcript. Kafka and Scylla steps share this shape: `call` says what was done,
 * `ok` what came back, `error` how it failed; `note` is a value the case computed itself.
 * `compare: "code"` (Scylla syntax errors) compares an error by name and code only; `unordered`
 * says the `note` is a list whose order the client library leaves unspecified (see normalise.ts).
 */
export interface Step {
  call: string;
  params?: Json;
  options?: Json;
  ok?: Json;
  error?: { name: string; code?: number | null; message: string; [k: string]: Json | undefined };
  note?: Json;
  compare?: "code";
  unordered?: true;
}

/** What one side left of one case. */
export interface Outcome {
  steps: Step[];
  /** Set when the case did not run to its end: a failed check, an exception, a timeout. */
  failure?: string;
  ms: number;
}

/** A case the runner knows how to run on either side. */
export interface CaseInfo {
  /** `kafka/<name>` or `scylla/<name>`: unique, stable, what `--json` reports. */
  id: string;
  suite: Suite;
  name: string;
}
