/**
 * Kernel benchmark: scheduled events per second on one core.
 *   node scripts/bench-kernel.ts [--events N]
 * - bare: each event schedules the next one for its chain (no promises);
 * - await: N processes loop on `await sched.sleep(seeded delay)`, so every event resumes an await;
 * - await-distinct: one process, every event at a new virtual instant (worst case: a full
 *   microtask drain before each one).
 * Reports the median of several rounds. Wall-clock timing is fine here: this is a benchmark.
 */
import { SimProcess } from "../sim/kernel/process.ts";
import { Scheduler } from "../sim/kernel/scheduler.ts";

const args = process.argv.slice(2);
const EVENTS = Number(args[args.indexOf("--events") + 1] || 0) || 2_000_000;
const ROUNDS = 5;

async function bare(n: number): Promise<number> {
  const sched = new Scheduler({ seed: 1 });
  const rng = sched.rng("bench");
  const chains = 1000;
  let left = n;
  const tick = () => {
    if (--left > 0) sched.after(rng.int(1000), "t", tick);
  };
  for (let i = 0; i < chains; i++) sched.after(rng.int(1000), "t", tick);
  const t0 = performance.now();
  await sched.run();
  const dt = (performance.now() - t0) / 1000;
  return sched.step / dt;
}

async function awaiting(n: number, procs: number, maxDelayUs: number): Promise<number> {
  const sched = new Scheduler({ seed: 1 });
  const per = Math.ceil(n / procs);
  for (let i = 0; i < procs; i++) {
    const rng = sched.rng(`p${i}`);
    new SimProcess(sched, `p${i}`, async (self) => {
      const live = self.guard();
      for (let k = 0; k < per; k++) await sched.sleep(rng.int(maxDelayUs), live);
    }).start();
  }
  const t0 = performance.now();
  await sched.run();
  const dt = (performance.now() - t0) / 1000;
  return sched.step / dt;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function measure(name: string, f: () => Promise<number>) {
  await f(); // warm-up
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(await f());
  const m = median(rates);
  console.log(
    `${name.padEnd(44)} ${Math.round(m).toLocaleString("en-US").padStart(12)} events/s  (min ${Math.round(Math.min(...rates)).toLocaleString("en-US")}, max ${Math.round(Math.max(...rates)).toLocaleString("en-US")})`,
  );
  return m;
}

console.log(
  `kernel benchmark: ${EVENTS.toLocaleString("en-US")} events per round, ${ROUNDS} rounds, node ${process.version}`,
);
const b = await measure("bare events (1000 chains)", () => bare(EVENTS));
const a = await measure("await resume (1000 processes, delay 0..1ms)", () => awaiting(EVENTS, 1000, 1000));
const w = await measure("await resume (1 process, every event a new µs)", () => awaiting(EVENTS / 4, 1, 2));
console.log(
  JSON.stringify({
    bareEventsPerSec: Math.round(b),
    awaitEventsPerSec: Math.round(a),
    awaitDistinctTimeEventsPerSec: Math.round(w),
  }),
);
