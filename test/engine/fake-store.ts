/**
 * A small in-memory store port for the back-end services' tests until sim/scylla has an
 * index.ts: it evaluates exactly the statement shapes Settlement writes (INSERT INTO ks.t (...)
 * VALUES (?...), UPDATE ks.t SET c = ?, ... WHERE k = ? AND ...), merges cells last-write-wins by
 * write timestamp (like Cassandra: `options.timestamp`, else a "now" that grows), and can make a
 * write time out with an unknown outcome (applied or not, by a seeded draw).
 */
import type { CqlValue, QueryOptions, ResultSet, Row, Store } from "../../engine/ports/store.ts";
import type { Rng } from "../../sim/kernel/random.ts";
import type { Scheduler } from "../../sim/kernel/scheduler.ts";

const PRIMARY_KEYS: Record<string, string[]> = {
  balance_ledger: ["user_id", "asset_id", "seq"],
  settled_trades: ["trade_id"],
  user_trades: ["user_id", "symbol_id", "output_seq", "trade_id"],
  orders: ["user_id", "symbol_id", "order_id"],
  orders_by_id: ["order_id"],
  requests: ["user_id", "request_id"],
};

interface Cell {
  value: CqlValue;
  ts: bigint;
}

function result(rows: Row[] = []): ResultSet {
  return {
    rows,
    rowLength: rows.length,
    columns: null,
    first: () => rows[0] ?? null,
    wasApplied: () => true,
  };
}

class TimeoutError extends Error {
  override name = "OperationTimedOutError";
}

export class FakeStore {
  /** table → primary key text → column → cell. */
  readonly tables = new Map<string, Map<string, Map<string, Cell>>>();
  private clock = 1_000_000_000_000n;
  /** Probability that a write times out (its outcome then decided by a coin). */
  timeoutRate = 0;
  writes = 0;
  timeouts = 0;
  private readonly sched: Scheduler;
  private readonly rng: Rng;

  constructor(sched: Scheduler, rng: Rng) {
    this.sched = sched;
    this.rng = rng;
  }

  /** Rows of a table, as plain objects (for assertions). */
  rows(table: string): Row[] {
    const t = this.tables.get(table);
    if (!t) return [];
    return [...t.values()].map((cells) => {
      const r: Row = {};
      for (const [c, cell] of cells) r[c] = cell.value;
      return r;
    });
  }

  private write(table: string, cols: string[], vals: CqlValue[], ts: bigint): void {
    const pk = PRIMARY_KEYS[table];
    if (!pk)
      throw Object.assign(new Error(`unconfigured table ${table}`), { name: "ResponseError", code: 0x2200 });
    const key = pk
      .map((k) => {
        const i = cols.indexOf(k);
        if (i < 0)
          throw Object.assign(new Error(`missing key ${k}`), { name: "ResponseError", code: 0x2200 });
        return String(vals[i]);
      })
      .join("|");
    let t = this.tables.get(table);
    if (!t) {
      t = new Map();
      this.tables.set(table, t);
    }
    let row = t.get(key);
    if (!row) {
      row = new Map();
      t.set(key, row);
    }
    cols.forEach((c, i) => {
      const prev = row.get(c);
      if (prev === undefined || ts >= prev.ts) row.set(c, { value: vals[i], ts });
    });
    this.writes++;
  }

  private apply(query: string, params: CqlValue[], options?: QueryOptions): void {
    const q = query.replace(/\s+/g, " ").trim();
    const ts = options?.timestamp !== undefined ? BigInt(options.timestamp) : this.clock++;
    let m = /^INSERT INTO \w+\.(\w+) \(([^)]*)\) VALUES/.exec(q);
    if (m) {
      this.write(
        m[1],
        m[2].split(",").map((s) => s.trim()),
        params,
        ts,
      );
      return;
    }
    m = /^UPDATE \w+\.(\w+) SET (.*) WHERE (.*)$/.exec(q);
    if (m) {
      const sets = m[2].split(",").map((s) => s.split("=")[0].trim());
      const wheres = m[3].split(" AND ").map((s) => s.split("=")[0].trim());
      this.write(m[1], [...sets, ...wheres], params, ts);
      return;
    }
    if (/^CREATE /.test(q)) return;
    throw Object.assign(new Error(`fake store: unsupported statement ${q.slice(0, 60)}`), {
      name: "ResponseError",
      code: 0x2000,
    });
  }

  client(live: () => boolean): Store {
    // sched.sleep (not a bare promise): the scheduler must know the event woke code.
    const latency = () => this.sched.sleep(100 + this.rng.int(400), live, "store");
    return {
      connect: async () => {
        await latency();
      },
      shutdown: async () => {},
      execute: async (query, params = [], options) => {
        await latency();
        const isWrite = !/^\s*(CREATE|SELECT)/.test(query);
        if (isWrite && this.timeoutRate > 0 && this.rng.float() < this.timeoutRate) {
          this.timeouts++;
          if (this.rng.float() < 0.5) this.apply(query, params, options);
          await latency();
          throw new TimeoutError("write timed out (fake)");
        }
        this.apply(query, params, options);
        return result();
      },
      batch: async (queries, options) => {
        await latency();
        for (const s of queries) this.apply(s.query, s.params ?? [], options);
        return result();
      },
    };
  }
}
