import { it } from "vitest";
import { World } from "./world.ts";
import { deposit, place, cancel, withdraw, U, BTC, USDT } from "./pipeline.ts";
import { Trace } from "../../sim/kernel/trace.ts";
it("diag", async () => {
  const ops = [deposit(1, BTC, U, "d1"), deposit(2, USDT, 10000n * U, "d2"),
    place({ user: 1, side: "Sell", price: 50000n * U, qty: 2000000n, cid: "a" }),
    place({ user: 2, side: "Buy", price: 50100n * U, qty: 1000000n, cid: "b" }),
    cancel(1, { cid: "a" }, "cx"), withdraw(2, USDT, 100n * U, "w")];
  const base = new World({ seed: 7 });
  const hist = new Map<string, number>();
  const rec = base.sched.trace.record.bind(base.sched.trace);
  (base.sched.trace as any).record = (s: number, t: number, label: string) => { const k = label.replace(/\d+/g, "#"); hist.set(k, (hist.get(k) ?? 0) + 1);  return rec(s, t, label); };
  base.startAll(); base.feed(ops); await base.settle();
  console.log("total steps", base.sched.step, "now ms", base.sched.now() / 1000);
  console.log([...hist.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25));
  void Trace;
}, 120000);
