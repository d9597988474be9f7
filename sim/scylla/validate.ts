/**
 * Preparation: resolves a parsed statement against the schema into an executable plan, with
 * Cassandra 5.0's validation rules, in Cassandra's order (the first error Cassandra would report
 * is the one reported here). Checks that need bound values (nulls in keys, LIMIT, batch
 * partitions) run at execution, in evaluate.ts, as they do in Cassandra.
 */
import { invalid, MSG } from "./errors.ts";
import {
  type Condition,
  type Ident,
  type ModificationStmt,
  maybeQuote,
  type Parsed,
  type QName,
  type Relation,
  type Statement,
  type Term,
  type UpdateStmt,
} from "./parser.ts";
import type { ColumnDef, Schema, TableDef } from "./schema.ts";
import { type CqlType, literalValue, type Value } from "./types.ts";

/** A value in a plan: a constant from the query text, or the i-th bound value. */
export type TermRef = { k: "v"; v: Value } | { k: "b"; i: number };

export interface Receiver {
  type: CqlType;
  name: string;
}

export interface SliceBound {
  t: TermRef;
  inclusive: boolean;
}

/** One column's restriction in a WHERE clause. */
export interface Restriction {
  col: ColumnDef;
  /** EQ: one value; IN: the list. */
  values: TermRef[] | null;
  isIn: boolean;
  lower: SliceBound | null;
  upper: SliceBound | null;
}

export interface Filter {
  col: ColumnDef;
  r: Restriction;
}

export type Sel =
  | { k: "col"; col: ColumnDef; name: string }
  | { k: "count"; name: string }
  | { k: "countcol"; col: ColumnDef; name: string }
  | { k: "writetime"; col: ColumnDef; name: string }
  | { k: "ttl"; col: ColumnDef; name: string }
  | { k: "token"; name: string };

export interface PreparedSelect {
  kind: "select";
  table: TableDef;
  markers: Receiver[];
  /** Per partition key column, the values (EQ: one, IN: several); null = scan all partitions. */
  pk: TermRef[][] | null;
  pkIsIn: boolean;
  /** Per leading clustering column restricted by EQ/IN, its values. */
  ckPrefix: TermRef[][];
  /** A slice on the clustering column after the prefix. */
  ckSlice: Restriction | null;
  /** Restrictions checked row by row (ALLOW FILTERING, or partial partition keys when scanning). */
  filters: Filter[];
  reversed: boolean;
  limit: TermRef | null;
  sels: Sel[];
  columns: string[];
  aggregate: boolean;
  distinct: boolean;
  orderByWithIn: boolean;
}

export interface Cond {
  col: ColumnDef;
  op: Relation["op"];
  t: TermRef | null;
  ts: TermRef[] | null;
}

export interface PreparedWrite {
  kind: "insert" | "update" | "delete";
  table: TableDef;
  markers: Receiver[];
  pk: TermRef[][];
  /** Leading clustering columns restricted by EQ/IN (all of them for INSERT/UPDATE). */
  ck: TermRef[][];
  /** DELETE only: a slice after the prefix. */
  ckSlice: Restriction | null;
  /** INSERT writes the row marker. */
  marker: boolean;
  sets: Array<{ col: ColumnDef; t: TermRef }>;
  /** The regular column positions of `sets`. */
  setIdx: number[];
  counters: Array<{ col: ColumnDef; t: TermRef; negate: boolean }>;
  /** DELETE of given columns; null = the rows. */
  deleteCols: ColumnDef[] | null;
  timestamp: TermRef | null;
  /** null: unconditional. */
  cas: { kind: "not_exists" | "exists" | "conds"; conds: Cond[] } | null;
  /** "INSERT ks.t": how traces and fault notes name the statement. */
  label: string;
}

export interface PreparedBatch {
  kind: "batch";
  logged: boolean;
  markers: Receiver[];
  timestamp: TermRef | null;
  statements: PreparedWrite[];
}

export type PreparedDdl = {
  kind: "ddl";
  stmt: Exclude<Statement, { kind: "select" | "insert" | "update" | "delete" | "batch" }>;
};

export type Prepared = PreparedSelect | PreparedWrite | PreparedBatch | PreparedDdl;

// ---------------------------------------------------------------------------------------------

class Ctx {
  readonly markers: Receiver[] = [];
  readonly table: TableDef;

  constructor(table: TableDef) {
    this.table = table;
  }

  column(id: Ident): ColumnDef {
    const c = this.table.byName.get(id.name);
    if (c === undefined) throw invalid(MSG.undefinedColumn(maybeQuote(id.name), this.table.qualified));
    return c;
  }

  term(t: Term, type: CqlType, receiver: string): TermRef {
    if (t.t === "bind") {
      this.markers[t.index] = { type, name: receiver };
      return { k: "b", i: t.index };
    }
    return { k: "v", v: literalValue(t.litType, t.text, type, receiver) };
  }
}

export function tableOf(schema: Schema, q: QName, keyspace: string | null): TableDef {
  const ks = q.keyspace?.name ?? keyspace;
  if (ks === null) throw invalid(MSG.noKeyspace());
  return schema.validateTable(ks, q.name.name);
}

export function prepare(parsed: Parsed, schema: Schema, keyspace: string | null): Prepared {
  const s = parsed.stmt;
  switch (s.kind) {
    case "select":
      return prepareSelect(s, schema, keyspace);
    case "insert":
    case "update":
    case "delete":
      return prepareWrite(s, schema, keyspace, new Ctx(tableOf(schema, s.table, keyspace)));
    case "batch": {
      const markers: Receiver[] = [];
      const statements = s.statements.map((st) => {
        const ctx = new Ctx(tableOf(schema, st.table, keyspace));
        const w = prepareWrite(st, schema, keyspace, ctx);
        ctx.markers.forEach((m, i) => {
          if (m !== undefined) markers[i] = m;
        });
        return w;
      });
      // batch-level markers share one numbering; every statement's plan refers to it
      for (const w of statements) w.markers = markers;
      let timestamp: TermRef | null = null;
      if (s.using.timestamp !== null) {
        // BatchStatement.validate
        if (statements.some((w) => w.cas !== null)) throw invalid(MSG.conditionalBatchTimestamp());
        if (statements.some((w) => w.counters.length > 0)) throw invalid(MSG.counterBatchTimestamp());
        if (statements.some((w) => w.timestamp !== null)) throw invalid(MSG.timestampBatchAndStatement());
        const t = s.using.timestamp;
        if (t.t === "bind") {
          markers[t.index] = { type: "bigint", name: "[timestamp]" };
          timestamp = { k: "b", i: t.index };
        } else timestamp = { k: "v", v: BigInt(t.text) };
      }
      return { kind: "batch", logged: s.logged, markers, timestamp, statements };
    }
    default:
      return { kind: "ddl", stmt: s };
  }
}

// ---------------------------------------------------------------------------------------------
// WHERE clauses

function addRelation(
  ctx: Ctx,
  map: Map<ColumnDef, Restriction>,
  rel: Relation,
  checkClusteringMerge: boolean,
): void {
  const col = ctx.column(rel.col);
  if (rel.op === "!=") throw invalid(MSG.unsupportedNeq(rel.text));
  if (rel.inMarker !== null)
    throw invalid(
      "IN ? (one marker for the whole list) is not supported by the simulator: write IN (?, ?, ...)",
    );
  const name = col.name;
  let r = map.get(col);
  const isEqIn = rel.op === "=" || rel.op === "IN";
  if (r !== undefined) {
    if (r.values !== null) throw invalid(MSG.moreThanOneEq(col.cql));
    if (isEqIn) throw invalid(MSG.eqAndSlice(col.cql));
  }
  if (checkClusteringMerge && col.kind === "clustering") {
    for (const other of map.values()) {
      if (other.col.kind !== "clustering" || other.col === col) continue;
      const otherSlice = other.values === null;
      if (otherSlice && other.col.position < col.position)
        throw invalid(MSG.precedingNonEq(col.cql, other.col.cql));
      if (!isEqIn && other.col.position > col.position)
        throw invalid(MSG.precedingNonEqPk(other.col.cql, col.cql));
    }
  }
  if (r === undefined) {
    r = { col, values: null, isIn: false, lower: null, upper: null };
    map.set(col, r);
  }
  if (rel.op === "=") {
    r.values = [ctx.term(rel.value!, col.type, name)];
  } else if (rel.op === "IN") {
    r.values = rel.values!.map((t) => ctx.term(t, col.type, name));
    r.isIn = true;
  } else {
    const b: SliceBound = {
      t: ctx.term(rel.value!, col.type, name),
      inclusive: rel.op === "<=" || rel.op === ">=",
    };
    if (rel.op === ">" || rel.op === ">=") {
      if (r.lower !== null) throw invalid(MSG.twoBounds("start", col.cql));
      r.lower = b;
    } else {
      if (r.upper !== null) throw invalid(MSG.twoBounds("end", col.cql));
      r.upper = b;
    }
  }
}

function restrictions(
  ctx: Ctx,
  where: Relation[],
  checkClusteringMerge: boolean,
): Map<ColumnDef, Restriction> {
  const map = new Map<ColumnDef, Restriction>();
  for (const rel of where) addRelation(ctx, map, rel, checkClusteringMerge);
  return map;
}

// ---------------------------------------------------------------------------------------------
// SELECT

function prepareSelect(
  s: Extract<Statement, { kind: "select" }>,
  schema: Schema,
  keyspace: string | null,
): PreparedSelect {
  const table = tableOf(schema, s.table, keyspace);
  const ctx = new Ctx(table);
  const allow = s.allowFiltering;
  const rs = restrictions(ctx, s.where, !allow);

  // partition key (StatementRestrictions.processPartitionKeyRestrictions)
  const pkRs = table.partitionKey.map((c) => rs.get(c));
  const pkComplete = pkRs.every((r) => r !== undefined && r.values !== null);
  const pkAny = pkRs.some((r) => r !== undefined);
  if (pkAny && !pkComplete && !allow) throw invalid(MSG.allowFiltering());
  const keyRange = !pkComplete;
  const filters: Filter[] = [];
  let pk: TermRef[][] | null = null;
  let pkIsIn = false;
  if (pkComplete) {
    pk = pkRs.map((r) => r!.values!);
    pkIsIn = pkRs.some((r) => r!.isIn);
  } else {
    for (const r of pkRs) if (r !== undefined) filters.push({ col: r.col, r });
  }

  // clustering columns (processClusteringColumnsRestrictions)
  const ck = table.clustering;
  if (!allow) {
    for (let i = 0; i < ck.length; i++) {
      const r = rs.get(ck[i]);
      if (r !== undefined && r.values !== null) continue;
      for (let j = i + 1; j < ck.length; j++) {
        if (rs.has(ck[j])) {
          if (r === undefined) throw invalid(MSG.precedingNotRestricted(ck[j].cql, ck[i].cql));
          throw invalid(MSG.precedingNonEqPk(ck[j].cql, ck[i].cql));
        }
      }
      break;
    }
  }
  const ckPrefix: TermRef[][] = [];
  let ckSlice: Restriction | null = null;
  let i = 0;
  for (; i < ck.length; i++) {
    const r = rs.get(ck[i]);
    if (r === undefined) break;
    if (r.values !== null) {
      ckPrefix.push(r.values);
      continue;
    }
    ckSlice = r;
    i++;
    break;
  }
  const used = new Set<ColumnDef>(ck.slice(0, i));
  let hasClustering = false;
  for (const c of ck) {
    const r = rs.get(c);
    if (r === undefined) continue;
    hasClustering = true;
    if (!used.has(c)) filters.push({ col: c, r });
  }
  let hasRegular = false;
  for (const c of table.regular) {
    const r = rs.get(c);
    if (r === undefined) continue;
    hasRegular = true;
    filters.push({ col: c, r });
  }

  // selection
  const sels: Sel[] = [];
  let aggregate = false;
  if (s.selectors === null) {
    for (const c of table.columns) sels.push({ k: "col", col: c, name: c.name });
  } else {
    for (const sel of s.selectors) {
      const alias = sel.alias?.name;
      switch (sel.kind) {
        case "col": {
          const c = ctx.column(sel.col);
          sels.push({ k: "col", col: c, name: alias ?? c.name });
          break;
        }
        case "count":
          aggregate = true;
          if (sel.arg === "*" || /^\d+$/.test(sel.arg)) sels.push({ k: "count", name: alias ?? "count" });
          else {
            const c = ctx.column({ name: sel.arg, text: sel.arg });
            sels.push({ k: "countcol", col: c, name: alias ?? `system.count(${c.cql})` });
          }
          break;
        case "writetime":
        case "ttl": {
          const c = ctx.column(sel.col);
          if (c.kind !== "regular") throw invalid(MSG.writetimeOnPk(sel.kind, c.cql));
          sels.push({ k: sel.kind, col: c, name: alias ?? `${sel.kind}(${c.cql})` });
          break;
        }
        case "token": {
          const names = sel.cols.map((id) => ctx.column(id).cql);
          sels.push({ k: "token", name: alias ?? `system.token(${names.join(", ")})` });
          break;
        }
      }
    }
  }
  if (s.distinct) {
    for (const x of sels)
      if (x.k !== "col" || x.col.kind !== "partition")
        throw invalid(
          `SELECT DISTINCT queries must only request partition key columns and/or static columns (not ${x.name})`,
        );
    const missing = table.partitionKey.filter((c) => !sels.some((x) => x.k === "col" && x.col === c));
    if (missing.length > 0)
      throw invalid(
        `SELECT DISTINCT queries must request all the partition key columns (missing ${missing.map((c) => c.cql).join(", ")})`,
      );
  }

  // SelectStatement$RawStatement.checkNeedsFiltering (observed to come before the ORDER BY checks)
  if (!allow && ((keyRange && hasClustering) || hasRegular)) throw invalid(MSG.allowFiltering());

  // ORDER BY (verifyOrderingIsAllowed, then isReversed)
  let reversed = false;
  if (s.orderBy.length > 0) {
    const order = new Map<ColumnDef, boolean>();
    for (const o of s.orderBy) order.set(ctx.column(o.col), o.desc);
    if (keyRange) throw invalid(MSG.orderByNeedsPartitionKey());
    let pos = 0;
    let rev: boolean | null = null;
    for (const [c, desc] of order) {
      if (c.kind !== "clustering") throw invalid(MSG.orderByNotClustering(c.cql));
      while (pos !== c.position) {
        const r = rs.get(ck[pos++]);
        if (r === undefined || r.values === null || r.isIn) throw invalid(MSG.orderByNotInDeclaredOrder());
      }
      pos++;
      const thisRev = desc !== table.desc[c.position];
      if (rev === null) rev = thisRev;
      else if (rev !== thisRev) throw invalid(MSG.unsupportedOrderBy());
    }
    reversed = rev ?? false;
  }

  let limit: TermRef | null = null;
  if (s.limit !== null) limit = ctx.term(s.limit, "int", "[limit]");

  return {
    kind: "select",
    table,
    markers: ctx.markers,
    pk,
    pkIsIn,
    ckPrefix,
    ckSlice,
    filters,
    reversed,
    limit,
    sels,
    columns: sels.map((x) => x.name),
    aggregate,
    distinct: s.distinct,
    orderByWithIn: pkIsIn && s.orderBy.length > 0,
  };
}

// ---------------------------------------------------------------------------------------------
// INSERT, UPDATE, DELETE

function prepareWrite(
  s: ModificationStmt,
  _schema: Schema,
  _keyspace: string | null,
  ctx: Ctx,
): PreparedWrite {
  const table = ctx.table;
  const w: PreparedWrite = {
    kind: s.kind,
    table,
    markers: ctx.markers,
    pk: [],
    ck: [],
    ckSlice: null,
    marker: s.kind === "insert",
    sets: [],
    setIdx: [],
    counters: [],
    deleteCols: null,
    timestamp: null,
    cas: null,
    label: `${s.kind.toUpperCase()} ${table.keyspace}.${table.name}`,
  };
  let where: Relation[];
  const typeName = s.kind === "delete" ? "DELETE" : "UPDATE";
  const casKind = s.kind === "delete" ? "deletions" : "updates";

  if (s.kind === "insert") {
    // UpdateStatement$ParsedInsert.prepareInternal
    if (table.isCounter) throw invalid(MSG.insertCounter());
    if (s.columns.length !== s.values.length) throw invalid(MSG.unmatchedColumns());
    const names = new Set<string>();
    for (const c of s.columns) {
      if (names.has(c.name)) throw invalid(MSG.duplicateColumnNames());
      names.add(c.name);
    }
    where = [];
    for (let i = 0; i < s.columns.length; i++) {
      const col = ctx.column(s.columns[i]);
      if (col.kind !== "regular") {
        where.push({
          col: s.columns[i],
          op: "=",
          value: s.values[i],
          values: null,
          inMarker: null,
          text: "",
        });
      } else {
        w.sets.push({ col, t: ctx.term(s.values[i], col.type, col.name) });
      }
    }
    if (s.ifNotExists) w.cas = { kind: "not_exists", conds: [] };
  } else if (s.kind === "update") {
    prepareAssignments(ctx, s, w);
    where = s.where;
    w.cas = prepareConditions(ctx, s.ifExists, s.conditions);
  } else {
    for (const id of s.columns) {
      const col = ctx.column(id);
      if (col.kind !== "regular") throw invalid(MSG.deletePkColumn(col.cql));
      if (w.deleteCols === null) w.deleteCols = [];
      if (!w.deleteCols.includes(col)) w.deleteCols.push(col);
    }
    where = s.where;
    w.cas = prepareConditions(ctx, s.ifExists, s.conditions);
  }

  // attributes (ModificationStatement.validate, ModificationStatement$Parsed.prepareColumnConditions)
  if (s.using.timestamp !== null) {
    if (w.cas !== null) throw invalid(MSG.conditionalTimestamp());
    if (table.isCounter) throw invalid(MSG.counterTimestamp());
    w.timestamp = ctx.term(s.using.timestamp, "bigint", "[timestamp]");
  }
  if (s.using.ttl !== null) ctx.term(s.using.ttl, "int", "[ttl]");

  // WHERE
  const rs = restrictions(ctx, where, true);
  const nonPk = [...rs.keys()].filter((c) => c.kind === "regular");
  if (nonPk.length > 0) throw invalid(MSG.nonPkInWhere(nonPk.map((c) => c.cql)));
  const missingPk: string[] = [];
  for (const c of table.partitionKey) {
    const r = rs.get(c);
    if (r === undefined) missingPk.push(c.cql);
    else if (r.values === null) throw invalid(MSG.partitionKeyOnlyEqIn(typeName));
  }
  if (missingPk.length > 0) throw invalid(MSG.partitionKeyPartsMissing(missingPk));
  w.pk = table.partitionKey.map((c) => rs.get(c)!.values!);
  const ck = table.clustering;
  if (s.kind === "delete") {
    for (let i = 0; i < ck.length; i++) {
      const r = rs.get(ck[i]);
      if (r !== undefined && r.values !== null) continue;
      for (let j = i + 1; j < ck.length; j++) {
        if (rs.has(ck[j])) {
          if (r === undefined) throw invalid(MSG.precedingNotRestricted(ck[j].cql, ck[i].cql));
          throw invalid(MSG.precedingNonEqPk(ck[j].cql, ck[i].cql));
        }
      }
      break;
    }
    for (let i = 0; i < ck.length; i++) {
      const r = rs.get(ck[i]);
      if (r === undefined) break;
      if (r.values === null) {
        w.ckSlice = r;
        break;
      }
      w.ck.push(r.values);
    }
    const fullRow = w.ck.length === ck.length;
    if (w.cas !== null && !fullRow) throw invalid(MSG.deleteNeedsFullKey());
    if (w.deleteCols !== null && !fullRow) throw invalid(MSG.rangeDeleteColumns());
  } else {
    for (const c of ck) {
      const r = rs.get(c);
      if (r !== undefined && r.values === null) throw invalid(MSG.sliceInModification(typeName));
    }
    const missingCk = ck.filter((c) => !rs.has(c)).map((c) => c.cql);
    if (missingCk.length > 0) throw invalid(MSG.clusteringKeysMissing(missingCk));
    w.ck = ck.map((c) => rs.get(c)!.values!);
  }
  w.setIdx = w.sets.map((x) => x.col.position);
  if (w.cas !== null) {
    if (table.partitionKey.some((c) => rs.get(c)!.isIn)) throw invalid(MSG.inPkConditional(casKind));
    if (ck.some((c) => rs.get(c)?.isIn === true)) throw invalid(MSG.inCkConditional(casKind));
  }
  return w;
}

function prepareAssignments(ctx: Ctx, s: UpdateStmt, w: PreparedWrite): void {
  for (const a of s.assignments) {
    const col = ctx.column(a.col);
    if (col.kind !== "regular") throw invalid(MSG.pkInSet(col.cql));
    if (a.op === "set") {
      if (col.type === "counter") throw invalid(MSG.setCounter(col.cql));
      w.sets.push({ col, t: ctx.term(a.value, col.type, col.name) });
      continue;
    }
    if (col.type !== "counter") throw invalid(MSG.nonCounterOperation(a.text, col.cql));
    w.counters.push({ col, t: ctx.term(a.value, "bigint", col.name), negate: a.op === "sub" });
  }
}

function prepareConditions(ctx: Ctx, ifExists: boolean, conditions: Condition[]): PreparedWrite["cas"] {
  if (ifExists) return { kind: "exists", conds: [] };
  if (conditions.length === 0) return null;
  const conds: Cond[] = [];
  for (const c of conditions) {
    const col = ctx.column(c.col);
    if (col.kind !== "regular") throw invalid(MSG.pkCondition(col.cql));
    if (col.type === "counter") throw invalid(MSG.counterCondition());
    if (c.inMarker !== null)
      throw invalid(
        "IN ? (one marker for the whole list) is not supported by the simulator: write IN (?, ?, ...)",
      );
    if (c.op === "IN") {
      conds.push({ col, op: c.op, t: null, ts: c.values!.map((t) => ctx.term(t, col.type, col.name)) });
    } else {
      conds.push({ col, op: c.op, t: ctx.term(c.value!, col.type, col.name), ts: null });
    }
  }
  return { kind: "conds", conds };
}
