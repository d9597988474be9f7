/**
 * Runs a scenario in a fresh simulated world with every invariant watching: the harness's main
 * loop. Client steps wait for the gateway's answer (retrying with the same request id when the
 * answer is "pending" or missing); the pipeline behind the gateway runs asynchronously, so later
 * steps race with earlier ones (a cancel with the fill it chases). At `expect` steps and at the
 * end the pipeline is run to quiescence and the quiescent invariants run; at the end every open
 * order is cancelled so that every order must reach a terminal state with nothing left frozen.
 */
import { GROUPS } from "../../engine/protocol/topics.ts";
import { Audit } from "../../invariants/auditor.ts";
import { checkExpect } from "../../invariants/expect.ts";
import { ALL_INVARIANTS } from "../../invariants/index.ts";
import type { Invariant } from "../../invariants/types.ts";
import { engineConfigOf, knobsOf } from "../../scenarios/engine-config.ts";
import type { Scenario, Step } from "../../scenarios/format.ts";
import { isFaultName, PROFILES } from "../faults/catalog.ts";
import type { Plant } from "../plants/catalog.ts";
import type { ClientAnswer } from "../world/client.ts";
import { World } from "../world/world.ts";
import { isRequestStep, isRetryable, requestFor } from "./requests.ts";
import type { RunResult } from "./result.ts";

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Overrides the scenario's profile. */
  profile?: string;
  /** The command that replays this run (printed with failures). */
  replay: string;
  keepTraceEntries?: boolean;
  keepStepHashes?: boolean;
  /** Scheduler step budget for the whole run (a livelock guard). */
  maxSteps?: number;
  invariants?: () => Invariant[];
  /** Client attempts per request step (same request id) before giving up. */
  attempts?: number;
  /** Skip the end-of-run drain (cancel everything, final checks). */
  noDrain?: boolean;
  /** The wall clock, for `elapsedMs` only (the runner itself never reads real time). */
  wallClock?: () => number;
  /** Planted bugs (sim/plants) active during this run. */
  plants?: readonly Plant[];
}

export interface RunHandle {
  result: RunResult;
  world: World;
  audit: Audit;
}

const RETRY_GAP_MS = 200;

function usersOf(s: Scenario): number[] {
  const users = new Set<number>();
  for (const st of s.steps) if ("user" in st) users.add(st.user);
  return [...users].sort((a, b) => a - b);
}

export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<RunHandle> {
  const undo = (opts.plants ?? []).flatMap((p) => (p.patch ? [p.patch()] : []));
  try {
    return await runScenarioIn(scenario, opts);
  } finally {
    for (const u of undo.reverse()) u();
  }
}

async function runScenarioIn(scenario: Scenario, opts: RunOptions): Promise<RunHandle> {
  const t0 = opts.wallClock?.() ?? 0;
  const seed = opts.seed ?? scenario.seed ?? 1;
  const profile = opts.profile ?? scenario.profile ?? "none";
  const rates = PROFILES[profile];
  if (rates === undefined) throw new Error(`unknown profile ${profile}`);
  const world = new World({
    seed,
    rates,
    config: engineConfigOf(scenario, seed),
    users: usersOf(scenario),
    keepTraceEntries: opts.keepTraceEntries,
    keepStepHashes: opts.keepStepHashes,
    plants: opts.plants,
  });
  const audit = new Audit(world, (opts.invariants ?? ALL_INVARIANTS)());
  const answers = { ok: 0, rejected: 0, unanswered: 0, retries: 0 };
  const expects = { checked: 0, failed: 0 };
  const budget = opts.maxSteps ?? 5_000_000;
  const sched = world.sched;
  // Each incarnation of UBSCore and the ME is looked at once, when it is running.
  const recovered = new WeakSet<object>();
  const noteRecoveries = () => {
    const { ubscore, matching } = world.live;
    if (ubscore !== null && ubscore.phase === "running" && !recovered.has(ubscore)) {
      recovered.add(ubscore);
      if (ubscore.stats.snapshotRecords > 0) audit.coverage.hit("recovered-from-snapshot");
    }
    if (matching !== null && matching.phase === "running" && !recovered.has(matching)) {
      recovered.add(matching);
      if (matching.stats.fromSnapshot) audit.coverage.hit("recovered-from-snapshot");
    }
  };
  const afterStep = () => {
    audit.afterStep();
    noteRecoveries();
    world.maybeCrashSomething();
  };
  world.afterStep = afterStep;
  const crashes: Array<{ op: number; service: string }> = [];
  world.onFaultCrash = (service) => crashes.push({ op: audit.op, service });
  world.onCrash = (name) => {
    const group = {
      ubscore: GROUPS.ubscore,
      matching: GROUPS.matching,
      settlement: GROUPS.settlement,
      gateway: null,
    }[name];
    if (group === null) return;
    const topics = world.kafka.group(group)?.members.flatMap((m) => m.assignment.map((t) => t.topic)) ?? [];
    if (
      new Set(topics).size > 0 &&
      [...new Set(topics)].some((t) => world.kafka.lag(group, t).some((n) => n > 0))
    )
      audit.coverage.hit("crash-with-uncommitted-input");
  };
  let livelock = false;
  const run = async (until?: () => boolean, maxTime?: number) => {
    const r = await sched.run({
      until: () => audit.full || (until?.() ?? false),
      afterStep,
      maxTime,
      maxSteps: Math.max(0, budget - sched.step),
    });
    if (r === "max-steps" && !livelock) {
      livelock = true;
      audit.report("liveness", `the run did not settle within ${budget} scheduler steps`, { budget });
    }
    return r;
  };
  const quiesce = async () => {
    await run();
  };
  const inFlight: Array<Promise<unknown>> = [];
  const send = async (index: number, step: Step, background = false): Promise<ClientAnswer | null> => {
    if (!isRequestStep(step)) return null;
    const req = requestFor(step, index);
    const creds = world.credentials.get(step.user)!;
    let last: ClientAnswer | null = null;
    for (let attempt = 0; attempt < (opts.attempts ?? 8); attempt++) {
      if (attempt > 0) {
        answers.retries++;
        if (background) await sched.sleep(RETRY_GAP_MS * 1000);
        else await run(undefined, sched.now() + RETRY_GAP_MS * 1000);
      }
      const box: { answer: ClientAnswer | null } = { answer: null };
      const sent = world.client.request(creds, req).then((a) => {
        box.answer = a;
      });
      // In the background the scenario's next steps drive the scheduler; just wait for the answer.
      if (background) await sent;
      else await run(() => box.answer !== null);
      const answer = box.answer as ClientAnswer | null;
      if (answer === null) {
        // The world went idle without an answer: nothing can answer (the gateway is down and no
        // restart is coming). The request stays unanswered.
        last = { kind: "no-answer", reason: "gateway-down" };
        break;
      }
      last = answer;
      if (answer.kind === "answer" && !isRetryable(answer.envelope.status)) break;
      if (audit.full || livelock) break;
      audit.coverage.hit("client-retry");
    }
    if (last === null || last.kind === "no-answer" || isRetryable(last.envelope.status)) answers.unanswered++;
    else if (last.envelope.status === 0) answers.ok++;
    else answers.rejected++;
    return last;
  };

  await world.boot();
  for (let i = 0; i < scenario.steps.length && !audit.full && !livelock; i++) {
    const step = scenario.steps[i];
    audit.op = i;
    sched.note(`op ${i} ${step.op}`);
    switch (step.op) {
      case "deposit":
      case "withdraw":
      case "place":
      case "cancel": {
        if (step.async) {
          // Fire and go on: the answer is awaited (and retried) alongside the next steps.
          inFlight.push(send(i, step, true));
          break;
        }
        const answer = await send(i, step);
        if (step.expect_status !== undefined) {
          expects.checked++;
          const got = answer?.kind === "answer" ? answer.envelope.status : "no answer";
          if (got !== step.expect_status) {
            expects.failed++;
            audit.report(
              "expect",
              `steps[${i}] (${step.op}): gateway answered ${got}, expected status ${step.expect_status}`,
              {
                expected: step.expect_status,
                got,
                msg: answer?.kind === "answer" ? answer.envelope.msg : (answer?.reason ?? ""),
              },
            );
          }
        }
        break;
      }
      case "crash":
        world.crash(step.service);
        break;
      case "restart":
        world.restart(step.service);
        await run(() => world.ready());
        break;
      case "fault":
        if (!isFaultName(step.name)) throw new Error(`unknown fault ${step.name}`);
        if (step.name === "process.crash") {
          world.faults.arm("process.crash", step.times ?? 1);
        } else {
          world.faults.arm(step.name, step.times ?? 1);
          if (step.ms !== undefined) world.faultDuration(step.name, step.ms);
        }
        break;
      case "advance":
        await run(undefined, sched.now() + step.ms * 1000);
        break;
      case "read": {
        const path = {
          balance: "/api/user/balance",
          orders: "/api/user/order_history",
          trades: "/api/user/trade_history",
        }[step.what];
        const query: Record<string, string | number> = { user_id: step.user };
        if (step.what !== "balance") query.symbol = step.symbol ?? "BTC_USDT";
        const a = await world.ask(step.user, { method: "GET", path, query });
        if (a.kind === "answer" && a.envelope.status !== 0 && !isRetryable(a.envelope.status))
          audit.report(
            "reads",
            `steps[${i}]: GET ${path} for user ${step.user} answered ${a.envelope.status} ${a.envelope.msg}`,
            {
              status: a.envelope.status,
              msg: a.envelope.msg,
            },
          );
        break;
      }
      case "expect": {
        await quiesce();
        await audit.atQuiescence();
        const before = audit.violations.length;
        await checkExpect(world, audit, step, i);
        expects.checked++;
        if (audit.violations.length > before) expects.failed++;
        break;
      }
    }
  }
  // Background requests still unanswered get their answers (or give up) before the drain.
  if (inFlight.length > 0) {
    let settled = false;
    void Promise.all(inFlight).then(() => (settled = true));
    await run(() => settled);
  }
  if (!opts.noDrain && !audit.full && !livelock) await drain(world, audit, run, send);
  const faults = world.faults.firedCounts() as Record<string, number>;
  const result: RunResult = {
    name: scenario.name,
    seed,
    profile,
    ops: scenario.steps.length,
    steps: sched.step,
    virtualMs: Math.floor(sched.now() / 1000),
    traceHash: sched.trace.hash(),
    invariantChecks: audit.checks,
    violations: [
      ...audit.violations,
      ...world.failures.map((f) => ({
        invariant: "process-failure",
        step: f.step,
        op: audit.op,
        seed: String(seed),
        message: `${f.service} died of an engine error: ${f.error}`,
        values: {},
      })),
    ],
    faults,
    knobs: knobsOf(world.config),
    crashes,
    coverage: audit.coverage.counts(),
    expects,
    answers,
    messages: world.kafka.counts().records,
    replay: opts.replay,
    ok: false,
    elapsedMs: opts.wallClock ? Math.round(opts.wallClock() - t0) : 0,
  };
  result.ok = result.violations.length === 0;
  return { result, world, audit };
}

/**
 * End of run: bring every service back, let the pipeline settle, cancel every open order
 * through the gateway, settle again, then run the quiescent and final invariants.
 */
async function drain(
  world: World,
  audit: Audit,
  run: (until?: () => boolean) => Promise<unknown>,
  send: (index: number, step: Step) => Promise<ClientAnswer | null>,
): Promise<void> {
  audit.op = -1;
  world.sched.note("drain");
  for (const name of ["ubscore", "matching", "settlement", "gateway"] as const) {
    if (!world.procs[name].alive) world.restart(name);
  }
  world.faults.paused = true; // the drain itself runs fault-free, so it always completes
  await run();
  const u = world.live.ubscore;
  if (u !== null) {
    const open = [...u.state.orders.values()].sort((a, b) =>
      BigInt(a.order_id) < BigInt(b.order_id) ? -1 : 1,
    );
    for (const o of open) {
      await send(-1, {
        op: "cancel",
        user: o.user_id,
        order_id: o.order_id,
        request_id: `drain-cancel-${o.order_id}`,
      });
    }
  }
  await run();
  await audit.atQuiescence();
  await audit.atEnd();
}
