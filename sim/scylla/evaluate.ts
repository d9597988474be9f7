/**
 * Evaluation of prepared statements against storage: SELECT (partition lookups or token-ordered
 * scans, clustering slices, filtering, ORDER BY reversal, LIMIT, paging, COUNT), writes (turned
 * into per-partition mutations, so that faults can apply some and drop others), conditional
 * writes and conditional batches (read, compare, apply, answer `[applied]` like Cassandra), and
 * DDL.
 */
import type { Row } from "../../engine/ports/store.ts";
import { invalid, MSG } from "./errors.ts";
import type { CreateKeyspaceStmt, CreateTableStmt } from "./parser.ts";
import { type ColumnDef, Schema, type TableDef } from "./schema.ts";
import {
  type Bound,
  type CellValue,
  cellValue,
  type Partition,
  type StoredRow,
  TableData,
  TOMB,
} from "./storage.ts";
import { compareValues, type Value } from "./types.ts";
import type { Cond, PreparedDdl, PreparedSelect, PreparedWrite, Restriction, TermRef } from "./validate.ts";

export interface ExecResult {
  /** null for results without rows (writes, DDL). */
  columns: string[] | null;
  rows: Row[];
  /** Set for conditional statements. */
  applied: boolean | null;
  /** SELECT stopped at the page size with more rows left (the real driver would return a pageState). */
  truncated: boolean;
  /** USE: the keyspace now in use. */
  keyspace?: string;
}

export type Op =
  | { k: "row"; ck: Value[]; ts: number; marker: boolean; idx: number[]; vals: CellValue[] }
  | { k: "counter"; ck: Value[]; ts: number; idx: number[]; deltas: bigint[] }
  | { k: "rowdel"; ck: Value[]; ts: number }
  | { k: "range"; start: Bound; end: Bound; ts: number }
  | { k: "pdel"; ts: number };

/** All of one statement's (or batch's) changes to one partition; applied atomically. */
export interface Mutation {
  data: TableData;
  key: string;
  pk: Value[];
  ops: Op[];
}

export interface WriteOutcome {
  mutations: Mutation[];
  result: ExecResult;
}

const VOID: ExecResult = { columns: null, rows: [], applied: null, truncated: false };

export function voidResult(): ExecResult {
  return VOID;
}

function appliedResult(applied: boolean): ExecResult {
  return { columns: ["[applied]"], rows: [{ "[applied]": applied }], applied, truncated: false };
}

const OPEN: Bound = { values: [], inclusive: true };
const FULL_RANGE: Array<{ start: Bound; end: Bound }> = [{ start: OPEN, end: OPEN }];

function singleValues(lists: TermRef[][]): boolean {
  for (let i = 0; i < lists.length; i++) if (lists[i].length !== 1) return false;
  return true;
}

function val(t: TermRef, b: readonly Value[]): Value {
  return t.k === "v" ? t.v : b[t.i];
}

function cartesian(lists: Value[][]): Value[][] {
  let out: Value[][] = [[]];
  for (const list of lists) {
    if (list.length === 1) {
      for (const o of out) o.push(list[0]);
      continue;
    }
    const next: Value[][] = [];
    for (const o of out) for (const v of list) next.push([...o, v]);
    out = next;
  }
  return out;
}

export class Database {
  readonly schema = new Schema();
  private readonly data = new Map<number, TableData>();

  tableData(def: TableDef): TableData {
    let d = this.data.get(def.id);
    if (d === undefined) {
      d = new TableData(def);
      this.data.set(def.id, d);
    }
    return d;
  }

  // --- keys -------------------------------------------------------------------------------------

  /** Partition keys from per-column value lists, in the partition key type's order, deduplicated. */
  private partitionKeys(def: TableDef, lists: TermRef[][], b: readonly Value[], sort: boolean): Value[][] {
    const cols = def.partitionKey;
    if (singleValues(lists)) {
      // the common case: every component restricted by EQ
      const key = new Array<Value>(lists.length);
      for (let i = 0; i < lists.length; i++) {
        const t = lists[i][0];
        const v = t.k === "v" ? t.v : b[t.i];
        if (v === null) throw invalid(MSG.nullInCondition(cols[i].cql));
        if (v === "" && cols.length === 1) throw invalid(MSG.emptyKey());
        key[i] = v;
      }
      return [key];
    }
    const values: Value[][] = lists.map((list, i) =>
      list.map((t) => {
        const v = val(t, b);
        if (v === null) throw invalid(MSG.nullInCondition(cols[i].cql));
        if (v === "" && cols.length === 1) throw invalid(MSG.emptyKey());
        return v;
      }),
    );
    const keys = cartesian(values);
    if (!sort || keys.length < 2) return keys;
    keys.sort((x, y) => {
      for (let i = 0; i < cols.length; i++) {
        const c = compareValues(cols[i].type, x[i], y[i]);
        if (c !== 0) return c;
      }
      return 0;
    });
    return keys.filter((k, i) => i === 0 || !k.every((v, j) => v === keys[i - 1][j]));
  }

  /** Clustering prefixes from per-column value lists, in clustering order, deduplicated. */
  private clusteringPrefixes(data: TableData, lists: TermRef[][], b: readonly Value[]): Value[][] {
    const cols = data.def.clustering;
    if (singleValues(lists)) {
      const key = new Array<Value>(lists.length);
      for (let i = 0; i < lists.length; i++) {
        const t = lists[i][0];
        const v = t.k === "v" ? t.v : b[t.i];
        if (v === null) throw invalid(MSG.nullInCondition(cols[i].cql));
        key[i] = v;
      }
      return [key];
    }
    const values = lists.map((list, i) =>
      list.map((t) => {
        const v = val(t, b);
        if (v === null) throw invalid(MSG.nullInCondition(cols[i].cql));
        return v;
      }),
    );
    const out = cartesian(values);
    if (out.length < 2) return out;
    out.sort(data.prefixCmp);
    return out.filter((k, i) => i === 0 || data.prefixCmp(k, out[i - 1]) !== 0);
  }

  /** The clustering slices of a restriction set, in clustering order; null if nothing can match. */
  private slices(
    data: TableData,
    prefix: TermRef[][],
    slice: Restriction | null,
    b: readonly Value[],
  ): Array<{ start: Bound; end: Bound }> | null {
    if (prefix.length === 0 && slice === null) return FULL_RANGE;
    const prefixes = this.clusteringPrefixes(data, prefix, b);
    if (prefixes.length === 0) return null;
    let lo: Value | undefined;
    let hi: Value | undefined;
    let loIncl = true;
    let hiIncl = true;
    if (slice !== null) {
      if (slice.lower !== null) {
        lo = val(slice.lower.t, b);
        loIncl = slice.lower.inclusive;
        if (lo === null) return null;
      }
      if (slice.upper !== null) {
        hi = val(slice.upper.t, b);
        hiIncl = slice.upper.inclusive;
        if (hi === null) return null;
      }
    }
    const desc = slice !== null && data.def.desc[slice.col.position];
    return prefixes.map((p) => {
      const at = (v: Value | undefined, incl: boolean): Bound =>
        v === undefined ? { values: p, inclusive: true } : { values: [...p, v], inclusive: incl };
      return desc
        ? { start: at(hi, hiIncl), end: at(lo, loIncl) }
        : { start: at(lo, loIncl), end: at(hi, hiIncl) };
    });
  }

  // --- SELECT -----------------------------------------------------------------------------------

  select(ps: PreparedSelect, b: readonly Value[], pageSize: number): ExecResult {
    const def = ps.table;
    const data = this.tableData(def);
    let limit = Number.POSITIVE_INFINITY;
    if (ps.limit !== null) {
      const l = val(ps.limit, b);
      if (l === null) throw invalid(MSG.nullLimit());
      if ((l as number) <= 0) throw invalid(MSG.limitNotPositive());
      limit = l as number;
    }
    if (ps.orderByWithIn && pageSize > 0) throw invalid(MSG.pagingOrderByIn());

    let parts: Partition[];
    if (ps.pk !== null) {
      const keys = this.partitionKeys(def, ps.pk, b, true);
      parts = [];
      for (const k of keys) {
        const p = data.get(data.keyOf(k));
        if (p !== undefined) parts.push(p);
      }
    } else {
      parts = data.scan();
    }
    const slices = this.slices(data, ps.ckPrefix, ps.ckSlice, b);
    const filter = this.filterFn(ps, b);

    const sels = ps.sels;
    const out: Row[] = [];
    const max = ps.aggregate ? Number.POSITIVE_INFINITY : Math.min(limit, pageSize > 0 ? pageSize : limit);
    let truncated = false;
    let count = 0;
    const counts = new Array<number>(sels.length).fill(0);
    let first: Row | null = null;

    const emit = (p: Partition, row: StoredRow, d: number): boolean => {
      if (ps.aggregate) {
        count++;
        for (let i = 0; i < sels.length; i++) {
          const s = sels[i];
          if (s.k === "countcol" && this.columnValue(p, row, s.col, d) !== null) counts[i]++;
        }
        if (first === null) first = this.project(data, sels, p, row, d);
        return true;
      }
      if (out.length >= max) {
        if (out.length >= pageSize && out.length < limit) truncated = true;
        return false;
      }
      out.push(this.project(data, sels, p, row, d));
      return true;
    };

    if (slices !== null) {
      outer: for (const p of parts) {
        let partitionEmitted = false;
        const visit = (row: StoredRow): boolean => {
          const d = data.rowDeletion(p, row);
          if (!data.isLive(row, d)) return true;
          if (filter !== null && !filter(p, row, d)) return true;
          if (ps.distinct) {
            if (partitionEmitted) return false;
            partitionEmitted = true;
          }
          return emit(p, row, d);
        };
        const n = slices.length;
        for (let si = 0; si < n; si++) {
          const sl = slices[ps.reversed ? n - 1 - si : si];
          const start =
            sl.start.values.length === 0 ? null : (r: StoredRow) => data.afterStart(r.ck, sl.start);
          const end = sl.end.values.length === 0 ? null : (r: StoredRow) => data.beforeEnd(r.ck, sl.end);
          if (!p.rows.range(start, end, ps.reversed, visit)) {
            if (ps.distinct && partitionEmitted && out.length < max) continue outer;
            break outer;
          }
        }
      }
    }

    if (ps.aggregate) {
      const row: Row = {};
      const f = first as Row | null;
      for (let i = 0; i < sels.length; i++) {
        const s = sels[i];
        if (s.k === "count") row[s.name] = BigInt(count);
        else if (s.k === "countcol") row[s.name] = BigInt(counts[i]);
        else row[s.name] = f === null ? null : f[s.name];
      }
      return { columns: ps.columns, rows: [row], applied: null, truncated: false };
    }
    return { columns: ps.columns, rows: out, applied: null, truncated };
  }

  private columnValue(p: Partition, row: StoredRow, col: ColumnDef, d: number): Value {
    switch (col.kind) {
      case "partition":
        return p.pk[col.position];
      case "clustering":
        return row.ck[col.position];
      default:
        return cellValue(row, col.position, d);
    }
  }

  private project(
    data: TableData,
    sels: PreparedSelect["sels"],
    p: Partition,
    row: StoredRow,
    d: number,
  ): Row {
    const r: Row = {};
    for (let i = 0; i < sels.length; i++) {
      const s = sels[i];
      switch (s.k) {
        case "col":
          r[s.name] = this.columnValue(p, row, s.col, d);
          break;
        case "writetime":
          r[s.name] = cellValue(row, s.col.position, d) === null ? null : BigInt(row.ts[s.col.position]);
          break;
        case "ttl":
          r[s.name] = null;
          break;
        case "token":
          r[s.name] = data.token(p);
          break;
        default:
          break;
      }
    }
    return r;
  }

  private filterFn(
    ps: PreparedSelect,
    b: readonly Value[],
  ): ((p: Partition, row: StoredRow, d: number) => boolean) | null {
    if (ps.filters.length === 0) return null;
    const checks = ps.filters.map(({ col, r }) => {
      const isKey = col.kind !== "regular";
      const bad = () => invalid(isKey ? MSG.nullInCondition(col.cql) : MSG.unsupportedNull(col.cql));
      if (r.values !== null) {
        const vs = r.values.map((t) => val(t, b));
        if (!r.isIn && vs[0] === null) throw bad();
        const list = vs.filter((v) => v !== null);
        return (v: Value) => v !== null && list.some((x) => compareValues(col.type, v, x) === 0);
      }
      const lo = r.lower === null ? undefined : val(r.lower.t, b);
      const hi = r.upper === null ? undefined : val(r.upper.t, b);
      if (lo === null || hi === null) throw bad();
      const loIncl = r.lower?.inclusive ?? true;
      const hiIncl = r.upper?.inclusive ?? true;
      return (v: Value) => {
        if (v === null) return false;
        if (lo !== undefined) {
          const c = compareValues(col.type, v, lo);
          if (c < 0 || (c === 0 && !loIncl)) return false;
        }
        if (hi !== undefined) {
          const c = compareValues(col.type, v, hi);
          if (c > 0 || (c === 0 && !hiIncl)) return false;
        }
        return true;
      };
    });
    const cols = ps.filters.map((f) => f.col);
    return (p, row, d) => {
      for (let i = 0; i < checks.length; i++)
        if (!checks[i](this.columnValue(p, row, cols[i], d))) return false;
      return true;
    };
  }

  // --- writes -----------------------------------------------------------------------------------

  private timestampOf(pw: PreparedWrite, b: readonly Value[], fallback: number): number {
    if (pw.timestamp === null) return fallback;
    const t = val(pw.timestamp, b);
    if (t === null) throw invalid(MSG.nullTimestamp());
    return Number(t);
  }

  /** The mutations of an unconditional write at timestamp `ts` (unless USING TIMESTAMP overrides it). */
  mutations(pw: PreparedWrite, b: readonly Value[], defaultTs: number): Mutation[] {
    const def = pw.table;
    const data = this.tableData(def);
    const ts = this.timestampOf(pw, b, defaultTs);
    const keys = this.partitionKeys(def, pw.pk, b, true);
    const ops: Op[] = [];
    const fullRow = pw.ck.length === def.clustering.length && pw.ckSlice === null;
    if (pw.kind === "delete") {
      if (pw.deleteCols !== null) {
        const idx = pw.deleteCols.map((c) => c.position);
        const vals = pw.deleteCols.map((): CellValue => TOMB);
        for (const ck of this.clusteringPrefixes(data, pw.ck, b))
          ops.push({ k: "row", ck, ts, marker: false, idx, vals });
      } else if (def.clustering.length === 0 || (pw.ck.length === 0 && pw.ckSlice === null)) {
        ops.push({ k: "pdel", ts });
      } else if (fullRow) {
        for (const ck of this.clusteringPrefixes(data, pw.ck, b)) ops.push({ k: "rowdel", ck, ts });
      } else {
        const slices = this.slices(data, pw.ck, pw.ckSlice, b);
        if (slices !== null)
          for (const sl of slices) ops.push({ k: "range", start: sl.start, end: sl.end, ts });
      }
    } else {
      const cks = this.clusteringPrefixes(data, pw.ck, b);
      if (pw.counters.length > 0) {
        const idx = pw.counters.map(({ col }) => col.position);
        const deltas = pw.counters.map(({ t, negate }) => {
          const v = val(t, b);
          if (v === null) throw invalid(`Invalid null value for counter increment`);
          return negate ? -(v as bigint) : (v as bigint);
        });
        for (const ck of cks) ops.push({ k: "counter", ck, ts, idx, deltas });
      } else {
        const sets = pw.sets;
        const idx = pw.setIdx;
        const vals = new Array<CellValue>(sets.length);
        for (let i = 0; i < sets.length; i++) {
          const t = sets[i].t;
          const v = t.k === "v" ? t.v : b[t.i];
          vals[i] = v === null ? TOMB : v;
        }
        for (const ck of cks) ops.push({ k: "row", ck, ts, marker: pw.marker, idx, vals });
      }
    }
    return keys.map((pk) => ({ data, key: data.keyOf(pk), pk, ops }));
  }

  /** Applies a mutation (atomically: one partition). */
  apply(m: Mutation): void {
    const data = m.data;
    const p = data.getOrCreate(m.key, m.pk);
    for (const op of m.ops) {
      switch (op.k) {
        case "row":
          data.writeRow(p, op.ck, op.ts, op.marker, op.idx, op.vals);
          break;
        case "counter":
          data.addCounters(p, op.ck, op.ts, op.idx, op.deltas);
          break;
        case "rowdel":
          data.deleteRow(p, op.ck, op.ts);
          break;
        case "range":
          data.deleteRange(p, op.start, op.end, op.ts);
          break;
        case "pdel":
          data.deletePartition(p, op.ts);
          break;
      }
    }
  }

  // --- conditional writes (Paxos on one partition, here atomic at the server's instant) -----------

  private holds(c: Cond, current: Value, bound: Value | Value[]): boolean {
    const type = c.col.type;
    const eq = (x: Value) =>
      x === null ? current === null : current !== null && compareValues(type, current, x) === 0;
    switch (c.op) {
      case "IN":
        return (bound as Value[]).some(eq);
      case "=":
        return eq(bound as Value);
      case "!=":
        return !eq(bound as Value);
      default: {
        if (current === null) return false;
        const k = compareValues(type, current, bound as Value);
        return c.op === "<" ? k < 0 : c.op === "<=" ? k <= 0 : c.op === ">" ? k > 0 : k >= 0;
      }
    }
  }

  private bindConds(conds: Cond[], b: readonly Value[]): Array<Value | Value[]> {
    return conds.map((c) => {
      if (c.op === "IN") return c.ts!.map((t) => val(t, b));
      const v = val(c.t!, b);
      if (v === null && c.op !== "=" && c.op !== "!=") throw invalid(MSG.nullComparison(c.op));
      return v;
    });
  }

  /** Reads the row a condition is about: its live state and a reader of its current values. */
  private casRow(data: TableData, pk: Value[], ck: Value[]) {
    const p = data.get(data.keyOf(pk));
    const row = p?.rows.get(ck);
    if (p === undefined || row === undefined) return null;
    const d = data.rowDeletion(p, row);
    if (!data.isLive(row, d)) return null;
    return { p, row, d };
  }

  /** A conditional INSERT/UPDATE/DELETE, evaluated and (if applied) applied now with the ballot timestamp. */
  cas(pw: PreparedWrite, b: readonly Value[], ballot: number): WriteOutcome {
    const def = pw.table;
    const data = this.tableData(def);
    const pk = this.partitionKeys(def, pw.pk, b, false)[0];
    const ck = this.clusteringPrefixes(data, pw.ck, b)[0];
    const cas = pw.cas!;
    const bound = this.bindConds(cas.conds, b);
    const cur = this.casRow(data, pk, ck);
    let applied: boolean;
    if (cas.kind === "not_exists") applied = cur === null;
    else if (cas.kind === "exists") applied = cur !== null;
    else
      applied = cas.conds.every((c, i) =>
        this.holds(c, cur === null ? null : this.columnValue(cur.p, cur.row, c.col, cur.d), bound[i]),
      );
    if (applied) {
      const mutations = this.mutations({ ...pw, timestamp: null }, b, ballot);
      for (const m of mutations) this.apply(m);
      return { mutations, result: appliedResult(true) };
    }
    if (cur === null) return { mutations: [], result: appliedResult(false) };
    const cols: ColumnDef[] = cas.kind === "conds" ? uniqueColumns(cas.conds.map((c) => c.col)) : def.columns;
    const row: Row = { "[applied]": false };
    for (const c of cols) row[c.name] = this.columnValue(cur.p, cur.row, c, cur.d);
    return {
      mutations: [],
      result: {
        columns: ["[applied]", ...cols.map((c) => c.name)],
        rows: [row],
        applied: false,
        truncated: false,
      },
    };
  }

  // --- batches ----------------------------------------------------------------------------------

  /** BatchStatement.validate: the checks that need no bound values. */
  validateBatch(pws: readonly PreparedWrite[], logged: boolean): void {
    const conditional = pws.some((w) => w.cas !== null);
    if (conditional) {
      const t = pws[0].table;
      if (pws.some((w) => w.table !== t)) throw invalid(MSG.casBatchTables());
    }
    const counters = pws.filter((w) => w.counters.length > 0).length;
    if (counters > 0) {
      if (logged) throw invalid(MSG.counterInLoggedBatch());
      if (counters < pws.length) throw invalid(MSG.counterMixBatch());
    }
  }

  /** An unconditional batch: every statement's mutations, merged per partition. */
  batchMutations(items: ReadonlyArray<{ pw: PreparedWrite; b: readonly Value[] }>, ts: number): Mutation[] {
    const byKey = new Map<string, Mutation>();
    const out: Mutation[] = [];
    for (const { pw, b } of items) {
      for (const m of this.mutations(pw, b, ts)) {
        const k = `${pw.table.id}/${m.key}`;
        const prev = byKey.get(k);
        if (prev === undefined) {
          const merged: Mutation = { data: m.data, key: m.key, pk: m.pk, ops: [...m.ops] };
          byKey.set(k, merged);
          out.push(merged);
        } else prev.ops.push(...m.ops);
      }
    }
    return out;
  }

  /** A conditional batch: one partition of one table; all conditions hold or nothing is applied. */
  casBatch(items: ReadonlyArray<{ pw: PreparedWrite; b: readonly Value[] }>, ballot: number): WriteOutcome {
    const def = items[0].pw.table;
    const data = this.tableData(def);
    let key: string | null = null;
    let pk: Value[] = [];
    for (const { pw, b } of items) {
      const keys = this.partitionKeys(def, pw.pk, b, true);
      if (keys.length > 1)
        throw invalid(`${MSG.casBatchPartitions()} (you cannot use IN on the partition key)`);
      const k = data.keyOf(keys[0]);
      if (key === null) {
        key = k;
        pk = keys[0];
      } else if (k !== key) throw invalid(MSG.casBatchPartitions());
    }
    // the conditions, per row
    interface RowConds {
      ck: Value[];
      kind: "not_exists" | "exists" | "conds";
      conds: Cond[];
      bound: Array<Value | Value[]>;
    }
    const rows: RowConds[] = [];
    for (const { pw, b } of items) {
      if (pw.cas === null) continue;
      const ck = this.clusteringPrefixes(data, pw.ck, b)[0];
      const bound = this.bindConds(pw.cas.conds, b);
      const prev = rows.find((r) => data.cmp(r.ck, ck) === 0);
      if (prev === undefined) {
        rows.push({ ck, kind: pw.cas.kind, conds: [...pw.cas.conds], bound });
        continue;
      }
      const a = prev.kind;
      const c = pw.cas.kind;
      if (a === "conds" && c === "conds") {
        prev.conds.push(...pw.cas.conds);
        prev.bound.push(...bound);
      } else if (a !== "conds" && c !== "conds") {
        if (a !== c) throw invalid(MSG.casExistsMix());
      } else throw invalid(MSG.casMix());
    }
    rows.sort((x, y) => data.cmp(x.ck, y.ck));
    let applied = true;
    const current = rows.map((r) => this.casRow(data, pk, r.ck));
    rows.forEach((r, i) => {
      const cur = current[i];
      let ok: boolean;
      if (r.kind === "not_exists") ok = cur === null;
      else if (r.kind === "exists") ok = cur !== null;
      else
        ok = r.conds.every((c, j) =>
          this.holds(c, cur === null ? null : this.columnValue(cur.p, cur.row, c.col, cur.d), r.bound[j]),
        );
      if (!ok) applied = false;
    });
    if (applied) {
      const mutations = this.batchMutations(items, ballot);
      for (const m of mutations) this.apply(m);
      return { mutations, result: appliedResult(true) };
    }
    const wildcard = rows.some((r) => r.kind !== "conds");
    const extra: ColumnDef[] = wildcard
      ? def.regular
      : uniqueColumns(rows.flatMap((r) => r.conds.map((c) => c.col)));
    const cols = [...def.partitionKey, ...def.clustering, ...extra];
    const out: Row[] = [];
    for (const cur of current) {
      if (cur === null) continue;
      const row: Row = { "[applied]": false };
      for (const c of cols) row[c.name] = this.columnValue(cur.p, cur.row, c, cur.d);
      out.push(row);
    }
    if (out.length === 0) return { mutations: [], result: appliedResult(false) };
    return {
      mutations: [],
      result: {
        columns: ["[applied]", ...cols.map((c) => c.name)],
        rows: out,
        applied: false,
        truncated: false,
      },
    };
  }

  // --- DDL --------------------------------------------------------------------------------------

  ddl(p: PreparedDdl, keyspace: string | null): ExecResult {
    const s = p.stmt;
    const ksOf = (q: { keyspace: { name: string } | null }) => {
      const ks = q.keyspace?.name ?? keyspace;
      if (ks === null) throw invalid(MSG.noKeyspace());
      return ks;
    };
    switch (s.kind) {
      case "create_keyspace":
        this.schema.createKeyspace(s as CreateKeyspaceStmt);
        return VOID;
      case "create_table":
        this.schema.createTable(ksOf(s.table), s as CreateTableStmt);
        return VOID;
      case "drop_keyspace": {
        const ks = this.schema.keyspaces.get(s.name.name);
        if (this.schema.dropKeyspace(s.name.name, s.ifExists) && ks !== undefined)
          for (const t of ks.tables.values()) this.data.delete(t.id);
        return VOID;
      }
      case "drop_table": {
        const t = this.schema.dropTable(ksOf(s.table), s.table.name.name, s.ifExists);
        if (t !== null) this.data.delete(t.id);
        return VOID;
      }
      case "truncate": {
        const t = this.schema.validateTable(ksOf(s.table), s.table.name.name);
        this.data.get(t.id)?.truncate();
        return VOID;
      }
      case "use":
        if (!this.schema.keyspaces.has(s.name.name)) throw invalid(MSG.useKeyspaceDoesNotExist(s.name.name));
        return { ...VOID, keyspace: s.name.name };
    }
  }
}

function uniqueColumns(cols: ColumnDef[]): ColumnDef[] {
  const out: ColumnDef[] = [];
  for (const c of cols) if (!out.includes(c)) out.push(c);
  return out;
}
