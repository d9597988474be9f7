/**
 * Throughput of the simulated Scylla through the Store port, on the deterministic scheduler:
 *
 *   node test/sim-scylla/bench.ts [statements]
 *
 * Ledger-shaped load: prepared INSERTs appending to (user, asset) partitions, each followed by a
 * `LIMIT 1` read of the partition's latest row, and direct `firstRow` inspections (what an
 * invariant checker does), with the default fault profile's latency.
 */
import { PROFILES } from "../../sim/faults/catalog.ts";
import { FaultInjector } from "../../sim/faults/injector.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { Scheduler } from "../../sim/kernel/scheduler.ts";
import { SimScylla } from "../../sim/scylla/index.ts";

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200_000);
  const sched = new Scheduler({ seed: 1 });
  const faults = new FaultInjector(sched, PROFILES.default);
  faults.setRate("scylla.write-timeout", 0);
  const scylla = new SimScylla(sched, faults);
  scylla.query("CREATE KEYSPACE b WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  scylla.query(
    "CREATE TABLE b.ledger (user_id bigint, asset_id int, seq bigint, delta_avail bigint, delta_frozen bigint, avail bigint, frozen bigint, event_type text, ref_id text, created_at bigint, PRIMARY KEY ((user_id, asset_id), seq)) WITH CLUSTERING ORDER BY (seq DESC)",
  );
  const workers = 8;
  const perWorker = Math.floor(n / 2 / workers);
  let done = 0;
  let inspections = 0;
  for (let w = 0; w < workers; w++) {
    const proc = new SimProcess(sched, `w${w}`, async (p) => {
      const store = scylla.client(p);
      for (let i = 1; i <= perWorker; i++) {
        const user = BigInt(w * 1000 + (i % 100));
        const seq = BigInt(Math.floor(i / 100) + 1);
        await store.execute(
          "INSERT INTO b.ledger (user_id, asset_id, seq, delta_avail, delta_frozen, avail, frozen, event_type, ref_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          [user, 1, seq, 10n, 0n, seq * 10n, 0n, "deposit", `r-${i}`, 1n],
          { prepare: true },
        );
        const rs = await store.execute(
          "SELECT avail, frozen FROM b.ledger WHERE user_id = ? AND asset_id = ? LIMIT 1",
          [user, 1],
          { prepare: true },
        );
        if (rs.first()?.avail !== seq * 10n) throw new Error("wrong read");
        if (scylla.firstRow("b", "ledger", [user, 1])?.seq !== seq) throw new Error("wrong firstRow");
        inspections++;
      }
      done++;
    });
    proc.start();
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await sched.run({ until: () => done === workers });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const ms = (cpu.user + cpu.system) / 1000;
  const statements = scylla.stats.statements;
  console.log(
    `${statements} statements + ${inspections} firstRow in ${ms.toFixed(0)} ms CPU (${wall.toFixed(0)} ms wall): ${Math.round((statements / ms) * 1000)} statements/s, ${sched.step} scheduler steps, ${(sched.now() / 1e6).toFixed(1)} s virtual`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
