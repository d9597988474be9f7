/**
 * THE place where the conformance runner forgives differences between the simulator and the real
 * services. Everything else in two transcripts must be equal, step by step. A rule belongs here
 * only if the difference is legitimate: something a correct client must not depend on.
 *
 * 1. Run-specific names. The real side works in its own topic namespace (`tsconf.<stamp>.`,
 *    which the adapter adds and strips) and its own keyspace (`conformance_<stamp>`). Any string
 *    still carrying the prefix loses it; the keyspace becomes `{ks}` (the Scylla recorder already
 *    does this in error messages; here it applies to every string).
 * 2. Host names and ports in messages (`127.0.0.1:9092`, `localhost:9042`, `[::1]:9042`) become
 *    `<host>`: the simulator has no sockets.
 * 3. Generated ids: kafkajs member ids (`<client id>-<uuid>`) become `<member>`, any other UUID
 *    `<uuid>`; they are random on both sides.
 * 4. Wall-clock timestamps: a property named `timestamp` holding an epoch-milliseconds string or
 *    number (kafkajs's message timestamps, CreateTime) becomes `<timestamp>`; the simulator's
 *    clock is virtual. (Write timestamps in the Scylla cases are explicit and compared as is.)
 * 5. Syntax errors. A Scylla step marked `compare: "code"` (test/sim-scylla/cases.ts) compares an
 *    error by name and code only: the text is ANTLR's, whose wording beyond the common shapes
 *    the simulator does not reproduce. The marker itself is not compared.
 * 6. Answer order that kafkajs leaves unspecified. A Kafka step marked `unordered` (the case says
 *    so: the partitions of `fetchTopicOffsets` and `fetchOffsets`) compares its list sorted.
 *    Kafka 4.4 answers fetchTopicOffsets in an order that depends on its metadata (seen: 2,1,0;
 *    2,0,1; 15,14,11,10,13,12,…) and fetchOffsets in string order (0,1,10,11,…,2); the simulator
 *    answers by partition number. Engine code keys these answers by `partition` (checked:
 *    engine/common/log.ts topicEnds, real/quiesce.ts), so the order is no contract.
 */
import type { Json, Step } from "./types.ts";

export interface NormaliseContext {
  /** Prefixes that name run-specific things (removed). */
  prefixes: string[];
  /** The run's keyspace (becomes `{ks}`). */
  keyspace?: string;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const MEMBER_ID = new RegExp(`[A-Za-z0-9._]+(?:-[A-Za-z0-9._]+)*-${UUID}`, "g");
const ANY_UUID = new RegExp(UUID, "gi");
const HOST = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\blocalhost(?::\d+)?\b|\[[0-9a-f:]+\](?::\d+)?/gi;
const EPOCH = /^\d{10,16}$/;

function text(s: string, ctx: NormaliseContext): string {
  let out = s;
  for (const p of ctx.prefixes) if (p !== "") out = out.split(p).join("");
  if (ctx.keyspace) out = out.split(ctx.keyspace).join("{ks}");
  return out.replace(HOST, "<host>").replace(MEMBER_ID, "<member>").replace(ANY_UUID, "<uuid>");
}

function value(v: Json, ctx: NormaliseContext, key?: string): Json {
  if (typeof v === "string") {
    if (key === "timestamp" && EPOCH.test(v)) return "<timestamp>";
    return text(v, ctx);
  }
  if (typeof v === "number") return key === "timestamp" && EPOCH.test(String(v)) ? "<timestamp>" : v;
  if (Array.isArray(v)) return v.map((x) => value(x, ctx));
  if (v !== null && typeof v === "object") {
    const o: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) o[text(k, ctx)] = value(x, ctx, k);
    return o;
  }
  return v;
}

function sortedJson(xs: Json[]): Json[] {
  return xs
    .map((x) => [JSON.stringify(x), x] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, x]) => x);
}

/** A step as compared: rules 1–6 applied. */
export function normaliseStep(step: Step, ctx: NormaliseContext): Step {
  const { compare, unordered, ...rest } = step;
  const out = value(rest as unknown as Json, ctx) as unknown as Step;
  if (compare === "code" && out.error)
    out.error = { name: out.error.name, code: out.error.code ?? null, message: "" };
  if (unordered && Array.isArray(out.note)) out.note = sortedJson(out.note);
  return out;
}

export function normaliseSteps(steps: Step[], ctx: NormaliseContext): Step[] {
  return steps.map((s) => normaliseStep(s, ctx));
}

/** A failure text (a failed check, an exception), rules 1–3 applied. */
export function normaliseFailure(failure: string | undefined, ctx: NormaliseContext): string | undefined {
  return failure === undefined ? undefined : text(failure, ctx);
}
