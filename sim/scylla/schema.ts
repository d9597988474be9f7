/**
 * Schema: keyspaces, tables, columns, primary key (partition and clustering columns) and
 * clustering order, built from CREATE statements with Cassandra's DDL checks.
 */
import { alreadyExists, configError, invalid, MSG } from "./errors.ts";
import { type CreateKeyspaceStmt, type CreateTableStmt, type Ident, maybeQuote } from "./parser.ts";
import { type CqlType, compareText, resolveType } from "./types.ts";

export type ColumnKind = "partition" | "clustering" | "regular";

export interface ColumnDef {
  name: string;
  type: CqlType;
  kind: ColumnKind;
  /** Index within its kind (partition key component, clustering column, regular column). */
  position: number;
  /** Index in `columns` (the SELECT * order). */
  index: number;
  /** The name as Cassandra prints it (quoted when needed). */
  cql: string;
}

export interface TableDef {
  keyspace: string;
  name: string;
  /** Unique per creation: a dropped and recreated table is a new table. */
  id: number;
  /** SELECT * order: partition key, clustering columns, then regular columns by name. */
  columns: ColumnDef[];
  byName: Map<string, ColumnDef>;
  partitionKey: ColumnDef[];
  clustering: ColumnDef[];
  /** Per clustering column: true if DESC. */
  desc: boolean[];
  regular: ColumnDef[];
  isCounter: boolean;
  /** ks.t as Cassandra prints a table (TableMetadata.toString). */
  qualified: string;
}

export interface KeyspaceDef {
  name: string;
  replication: Map<string, string>;
  tables: Map<string, TableDef>;
}

let nextTableId = 1;

export class Schema {
  readonly keyspaces = new Map<string, KeyspaceDef>();
  /** Bumped by every schema change (prepared statements are re-validated after one). */
  version = 0;

  table(ks: string, name: string): TableDef | undefined {
    return this.keyspaces.get(ks)?.tables.get(name);
  }

  /** Schema.validateTable: the error DML statements give for an unknown keyspace or table. */
  validateTable(ks: string, name: string): TableDef {
    const k = this.keyspaces.get(ks);
    if (k === undefined) throw invalid(MSG.keyspaceDoesNotExist(ks));
    const t = k.tables.get(name);
    if (t === undefined) throw invalid(MSG.tableDoesNotExist(name));
    return t;
  }

  /** Returns false if it existed and IF NOT EXISTS was given. */
  createKeyspace(s: CreateKeyspaceStmt): boolean {
    const name = s.name.name;
    const repl = s.props.get("replication");
    if (repl === undefined) throw invalid(MSG.missingOption("replication"));
    if (repl.kind !== "map") throw invalid(`Invalid value for property 'replication'. It should be a map.`);
    if (!repl.map.has("class")) throw configError(MSG.missingReplicationClass());
    if (this.keyspaces.has(name)) {
      if (s.ifNotExists) return false;
      throw alreadyExists(MSG.keyspaceExists(name), name);
    }
    this.keyspaces.set(name, { name, replication: new Map(repl.map), tables: new Map() });
    this.version++;
    return true;
  }

  dropKeyspace(name: string, ifExists: boolean): boolean {
    if (!this.keyspaces.has(name)) {
      if (ifExists) return false;
      throw invalid(MSG.keyspaceDoesntExist(name));
    }
    this.keyspaces.delete(name);
    this.version++;
    return true;
  }

  dropTable(ks: string, name: string, ifExists: boolean): TableDef | null {
    const k = this.keyspaces.get(ks);
    const t = k?.tables.get(name);
    if (k === undefined || t === undefined) {
      if (ifExists) return null;
      throw invalid(MSG.tableDoesntExist(ks, name));
    }
    k.tables.delete(name);
    this.version++;
    return t;
  }

  /** Returns the new table, or null if it existed and IF NOT EXISTS was given. */
  createTable(ks: string, s: CreateTableStmt): TableDef | null {
    const name = s.table.name.name;
    const qualified = `${maybeQuote(ks)}.${maybeQuote(name)}`;
    const rawQualified = `${ks}.${name}`;
    // CreateTableStatement$Raw: declarations, one PRIMARY KEY, clustering order directive
    const declared = new Map<string, { type: string; isStatic: boolean }>();
    for (const c of s.columns) {
      if (declared.has(c.name.name)) throw invalid(MSG.duplicateColumnDecl(c.name.name, rawQualified));
      declared.set(c.name.name, { type: c.type, isStatic: c.isStatic });
    }
    if (s.primaryKeys.length > 1) throw invalid(MSG.multiplePrimaryKeys(rawQualified));
    if (s.primaryKeys.length === 0) throw invalid(MSG.noPrimaryKey(rawQualified));
    const pk = s.primaryKeys[0];
    const orderSeen = new Set<string>();
    for (const o of s.clusteringOrder) {
      if (orderSeen.has(o.col.name)) throw invalid(MSG.duplicateClusteringOrder(o.col.name, rawQualified));
      orderSeen.add(o.col.name);
    }
    const clusteringNames = new Set(pk.clustering.map((c) => c.name));
    const notClustering = s.clusteringOrder
      .filter((o) => !clusteringNames.has(o.col.name))
      .map((o) => o.col.name);
    if (notClustering.length > 0) throw invalid(MSG.notClusteringInOrder(notClustering));
    // CreateTableStatement.apply
    const k = this.keyspaces.get(ks);
    if (k === undefined) throw invalid(MSG.keyspaceDoesntExist(ks));
    if (k.tables.has(name)) {
      if (s.ifNotExists) return null;
      throw alreadyExists(MSG.tableExists(name, ks), ks, name);
    }
    // CreateTableStatement.builder
    const types = new Map<string, CqlType>();
    for (const c of s.columns) {
      const t = resolveType(c.type);
      if (t === null) throw invalid(MSG.unknownType(ks, c.type));
      if (t === "unsupported") throw invalid(`Type ${c.type} is not supported by the simulator`);
      if (c.isStatic) throw invalid("Static columns are not supported by the simulator");
      types.set(c.name.name, t);
    }
    const pkSeen = new Set<string>();
    const checkPk = (id: Ident) => {
      if (!declared.has(id.name)) throw invalid(MSG.unknownPkColumn(id.name, name));
      if (pkSeen.has(id.name)) throw invalid(MSG.duplicatePkColumn(id.name, name));
      pkSeen.add(id.name);
      if (types.get(id.name) === "counter") throw invalid(MSG.counterInPk(id.name));
    };
    for (const id of pk.partition) checkPk(id);
    for (const id of pk.clustering) checkPk(id);
    let counters = 0;
    let nonCounters = 0;
    for (const c of s.columns) {
      if (pkSeen.has(c.name.name)) continue;
      if (types.get(c.name.name) === "counter") counters++;
      else nonCounters++;
    }
    if (counters > 0 && nonCounters > 0) throw invalid(MSG.counterMix());
    const desc: boolean[] = pk.clustering.map(() => false);
    if (s.clusteringOrder.length > 0) {
      const names = s.clusteringOrder.map((o) => o.col.name);
      const missing = pk.clustering.find((c) => !orderSeen.has(c.name));
      if (missing !== undefined) throw invalid(MSG.missingClusteringOrder(missing.name));
      for (let i = 0; i < names.length; i++) {
        if (names[i] !== pk.clustering[i].name)
          throw invalid(MSG.clusteringOrderMismatch(pk.clustering[i].name, names[i]));
        desc[i] = s.clusteringOrder[i].desc;
      }
    }
    const mk = (n: string, kind: ColumnDef["kind"], position: number): ColumnDef => ({
      name: n,
      type: types.get(n)!,
      kind,
      position,
      index: 0,
      cql: maybeQuote(n),
    });
    const partitionKey = pk.partition.map((id, i) => mk(id.name, "partition", i));
    const clustering = pk.clustering.map((id, i) => mk(id.name, "clustering", i));
    const regularNames = s.columns.map((c) => c.name.name).filter((n) => !pkSeen.has(n));
    regularNames.sort(compareText);
    const regular = regularNames.map((n, i) => mk(n, "regular", i));
    const columns = [...partitionKey, ...clustering, ...regular];
    const byName = new Map<string, ColumnDef>();
    columns.forEach((c, i) => {
      c.index = i;
      byName.set(c.name, c);
    });
    const def: TableDef = {
      keyspace: ks,
      name,
      id: nextTableId++,
      columns,
      byName,
      partitionKey,
      clustering,
      desc,
      regular,
      isCounter: counters > 0,
      qualified,
    };
    k.tables.set(name, def);
    this.version++;
    return def;
  }
}
