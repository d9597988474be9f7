/**
 * Matching-core benchmark: place/cancel commands per second on one core.
 *   npx node scripts/bench-matching.ts [--ops N] [--rounds R] [--seed S] [--string-ids] [--json]
 * Profile with: npx node --cpu-prof --cpu-prof-dir=/tmp/prof scripts/bench-matching.ts
 *
 * The workload is pre-generated from a seeded generator (seedrandom) that drives a Matcher of
 * its own while generating, so it knows which orders are live: cancels always target a live
 * order, and the book settles at a steady depth (a few thousand orders) instead of growing.
 * The mix (BTC_USDT, 1000 users, the mid price a slow random walk), as shares of all commands:
 * - ~58% limit GTC placed passively, 1..25 ticks behind the mid, mostly within 8 ticks;
 * - ~5% marketable limits (GTC or IOC, 1..4 ticks through the mid), ~3% market orders (market
 *   buys bounded by a quote_limit), ~0.7% FOK, ~0.7% post-only near the touch;
 * - ~33% cancels of random live orders (one for every two places; more when the book is deep).
 * Order ids are sequential bigints (what UBSCore assigns), or strings with --string-ids.
 * Each timed round replays all commands on a fresh Matcher, reusing one output array.
 * Warm-up: one untimed round. Reports the median of the rounds, in wall-clock ops/s (the
 * figure) and in ops per CPU-second of this process (fairer when the machine is loaded; the
 * load average is printed too). Wall-clock timing is fine here: this is a benchmark, not
 * engine code.
 */
import { cpus, loadavg } from "node:os";
import seedrandom from "seedrandom";
import { BTC_USDT } from "../engine/domain/symbols.ts";
import { bookConfigOf, Matcher } from "../engine/matching/matcher.ts";
import type { Command, MatchEvent, OrderId, PlaceCommand, Side } from "../engine/matching/types.ts";

const args = process.argv.slice(2);
function flag(name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}
const OPS = flag("--ops", 1_000_000);
const ROUNDS = flag("--rounds", 7);
const SEED = String(flag("--seed", 1));
const STRING_IDS = args.includes("--string-ids");
const JSON_OUT = args.includes("--json");

const SYM = BTC_USDT;
const CFG = bookConfigOf(SYM);
const USERS = 1000;
const TARGET_LIVE = 5_000;

interface Mix {
  passive: number;
  marketable: number;
  market: number;
  fok: number;
  postOnly: number;
  cancel: number;
}

function generate(n: number, seed: string): { cmds: Command[]; mix: Mix } {
  const rnd = seedrandom.alea(seed);
  const int = (k: number) => Math.floor(rnd() * k);
  const m = new Matcher(CFG);
  // live orders, for O(1) random pick and removal
  const live: OrderId[] = [];
  const pos = new Map<OrderId, number>();
  const addLive = (id: OrderId) => {
    pos.set(id, live.length);
    live.push(id);
  };
  const dropLive = (id: OrderId) => {
    const i = pos.get(id);
    if (i === undefined) return;
    const last = live.pop()!;
    if (last !== id) {
      live[i] = last;
      pos.set(last, i);
    }
    pos.delete(id);
  };
  const owner = new Map<OrderId, number>();
  const mix: Mix = { passive: 0, marketable: 0, market: 0, fok: 0, postOnly: 0, cancel: 0 };
  const cmds: Command[] = [];
  let mid = 50_000n * 100n; // in ticks: 50 000.00 USDT
  let nextId = 1;
  const tick = SYM.tick;
  const lot = SYM.lot;
  const out: MatchEvent[] = [];

  while (cmds.length < n) {
    if (int(100) === 0) mid += BigInt(int(3) - 1); // slow random walk
    const cancelP = live.length > TARGET_LIVE ? 0.45 : 0.3;
    let cmd: Command;
    if (live.length > 0 && rnd() < cancelP) {
      const id = live[int(live.length)];
      cmd = { type: "cancel", order_id: id, user_id: owner.get(id)! };
      mix.cancel++;
    } else {
      const id: OrderId = STRING_IDS ? String(nextId++) : BigInt(nextId++);
      const user = 1 + int(USERS);
      const side: Side = int(2) === 0 ? "Buy" : "Sell";
      const dir = side === "Buy" ? -1n : 1n; // passive direction
      const qty = BigInt(1 + int(int(10) === 0 ? 2000 : 100)) * lot; // mostly small, some large
      const r = int(100);
      // Every field present, in one order: commands of one shape, as the ME service's decoder builds them.
      const c: PlaceCommand = {
        type: "place",
        order_id: id,
        user_id: user,
        side,
        order_type: "Limit",
        tif: "GTC",
        post_only: false,
        price: null,
        qty,
        quote_limit: null,
      };
      if (r < 86) {
        // passive: 1..25 ticks behind mid, concentrated near the touch
        const d = BigInt(1 + Math.min(int(8), int(8)) + (int(4) === 0 ? int(18) : 0));
        c.price = (mid + dir * d) * tick;
        mix.passive++;
      } else if (r < 94) {
        c.price = (mid - dir * BigInt(1 + int(4))) * tick;
        c.tif = int(2) === 0 ? "GTC" : "IOC";
        mix.marketable++;
      } else if (r < 98) {
        c.order_type = "Market";
        if (side === "Buy") c.quote_limit = ((mid + 5n) * tick * qty) / 10n ** 8n;
        mix.market++;
      } else if (r < 99) {
        c.price = (mid - dir * BigInt(int(3))) * tick;
        c.tif = "FOK";
        mix.fok++;
      } else {
        c.price = (mid + dir * BigInt(int(2))) * tick;
        c.post_only = true;
        mix.postOnly++;
      }
      owner.set(id, user);
      cmd = c;
    }
    cmds.push(cmd);
    out.length = 0;
    m.apply(cmd, out);
    for (const e of out) {
      if (e.type !== "order") continue;
      if (e.status === "New" || e.status === "PartiallyFilled") addLive(e.order_id);
      else dropLive(e.order_id);
    }
  }
  return { cmds, mix };
}

interface RoundResult {
  opsPerSec: number;
  /** ops per second of this process's CPU time (user + system): fair on a loaded machine. */
  opsPerCpuSec: number;
  events: number;
  fills: number;
}

function round(cmds: Command[]): RoundResult & { matcher: Matcher } {
  const m = new Matcher(CFG);
  const out: MatchEvent[] = [];
  let events = 0;
  let fills = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < cmds.length; i++) {
    out.length = 0;
    m.apply(cmds[i], out);
    events += out.length;
    if (out.length > 1 && out[0].type === "fill") fills++;
  }
  const dt = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  return { opsPerSec: cmds.length / dt, opsPerCpuSec: cmds.length / cpuSec, events, fills, matcher: m };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}%`;

/** CPU ms for a fixed trivial loop: tells how fast this machine is right now (shared runners vary a lot). */
function calibrate(): number {
  const c0 = process.cpuUsage();
  let x = 0;
  for (let i = 0; i < 1e8; i++) x += i & 7;
  const c = process.cpuUsage(c0);
  if (x === -1) console.log(x); // keep the loop
  return (c.user + c.system) / 1000;
}

const calibrationMs = calibrate();
const tg = performance.now();
const { cmds, mix } = generate(OPS, SEED);
const genMs = performance.now() - tg;
const places = OPS - mix.cancel;

const warm = round(cmds); // warm-up (also the outcome stats: every round is identical)
const rates: number[] = [];
const cpuRates: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const r = round(cmds);
  rates.push(r.opsPerSec);
  cpuRates.push(r.opsPerCpuSec);
}
const med = median(rates);
const cpuMed = median(cpuRates);
const book = warm.matcher.book;

if (JSON_OUT) {
  console.log(
    JSON.stringify({
      ops: OPS,
      rounds: ROUNDS,
      seed: SEED,
      stringIds: STRING_IDS,
      medianOpsPerSec: Math.round(med),
      minOpsPerSec: Math.round(Math.min(...rates)),
      maxOpsPerSec: Math.round(Math.max(...rates)),
      medianOpsPerCpuSec: Math.round(cpuMed),
      mix,
      events: warm.events,
      takerCommandsWithFills: warm.fills,
      restingAtEnd: book.size,
      levelsAtEnd: { bids: book.bids.levels.length, asks: book.asks.levels.length },
      node: process.version,
      cpus: cpus().length,
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
      calibrationLoopCpuMs: Math.round(calibrationMs),
    }),
  );
} else {
  console.log(
    `matching benchmark: ${fmt(OPS)} commands per round (generated in ${fmt(genMs)} ms, seed ${SEED}, ` +
      `${STRING_IDS ? "string" : "bigint"} order ids), ${ROUNDS} timed rounds after 1 warm-up, node ${process.version}`,
  );
  console.log(
    `mix: places ${pct(places, OPS)} [passive limit ${pct(mix.passive, OPS)}, marketable limit GTC/IOC ${pct(mix.marketable, OPS)}, ` +
      `market ${pct(mix.market, OPS)}, FOK ${pct(mix.fok, OPS)}, post-only ${pct(mix.postOnly, OPS)}], cancels ${pct(mix.cancel, OPS)} ` +
      `(1 per ${(places / mix.cancel).toFixed(1)} places)`,
  );
  console.log(
    `outcome: ${fmt(warm.events)} events, ${fmt(warm.fills)} commands traded; book at end: ${fmt(book.size)} orders on ` +
      `${book.bids.levels.length} bid / ${book.asks.levels.length} ask levels`,
  );
  console.log(`rounds: ${rates.map(fmt).join(", ")} ops/s`);
  console.log(`cpu:    ${cpuRates.map(fmt).join(", ")} ops per CPU-second`);
  console.log(
    `median: ${fmt(med)} ops/s wall clock (min ${fmt(Math.min(...rates))}, max ${fmt(Math.max(...rates))}); ${fmt(cpuMed)} ops per CPU-second`,
  );
  console.log(
    `target 1,000,000 ops/s: ${med >= 1e6 ? "met" : "NOT met"} (wall clock), ${cpuMed >= 1e6 ? "met" : "NOT met"} (per CPU-second); ` +
      `machine: ${cpus().length} cpus, load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}`,
  );
  console.log(
    `calibration: a 1e8-iteration integer loop took ${fmt(calibrationMs)} ms of CPU here ` +
      `(well under 100 ms on an unloaded modern x86 core)`,
  );
}
