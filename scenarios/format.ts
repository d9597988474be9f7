/**
 * The scenario file format (DESIGN.md): JSON or YAML, validated with errors that name the file,
 * the step index and the field, e.g. `steps[3].amount: "12abc" is not a decimal amount`.
 * Only syntax is checked here: whether an amount is on the lot, covered by the balance or even a
 * known asset is the exchange's business, and a scenario may send bad input on purpose (with an
 * `expect_status` saying how the gateway must refuse it).
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { FAULT_NAMES, PROFILE_NAMES } from "../sim/faults/catalog.ts";

export const SERVICES = ["gateway", "ubscore", "matching", "settlement"] as const;
export type ServiceName = (typeof SERVICES)[number];

const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

/** A zod error function that says "missing" for an absent field and `msg(value)` otherwise. */
function says(msg: (shown: string) => string) {
  return (i: { input?: unknown }) => (i.input === undefined ? "missing" : msg(show(i.input)));
}

const decimal = z
  .string({ error: says((v) => `${v} is not a decimal amount (give it as a string, like "0.01")`) })
  .refine((s) => DECIMAL.test(s), { error: (i) => `${show(i.input)} is not a decimal amount` });

const user = z.int({ error: says((v) => `${v} is not a user id (an integer)`) }).min(1, {
  error: "user ids start at 1 (0 and -1 are the fee and external accounts)",
});

const text = z.string().min(1);

const deposit = z.strictObject({
  op: z.literal("deposit"),
  user,
  asset: text,
  amount: decimal,
  request_id: text.optional(),
  expect_status: z.int().optional(),
  /** Send without waiting for the answer: the next step starts at once (races on purpose). */
  async: z.boolean().optional(),
});

const withdraw = deposit.extend({ op: z.literal("withdraw") });

const place = z.strictObject({
  op: z.literal("place"),
  user,
  symbol: text,
  side: text,
  type: text,
  price: decimal.optional(),
  qty: decimal,
  cid: text.optional(),
  tif: text.optional(),
  post_only: z.boolean().optional(),
  expect_status: z.int().optional(),
  async: z.boolean().optional(),
});

const cancel = z
  .strictObject({
    op: z.literal("cancel"),
    user,
    cid: text.optional(),
    order_id: text.optional(),
    request_id: text.optional(),
    expect_status: z.int().optional(),
    async: z.boolean().optional(),
  })
  .refine((s) => (s.cid === undefined) !== (s.order_id === undefined), {
    error: "a cancel names exactly one of cid, order_id",
  });

const service = z.enum(SERVICES, { error: says((v) => `${v} is not a service (${SERVICES.join(", ")})`) });

const crash = z.strictObject({ op: z.literal("crash"), service });
const restart = z.strictObject({ op: z.literal("restart"), service });

const fault = z.strictObject({
  op: z.literal("fault"),
  name: z.enum(FAULT_NAMES as [string, ...string[]], {
    error: says((v) => `${v} is not a fault of the catalog (see \`tradesim faults\`)`),
  }),
  /** Force the next `times` opportunities of this fault (default 1). */
  times: z.int().min(1).optional(),
  /** For kafka.broker-unavailable: how long, in virtual ms. */
  ms: z.int().min(1).optional(),
});

const advance = z.strictObject({ op: z.literal("advance"), ms: z.int().min(0) });

/** A client read through the gateway; it must be answered with status 0 (not compared: not quiescent). */
const read = z.strictObject({
  op: z.literal("read"),
  user,
  what: z.enum(["balance", "orders", "trades"], {
    error: says((v) => `${v} is not one of balance, orders, trades`),
  }),
  symbol: text.optional(),
});

const balance = z.strictObject({ avail: decimal.optional(), frozen: decimal.optional() });

const expect = z.strictObject({
  op: z.literal("expect"),
  /** user → asset → {avail, frozen}, as decimals of whole units. */
  balances: z
    .record(z.string().regex(/^[0-9]+$/, "balances keys are user ids"), z.record(text, balance))
    .optional(),
  /** user → cid → order status (New, PartiallyFilled, Filled, Cancelled, Rejected). */
  orders: z.record(z.string().regex(/^[0-9]+$/, "orders keys are user ids"), z.record(text, text)).optional(),
  /** Number of trades settled so far. */
  trades: z.int().min(0).optional(),
});

const OPS = [
  "deposit",
  "withdraw",
  "place",
  "cancel",
  "crash",
  "restart",
  "fault",
  "advance",
  "read",
  "expect",
] as const;

const step = z.discriminatedUnion(
  "op",
  [deposit, withdraw, place, cancel, crash, restart, fault, advance, read, expect],
  {
    error: (i) => {
      const op = (i.input as { op?: unknown } | undefined)?.op;
      return `unknown op ${show(op)} (expected one of ${OPS.join(", ")})`;
    },
  },
);

const feeRates = z.strictObject({
  maker_bps: z.int().min(0).max(10_000),
  taker_bps: z.int().min(0).max(10_000),
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.int().optional(),
  profile: z
    .string()
    .refine((p) => PROFILE_NAMES.includes(p), {
      error: (i) => `${show(i.input)} is not a profile (${PROFILE_NAMES.join(", ")})`,
    })
    .optional(),
  config: z
    .strictObject({
      fees: z.record(text, feeRates).optional(),
      /** UBSCore and ME snapshot spacing (engine config snapshotEvery); default: drawn from the seed. */
      snapshot_every: z.int().min(0).optional(),
      /** Snapshot characters allowed per input, amortised (engine config snapshotCharsPerInput); default: drawn. */
      snapshot_chars_per_input: z.int().min(0).optional(),
      /** Consumers' commit spacing in ms (engine config commitIntervalMs); default: drawn from the seed. */
      commit_interval_ms: z.int().min(0).optional(),
    })
    .optional(),
  steps: z.array(step).min(1, { error: "a scenario needs at least one step" }),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Step = Scenario["steps"][number];
export type StepOf<K extends Step["op"]> = Extract<Step, { op: K }>;

export class ScenarioError extends Error {
  override name = "ScenarioError";
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    super(problems.map((p) => `${source}: ${p}`).join("\n"));
    this.problems = problems;
  }
}

function show(v: unknown): string {
  if (v === undefined) return "(missing)";
  return JSON.stringify(v) ?? String(v);
}

/** `steps[3].amount` from a zod path. */
function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out || "(root)";
}

/** Validates a parsed document; throws ScenarioError listing every problem. */
export function validateScenario(doc: unknown, source = "scenario"): Scenario {
  const r = scenarioSchema.safeParse(doc);
  if (!r.success) {
    const problems = r.error.issues.map((iss) => {
      const p = pathText(iss.path);
      if (iss.code === "unrecognized_keys")
        return `${p}: unknown field ${iss.keys.map((k) => `"${k}"`).join(", ")}`;
      if (iss.code === "invalid_type" && / received undefined$/.test(iss.message)) return `${p}: missing`;
      return `${p}: ${iss.message}`;
    });
    throw new ScenarioError(source, problems);
  }
  return r.data;
}

/** Reads and validates a scenario file (.json, .yaml or .yml). */
export function loadScenario(file: string): Scenario {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError(file, [`cannot read: ${(e as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(file) ? parseYaml(raw) : JSON.parse(raw);
  } catch (e) {
    throw new ScenarioError(file, [
      `not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"}: ${(e as Error).message}`,
    ]);
  }
  return validateScenario(doc, file);
}
