/**
 * Hostile behaviour: every scylla.* fault of the catalog, fired through the FaultInjector, and
 * the timing and crash semantics of the simulated network.
 */
import { describe, expect, it } from "vitest";
import type { Store } from "../../engine/ports/store.ts";
import { SimProcess } from "../../sim/kernel/process.ts";
import { SIM_EPOCH_MS } from "../../sim/ports/clock.ts";
import { ErrorCode, OperationTimedOutError, ResponseError } from "../../sim/scylla/index.ts";
import { arm, inProcess, makeSim, type Sim } from "./harness.ts";

const KS = "f";

function setup(sim: Sim): void {
  sim.scylla.query(
    `CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  sim.scylla.query(`CREATE TABLE ${KS}.kv (k text PRIMARY KEY, v bigint)`);
  sim.scylla.query(
    `CREATE TABLE ${KS}.ledger (user_id bigint, asset_id int, seq bigint, avail bigint, PRIMARY KEY ((user_id, asset_id), seq)) WITH CLUSTERING ORDER BY (seq DESC)`,
  );
}

const P = { prepare: true } as const;

async function attempt<T>(p: Promise<T>): Promise<{ ok: T } | { err: unknown }> {
  try {
    return { ok: await p };
  } catch (err) {
    return { err };
  }
}

function count(sim: Sim, k: string): number {
  return sim.scylla.query(`SELECT k FROM ${KS}.kv WHERE k = ?`, [k]).rowLength;
}

describe("scylla.latency", () => {
  it("without the fault, a statement takes the base latency; the server applies it half way", async () => {
    const sim = makeSim({ scylla: { baseLatencyUs: 400 } });
    setup(sim);
    const seen: Array<[number, number]> = [];
    // (a peek at 200 would fire before the server's event at 200: it was scheduled first)
    for (const t of [199, 201]) sim.sched.at(t, "peek", () => seen.push([t, count(sim, "a")]));
    const end = await inProcess(sim, async (store) => {
      await store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('a', 1)`);
      return sim.sched.now();
    });
    expect(end).toBe(400);
    expect(seen).toEqual([
      [199, 0],
      [201, 1],
    ]);
  });

  it("with the fault, latencies are drawn per statement (heavy tail), the same for the same seed", async () => {
    const run = async (seed: number) => {
      const sim = makeSim({
        seed,
        rates: { "scylla.latency": 1 },
        scylla: { baseLatencyUs: 400, tailLatencyUs: 50_000 },
      });
      setup(sim);
      const lat = await inProcess(sim, async (store) => {
        const out: number[] = [];
        for (let i = 0; i < 200; i++) {
          const t0 = sim.sched.now();
          await store.execute(`SELECT * FROM ${KS}.kv WHERE k = 'a'`);
          out.push(sim.sched.now() - t0);
        }
        return out;
      });
      return { lat, tails: sim.faults.fired["scylla.latency"] };
    };
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(a).toEqual(b);
    expect(a.lat).not.toEqual(c.lat);
    expect(Math.min(...a.lat)).toBeGreaterThanOrEqual(400);
    expect(Math.max(...a.lat)).toBeGreaterThan(800); // some come from the tail
    expect(a.tails).toBeGreaterThan(0);
  });

  it("reorders concurrent statements of one client: the later-sent write can land first, and LWW uses the client timestamps", async () => {
    // find a seed where the second of two concurrent writes reaches the server first
    let found = false;
    for (let seed = 1; seed < 200 && !found; seed++) {
      const sim = makeSim({
        seed,
        rates: { "scylla.latency": 1 },
        scylla: { baseLatencyUs: 400, tailLatencyUs: 5000 },
      });
      setup(sim);
      const arrivals: Array<bigint | null> = [];
      sim.scylla.onWrite(() =>
        arrivals.push(sim.scylla.query(`SELECT v FROM ${KS}.kv WHERE k = 'x'`).first()?.v as bigint),
      );
      await inProcess(sim, async (store) => {
        await Promise.all([
          store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('x', 1)`),
          store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('x', 2)`),
        ]);
      });
      if (arrivals[0] !== 2n) continue;
      found = true;
      // both were stamped when sent, 1 µs apart (the driver's monotonic generator): 2 wins, though it landed first
      expect(arrivals).toEqual([2n, 2n]);
      const rs = sim.scylla.query(`SELECT v, writetime(v) FROM ${KS}.kv WHERE k = 'x'`).first();
      expect(rs).toEqual({ v: 2n, "writetime(v)": BigInt(SIM_EPOCH_MS) * 1000n + 1n });
    }
    expect(found).toBe(true);
  });
});

describe("scylla.write-timeout", () => {
  it("fails the write with a timeout; the write is lost, applied, or applied after the error, by the seed", async () => {
    const outcomes = new Set<string>();
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 40 && (outcomes.size < 3 || kinds.size < 2); seed++) {
      const sim = makeSim({ seed, scylla: { writeTimeoutUs: 2_000_000, clientTimeoutUs: 12_000_000 } });
      setup(sim);
      arm(sim, "scylla.write-timeout");
      const r = await inProcess(sim, async (store) => {
        const t0 = sim.sched.now();
        const res = await attempt(store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES (?, ?)`, ["a", 1n], P));
        return { res, elapsed: sim.sched.now() - t0, visibleAtError: count(sim, "a") };
      });
      expect("err" in r.res).toBe(true);
      const err = (r.res as { err: unknown }).err;
      if (err instanceof ResponseError) {
        expect(err.code).toBe(ErrorCode.writeTimeout);
        expect(err.code).toBe(0x1100);
        expect(err.writeType).toBe("SIMPLE");
        expect(err.message).toBe(
          "Server timeout during write query at consistency LOCAL_ONE (0 peer(s) acknowledged the write over 1 required)",
        );
        expect(r.elapsed).toBe(200 + 2_000_000);
        kinds.add("server");
      } else {
        expect(err).toBeInstanceOf(OperationTimedOutError);
        expect((err as Error).name).toBe("OperationTimedOutError");
        expect((err as Error).message).toBe("The host 127.0.0.1:9042 did not reply before timeout 12000 ms");
        expect(r.elapsed).toBe(200 + 12_000_000);
        kinds.add("client");
      }
      await sim.sched.run(); // let a late write land
      const t = sim.scylla.stats.timeouts;
      const outcome = t.lost ? "lost" : t.applied ? "applied" : "applied-late";
      outcomes.add(outcome);
      if (outcome === "lost") expect([r.visibleAtError, count(sim, "a")]).toEqual([0, 0]);
      if (outcome === "applied") expect([r.visibleAtError, count(sim, "a")]).toEqual([1, 1]);
      if (outcome === "applied-late") expect([r.visibleAtError, count(sim, "a")]).toEqual([0, 1]);
      expect(sim.faults.fired["scylla.write-timeout"]).toBe(1);
    }
    expect([...outcomes].sort()).toEqual(["applied", "applied-late", "lost"]);
    expect([...kinds].sort()).toEqual(["client", "server"]);
  });

  it("does not fire on reads, DDL or invalid writes", async () => {
    const sim = makeSim({ rates: { "scylla.write-timeout": 1 } });
    setup(sim);
    await inProcess(sim, async (store) => {
      await store.execute(`SELECT * FROM ${KS}.kv`);
      await store.execute(`CREATE TABLE ${KS}.other (k int PRIMARY KEY)`);
      await expect(store.execute(`INSERT INTO ${KS}.kv (k, x) VALUES ('a', 1)`)).rejects.toThrow(
        "Undefined column",
      );
    });
    expect(sim.faults.fired["scylla.write-timeout"]).toBe(0);
  });

  it("times out a conditional write at SERIAL consistency, write type CAS", async () => {
    for (let seed = 1; seed < 30; seed++) {
      const sim = makeSim({ seed });
      setup(sim);
      arm(sim, "scylla.write-timeout");
      const r = await inProcess(sim, (store) =>
        attempt(store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('a', 1) IF NOT EXISTS`)),
      );
      const err = (r as { err: unknown }).err;
      if (err instanceof ResponseError) {
        expect(err.writeType).toBe("CAS");
        expect(err.message).toBe(
          "Server timeout during write query at consistency SERIAL (0 peer(s) acknowledged the write over 1 required)",
        );
        return;
      }
    }
    throw new Error("no server-side timeout in 30 seeds");
  });

  it("keeps a logged batch all-or-nothing", async () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) {
      const sim = makeSim({ seed });
      setup(sim);
      arm(sim, "scylla.write-timeout");
      await inProcess(sim, (store) =>
        attempt(
          store.batch(
            ["a", "b", "c"].map((k) => ({ query: `INSERT INTO ${KS}.kv (k, v) VALUES (?, 1)`, params: [k] })),
            P,
          ),
        ),
      );
      await sim.sched.run();
      const n = sim.scylla.rows(KS, "kv").length;
      expect([0, 3]).toContain(n);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([0, 3]);
  });
});

describe("scylla.lwt-retry-sees-own-row", () => {
  it("applies the conditional write but answers a timeout; the retry finds its own row, [applied] = false", async () => {
    const sim = makeSim();
    setup(sim);
    arm(sim, "scylla.lwt-retry-sees-own-row");
    const q = `INSERT INTO ${KS}.ledger (user_id, asset_id, seq, avail) VALUES (?, ?, ?, ?) IF NOT EXISTS`;
    const params = [7n, 1, 1n, 100n];
    const { first, retry } = await inProcess(sim, async (store) => {
      const first = await attempt(store.execute(q, params, P));
      const retry = await store.execute(q, params, P);
      return { first, retry };
    });
    const err = (first as { err: ResponseError }).err;
    expect(err).toBeInstanceOf(ResponseError);
    expect(err.name).toBe("ResponseError");
    expect(err.code).toBe(0x1100);
    expect(err.writeType).toBe("CAS");
    expect(retry.wasApplied()).toBe(false);
    expect(retry.columns?.map((c) => c.name)).toEqual(["[applied]", "user_id", "asset_id", "seq", "avail"]);
    expect(retry.first()).toEqual({ "[applied]": false, user_id: 7n, asset_id: 1, seq: 1n, avail: 100n });
    expect(sim.faults.fired["scylla.lwt-retry-sees-own-row"]).toBe(1);
    expect(sim.scylla.stats.lwtOwnRow).toBe(1);
  });

  it("has no opportunity when the condition fails (nothing was applied)", async () => {
    const sim = makeSim({ rates: { "scylla.lwt-retry-sees-own-row": 1 } });
    setup(sim);
    sim.scylla.query(`INSERT INTO ${KS}.kv (k, v) VALUES ('a', 1)`);
    const rs = await inProcess(sim, (store) =>
      store.execute(`UPDATE ${KS}.kv SET v = 2 WHERE k = 'a' IF v = 5`),
    );
    expect(rs.wasApplied()).toBe(false);
    expect(sim.faults.fired["scylla.lwt-retry-sees-own-row"]).toBe(0);
  });

  it("applies to conditional batches too", async () => {
    const sim = makeSim();
    setup(sim);
    arm(sim, "scylla.lwt-retry-sees-own-row");
    const queries = [
      {
        query: `INSERT INTO ${KS}.ledger (user_id, asset_id, seq, avail) VALUES (1, 1, 1, 10) IF NOT EXISTS`,
      },
      { query: `INSERT INTO ${KS}.ledger (user_id, asset_id, seq, avail) VALUES (1, 1, 2, 20)` },
    ];
    const { first, retry } = await inProcess(sim, async (store) => ({
      first: await attempt(store.batch(queries)),
      retry: await store.batch(queries),
    }));
    expect((first as { err: ResponseError }).err.writeType).toBe("CAS");
    expect(retry.wasApplied()).toBe(false);
    expect(retry.rows).toEqual([{ "[applied]": false, user_id: 1n, asset_id: 1, seq: 1n, avail: 10n }]);
    expect(sim.scylla.partitionRows(KS, "ledger", [1n, 1]).map((r) => r.seq)).toEqual([2n, 1n]);
  });
});

describe("scylla.batch-partial", () => {
  it("writes a non-empty proper subset of an unlogged batch's partitions, then answers a timeout", async () => {
    const sizes = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      const sim = makeSim({ seed });
      setup(sim);
      arm(sim, "scylla.batch-partial");
      const r = await inProcess(sim, (store) =>
        attempt(
          store.batch(
            ["a", "b", "c", "d"].map((k) => ({
              query: `INSERT INTO ${KS}.kv (k, v) VALUES (?, 1)`,
              params: [k],
            })),
            { prepare: true, logged: false },
          ),
        ),
      );
      const err = (r as { err: ResponseError }).err;
      expect(err.code).toBe(0x1100);
      expect(err.writeType).toBe("UNLOGGED_BATCH");
      const n = sim.scylla.rows(KS, "kv").length;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(3);
      sizes.add(n);
      expect(sim.scylla.stats.batchPartial).toBe(1);
    }
    expect(sizes.size).toBeGreaterThan(1);
  });

  it("never splits a partition, and never touches logged batches", async () => {
    const sim = makeSim({ rates: { "scylla.batch-partial": 1 } });
    setup(sim);
    await inProcess(sim, async (store) => {
      // one partition, unlogged: applied as one mutation
      await store.batch(
        [1n, 2n, 3n].map((s) => ({
          query: `INSERT INTO ${KS}.ledger (user_id, asset_id, seq, avail) VALUES (1, 1, ?, 0)`,
          params: [s],
        })),
        { prepare: true, logged: false },
      );
      // several partitions, logged: all or nothing
      await store.batch(
        ["a", "b", "c"].map((k) => ({ query: `INSERT INTO ${KS}.kv (k, v) VALUES (?, 1)`, params: [k] })),
        P,
      );
    });
    expect(sim.scylla.partitionRows(KS, "ledger", [1n, 1])).toHaveLength(3);
    expect(sim.scylla.rows(KS, "kv")).toHaveLength(3);
    expect(sim.faults.fired["scylla.batch-partial"]).toBe(0);
  });
});

describe("processes", () => {
  it("a crashed process's pending statement never settles, but a write already sent still applies", async () => {
    const sim = makeSim({ scylla: { baseLatencyUs: 1000 } });
    setup(sim);
    let continued = false;
    const proc = new SimProcess(sim.sched, "settlement", async (p) => {
      const store = sim.scylla.client(p);
      await store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('sent', 1)`);
      continued = true;
    });
    proc.start();
    sim.sched.at(300, "crash", () => proc.crash()); // after the send (t=0), before the server (t=500)
    await sim.sched.run();
    expect(continued).toBe(false);
    expect(count(sim, "sent")).toBe(1);
  });

  it("a restarted process gets fresh answers on a fresh client; the old incarnation's never arrive", async () => {
    const sim = makeSim({ scylla: { baseLatencyUs: 1000 } });
    setup(sim);
    const log: string[] = [];
    const proc = new SimProcess(sim.sched, "svc", async (p) => {
      const store = sim.scylla.client(p);
      const inc = p.incarnation;
      const rs = await store.execute(`SELECT COUNT(*) FROM ${KS}.kv`);
      log.push(`#${inc} ${rs.first()?.count}`);
    });
    proc.start();
    sim.sched.at(100, "restart", () => proc.restart());
    await sim.sched.run();
    expect(log).toEqual(["#3 0"]);
  });

  it("a process that is not alive sends nothing", async () => {
    const sim = makeSim();
    setup(sim);
    const proc = new SimProcess(sim.sched, "dead", async () => {});
    const store: Store = sim.scylla.client(proc);
    let settled = false;
    store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('x', 1)`).then(
      () => (settled = true),
      () => (settled = true),
    );
    await sim.sched.run();
    expect(settled).toBe(false);
    expect(count(sim, "x")).toBe(0);
  });

  it("stamps writes with the client's monotonic clock in µs of virtual time, or options.timestamp", async () => {
    const sim = makeSim({ scylla: { baseLatencyUs: 400 } });
    setup(sim);
    await inProcess(sim, async (store) => {
      await Promise.all([
        store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('a', 1)`),
        store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('b', 1)`),
      ]);
      await store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES ('c', 1)`, [], { timestamp: 12345n });
    });
    const wt = (k: string) =>
      sim.scylla.query(`SELECT writetime(v) FROM ${KS}.kv WHERE k = ?`, [k]).first()?.["writetime(v)"];
    const base = BigInt(SIM_EPOCH_MS) * 1000n;
    expect(wt("a")).toBe(base);
    expect(wt("b")).toBe(base + 1n);
    expect(wt("c")).toBe(12345n);
  });

  it("is deterministic: the same seed gives the same trace and the same data", async () => {
    const run = async () => {
      const sim = makeSim({
        seed: 42,
        rates: {
          "scylla.latency": 1,
          "scylla.write-timeout": 0.1,
          "scylla.lwt-retry-sees-own-row": 0.2,
          "scylla.batch-partial": 0.3,
        },
      });
      setup(sim);
      const procs = [0, 1, 2].map(
        (w) =>
          new SimProcess(sim.sched, `w${w}`, async (p) => {
            const store = sim.scylla.client(p);
            const rng = sim.sched.rng(`w${w}`);
            for (let i = 0; i < 60; i++) {
              const k = `k${rng.int(10)}`;
              const op = rng.int(3);
              if (op === 0)
                await attempt(store.execute(`UPDATE ${KS}.kv SET v = ? WHERE k = ?`, [BigInt(i), k], P));
              else if (op === 1)
                await attempt(
                  store.execute(`INSERT INTO ${KS}.kv (k, v) VALUES (?, ?) IF NOT EXISTS`, [k, 1n], P),
                );
              else
                await attempt(
                  store.batch(
                    [k, `${k}x`].map((x) => ({
                      query: `INSERT INTO ${KS}.kv (k, v) VALUES (?, ?)`,
                      params: [x, 2n],
                    })),
                    { prepare: true, logged: false },
                  ),
                );
            }
          }),
      );
      for (const p of procs) p.start();
      await sim.sched.run();
      return {
        hash: sim.sched.trace.hash(),
        rows: sim.scylla.rows(KS, "kv"),
        fired: sim.faults.firedCounts(),
      };
    };
    const a = await run();
    const b = await run();
    expect(a.hash).toBe(b.hash);
    expect(a.rows).toEqual(b.rows);
    expect(a.fired).toEqual(b.fired);
    expect(a.fired["scylla.write-timeout"]).toBeGreaterThan(0);
  });
});

describe("client", () => {
  it("rejects calls after shutdown like cassandra-driver", async () => {
    const sim = makeSim();
    setup(sim);
    await inProcess(sim, async (store) => {
      await store.connect();
      await store.shutdown();
      await expect(store.execute(`SELECT * FROM ${KS}.kv`)).rejects.toMatchObject({
        name: "NoHostAvailableError",
        message: "Connecting after shutdown is not supported",
      });
    });
  });
});
