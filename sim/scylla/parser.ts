/**
 * CQL parser: a recursive-descent parser for the subset the simulator evaluates, producing the
 * AST below. Syntax errors are `ResponseError` code 0x2000 with the shape of Cassandra's ANTLR
 * messages ("line 1:9 mismatched input 'FORM' expecting K_FROM (SELECT * [FORM]...)"); the exact
 * wording of the expectation can differ from ANTLR's, the code and the position do not.
 */
import { MSG, syntaxError } from "./errors.ts";
import { type Token, tokenize } from "./lexer.ts";

// ---------------------------------------------------------------------------------------------
// AST

export interface Ident {
  /** Normalised name: lowercased unless it was quoted. */
  name: string;
  /** As written. */
  text: string;
}

export interface QName {
  keyspace: Ident | null;
  name: Ident;
}

export type LiteralType = "STRING" | "INTEGER" | "FLOAT" | "BOOLEAN" | "NULL";

export type Term =
  | { t: "lit"; litType: LiteralType; text: string; value: string }
  | { t: "bind"; index: number; name: string | null };

export type RelOp = "=" | "<" | "<=" | ">" | ">=" | "!=" | "IN";

export interface Relation {
  col: Ident;
  op: RelOp;
  /** For every operator but IN. */
  value: Term | null;
  /** For IN (a list of terms). */
  values: Term[] | null;
  /** `IN ?`: one marker standing for the whole list. */
  inMarker: Term | null;
  text: string;
}

export type Condition = Relation;

export type Selector =
  | { kind: "col"; col: Ident; alias: Ident | null }
  | { kind: "count"; arg: string; alias: Ident | null }
  | { kind: "writetime" | "ttl"; col: Ident; alias: Ident | null }
  | { kind: "token"; cols: Ident[]; alias: Ident | null };

export interface OrderBy {
  col: Ident;
  desc: boolean;
}

export interface Using {
  timestamp: Term | null;
  ttl: Term | null;
}

export interface SelectStmt {
  kind: "select";
  distinct: boolean;
  selectors: Selector[] | null; // null = *
  table: QName;
  where: Relation[];
  orderBy: OrderBy[];
  limit: Term | null;
  allowFiltering: boolean;
}

export interface InsertStmt {
  kind: "insert";
  table: QName;
  columns: Ident[];
  values: Term[];
  ifNotExists: boolean;
  using: Using;
}

export interface Assignment {
  col: Ident;
  op: "set" | "add" | "sub";
  value: Term;
  /** `c = c + x`: the column on the right; `c = x + c` sets `prepend`. */
  other: Ident | null;
  text: string;
}

export interface UpdateStmt {
  kind: "update";
  table: QName;
  using: Using;
  assignments: Assignment[];
  where: Relation[];
  ifExists: boolean;
  conditions: Condition[];
}

export interface DeleteStmt {
  kind: "delete";
  columns: Ident[];
  table: QName;
  using: Using;
  where: Relation[];
  ifExists: boolean;
  conditions: Condition[];
}

export type ModificationStmt = InsertStmt | UpdateStmt | DeleteStmt;

export interface BatchStmt {
  kind: "batch";
  logged: boolean;
  counter: boolean;
  using: Using;
  statements: ModificationStmt[];
}

export type PropValue =
  | { kind: "string" | "number" | "bool" | "ident"; value: string }
  | { kind: "map"; map: Map<string, string> };

export interface ColumnDecl {
  name: Ident;
  type: string;
  isStatic: boolean;
  primaryKey: boolean;
}

export interface CreateTableStmt {
  kind: "create_table";
  ifNotExists: boolean;
  table: QName;
  columns: ColumnDecl[];
  /** Every PRIMARY KEY clause written (more than one is an error reported at prepare). */
  primaryKeys: Array<{ partition: Ident[]; clustering: Ident[] }>;
  clusteringOrder: OrderBy[];
  props: Map<string, PropValue>;
}

export interface CreateKeyspaceStmt {
  kind: "create_keyspace";
  ifNotExists: boolean;
  name: Ident;
  props: Map<string, PropValue>;
}

export interface DropKeyspaceStmt {
  kind: "drop_keyspace";
  ifExists: boolean;
  name: Ident;
}

export interface DropTableStmt {
  kind: "drop_table";
  ifExists: boolean;
  table: QName;
}

export interface TruncateStmt {
  kind: "truncate";
  table: QName;
}

export interface UseStmt {
  kind: "use";
  name: Ident;
}

export type Statement =
  | SelectStmt
  | InsertStmt
  | UpdateStmt
  | DeleteStmt
  | BatchStmt
  | CreateTableStmt
  | CreateKeyspaceStmt
  | DropKeyspaceStmt
  | DropTableStmt
  | TruncateStmt
  | UseStmt;

export interface Parsed {
  stmt: Statement;
  /** Number of bind markers (? and :name), in order of appearance. */
  markers: number;
}

// ---------------------------------------------------------------------------------------------
// Parser

/** Words that cannot be used as unquoted identifiers (a subset of Cassandra's reserved keywords). */
const RESERVED = new Set([
  "add",
  "allow",
  "alter",
  "and",
  "apply",
  "asc",
  "authorize",
  "batch",
  "begin",
  "by",
  "columnfamily",
  "create",
  "delete",
  "desc",
  "describe",
  "drop",
  "entries",
  "execute",
  "from",
  "full",
  "grant",
  "if",
  "in",
  "index",
  "infinity",
  "insert",
  "into",
  "keyspace",
  "limit",
  "modify",
  "nan",
  "norecursive",
  "not",
  "null",
  "of",
  "on",
  "or",
  "order",
  "primary",
  "rename",
  "revoke",
  "schema",
  "select",
  "set",
  "table",
  "to",
  "token",
  "truncate",
  "unlogged",
  "update",
  "use",
  "using",
  "where",
  "with",
]);

export function parse(src: string): Parsed {
  const p = new Parser(src);
  const stmt = p.statement();
  p.end();
  return { stmt, markers: p.markers };
}

class Parser {
  private readonly all: Token[];
  /** Indexes into `all` of the visible tokens. */
  private readonly vis: number[];
  private pos = 0;
  markers = 0;

  constructor(src: string) {
    this.all = tokenize(src);
    this.vis = [];
    for (let i = 0; i < this.all.length; i++) if (!this.all[i].hidden) this.vis.push(i);
  }

  // --- token helpers ----------------------------------------------------------------------------

  private peek(k = 0): Token {
    const i = Math.min(this.pos + k, this.vis.length - 1);
    return this.all[this.vis[i]];
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.vis.length - 1) this.pos++;
    return t;
  }

  private isKw(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "ident" && t.value === word;
  }

  private acceptKw(word: string): boolean {
    if (this.isKw(word)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectKw(word: string): void {
    if (!this.acceptKw(word)) throw this.mismatch(`K_${word.toUpperCase()}`);
  }

  private isSym(s: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "symbol" && t.value === s;
  }

  private acceptSym(s: string): boolean {
    if (this.isSym(s)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectSym(s: string): void {
    if (!this.acceptSym(s)) throw this.mismatch(`'${s}'`);
  }

  end(): void {
    this.acceptSym(";");
    if (this.peek().kind !== "eof") throw this.mismatch("EOF");
  }

  // --- errors -----------------------------------------------------------------------------------

  /**
   * ANTLR's context: the ten tokens (hidden ones included) before `at`, `at` in brackets, the
   * tokens after it up to the offending one, then "...". A string literal shows as its quote.
   */
  private snippet(tok: Token, at: Token = tok): string {
    if (tok.kind === "eof") return "";
    const idx = this.all.indexOf(at);
    const end = this.all.indexOf(tok);
    const from = Math.max(0, idx - 10);
    let s = from > 0 ? "..." : "";
    for (let i = from; i < idx; i++) s += this.all[i].text;
    s += `[${at.kind === "string" ? "'" : at.text}]`;
    for (let i = idx + 1; i <= end; i++) s += this.all[i].text;
    if (end < this.all.length - 2 || tok.kind === "string") s += "...";
    return ` (${s})`;
  }

  private shown(tok: Token): string {
    return tok.kind === "string" ? tok.value : tok.text;
  }

  private where(tok: Token): string {
    return `line ${tok.line}:${tok.col}`;
  }

  mismatch(expected: string) {
    const tok = this.peek();
    return syntaxError(
      `${this.where(tok)} mismatched input '${this.shown(tok)}' expecting ${expected}${this.snippet(tok)}`,
    );
  }

  /** `at`: where the failed decision started (ANTLR brackets it), if before the offending token. */
  noViable(tok: Token = this.peek(), at: Token = tok) {
    return syntaxError(
      `${this.where(tok)} no viable alternative at input '${this.shown(tok)}'${this.snippet(tok, at)}`,
    );
  }

  // --- identifiers ------------------------------------------------------------------------------

  private ident(): Ident {
    const t = this.peek();
    if (t.kind === "qident") {
      this.pos++;
      return { name: t.value, text: t.text };
    }
    if (t.kind === "ident" && !RESERVED.has(t.value)) {
      this.pos++;
      return { name: t.value, text: t.text };
    }
    throw this.noViable(t);
  }

  private isIdentStart(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "qident" || (t.kind === "ident" && !RESERVED.has(t.value));
  }

  private qname(): QName {
    const first = this.ident();
    if (this.acceptSym(".")) return { keyspace: first, name: this.ident() };
    return { keyspace: null, name: first };
  }

  // --- terms ------------------------------------------------------------------------------------

  private term(): Term {
    const t = this.peek();
    switch (t.kind) {
      case "string":
        this.pos++;
        return { t: "lit", litType: "STRING", text: t.value, value: t.value };
      case "integer":
        this.pos++;
        return { t: "lit", litType: "INTEGER", text: t.text, value: t.text };
      case "float":
        this.pos++;
        return { t: "lit", litType: "FLOAT", text: t.text, value: t.text };
      case "marker":
        this.pos++;
        return { t: "bind", index: this.markers++, name: null };
      case "named":
        this.pos++;
        return { t: "bind", index: this.markers++, name: t.value };
      case "ident":
        if (t.value === "true" || t.value === "false") {
          this.pos++;
          return { t: "lit", litType: "BOOLEAN", text: t.value, value: t.value };
        }
        if (t.value === "null") {
          this.pos++;
          return { t: "lit", litType: "NULL", text: "null", value: "null" };
        }
        throw this.noViable(t);
      default:
        throw this.noViable(t);
    }
  }

  private termList(): Term[] {
    this.expectSym("(");
    const out: Term[] = [];
    if (this.acceptSym(")")) return out;
    do out.push(this.term());
    while (this.acceptSym(","));
    this.expectSym(")");
    return out;
  }

  // --- statements -------------------------------------------------------------------------------

  statement(): Statement {
    const t = this.peek();
    if (t.kind === "ident") {
      switch (t.value) {
        case "select":
          return this.select();
        case "insert":
          return this.insert();
        case "update":
          return this.update();
        case "delete":
          return this.delete();
        case "begin":
          return this.batch();
        case "create":
          return this.create();
        case "drop":
          return this.drop();
        case "truncate":
          return this.truncate();
        case "use":
          this.pos++;
          return { kind: "use", name: this.ident() };
      }
    }
    throw this.noViable(t);
  }

  private select(): SelectStmt {
    this.expectKw("select");
    const distinct = this.acceptKw("distinct");
    let selectors: Selector[] | null = null;
    if (!this.acceptSym("*")) {
      selectors = [];
      do selectors.push(this.selector());
      while (this.acceptSym(","));
    }
    this.expectKw("from");
    const table = this.qname();
    const where = this.acceptKw("where") ? this.whereClause() : [];
    const orderBy: OrderBy[] = [];
    if (this.acceptKw("order")) {
      this.expectKw("by");
      do {
        const col = this.ident();
        let desc = false;
        if (this.acceptKw("desc")) desc = true;
        else this.acceptKw("asc");
        orderBy.push({ col, desc });
      } while (this.acceptSym(","));
    }
    let limit: Term | null = null;
    if (this.acceptKw("limit")) {
      const t = this.peek();
      if (t.kind !== "integer" && t.kind !== "marker" && t.kind !== "named") throw this.noViable(t);
      limit = this.term();
    }
    let allowFiltering = false;
    if (this.acceptKw("allow")) {
      this.expectKw("filtering");
      allowFiltering = true;
    }
    return { kind: "select", distinct, selectors, table, where, orderBy, limit, allowFiltering };
  }

  private selector(): Selector {
    const t = this.peek();
    let sel: Selector;
    if (t.kind === "ident" && this.isSym("(", 1)) {
      const fn = t.value;
      this.pos += 2;
      if (fn === "count") {
        let arg: string;
        if (this.acceptSym("*")) arg = "*";
        else if (this.peek().kind === "integer") arg = this.next().text;
        else arg = this.ident().name;
        this.expectSym(")");
        sel = { kind: "count", arg, alias: null };
      } else if (fn === "writetime" || fn === "ttl") {
        const col = this.ident();
        this.expectSym(")");
        sel = { kind: fn, col, alias: null };
      } else if (fn === "token") {
        const cols: Ident[] = [];
        do cols.push(this.ident());
        while (this.acceptSym(","));
        this.expectSym(")");
        sel = { kind: "token", cols, alias: null };
      } else {
        throw syntaxError(`Unknown function '${fn}' (not supported by the simulator)`);
      }
    } else {
      sel = { kind: "col", col: this.ident(), alias: null };
    }
    if (this.acceptKw("as")) sel.alias = this.ident();
    return sel;
  }

  private whereClause(): Relation[] {
    const out: Relation[] = [];
    do out.push(this.relation());
    while (this.acceptKw("and"));
    return out;
  }

  private relation(): Relation {
    const startTok = this.peek();
    if (startTok.kind === "ident" && startTok.value === "token" && this.isSym("(", 1)) {
      throw syntaxError("token() restrictions are not supported by the simulator");
    }
    if (this.isSym("(")) throw syntaxError("multi-column relations are not supported by the simulator");
    const col = this.ident();
    const opTok = this.peek();
    let op: RelOp;
    if (opTok.kind === "symbol" && ["=", "<", "<=", ">", ">=", "!="].includes(opTok.value)) {
      this.pos++;
      op = opTok.value as RelOp;
    } else if (this.acceptKw("in")) {
      op = "IN";
    } else {
      throw this.noViable(opTok);
    }
    if (op === "IN") {
      if (this.peek().kind === "marker" || this.peek().kind === "named") {
        const m = this.term();
        return { col, op, value: null, values: null, inMarker: m, text: `${col.text} IN ?` };
      }
      const values = this.termList();
      return { col, op, value: null, values, inMarker: null, text: `${col.text} IN (...)` };
    }
    const valueTok = this.peek();
    const value = this.term();
    return { col, op, value, values: null, inMarker: null, text: `${col.text} ${op} ${valueTok.text}` };
  }

  private using(): Using {
    const u: Using = { timestamp: null, ttl: null };
    if (!this.acceptKw("using")) return u;
    do {
      if (this.acceptKw("timestamp")) u.timestamp = this.usingValue();
      else if (this.acceptKw("ttl")) u.ttl = this.usingValue();
      else throw this.noViable();
    } while (this.acceptKw("and"));
    return u;
  }

  private usingValue(): Term {
    const t = this.peek();
    if (t.kind !== "integer" && t.kind !== "marker" && t.kind !== "named") throw this.noViable(t);
    return this.term();
  }

  private insert(): InsertStmt {
    this.expectKw("insert");
    this.expectKw("into");
    const table = this.qname();
    if (this.isKw("json")) throw syntaxError("INSERT JSON is not supported by the simulator");
    this.expectSym("(");
    const columns: Ident[] = [];
    do columns.push(this.ident());
    while (this.acceptSym(","));
    this.expectSym(")");
    this.expectKw("values");
    const values = this.termList();
    let ifNotExists = false;
    if (this.acceptKw("if")) {
      this.expectKw("not");
      this.expectKw("exists");
      ifNotExists = true;
    }
    const using = this.using();
    return { kind: "insert", table, columns, values, ifNotExists, using };
  }

  private update(): UpdateStmt {
    this.expectKw("update");
    const table = this.qname();
    const using = this.using();
    this.expectKw("set");
    const assignments: Assignment[] = [];
    const seen = new Map<string, Assignment>();
    do {
      const a = this.assignment();
      if (seen.has(a.col.name)) throw syntaxError(MSG.multipleSetting(a.col.text));
      seen.set(a.col.name, a);
      assignments.push(a);
    } while (this.acceptSym(","));
    this.expectKw("where");
    const where = this.whereClause();
    const { ifExists, conditions } = this.conditions();
    return { kind: "update", table, using, assignments, where, ifExists, conditions };
  }

  private assignment(): Assignment {
    const col = this.ident();
    this.expectSym("=");
    // c = c + t | c = c - t | c = c -1 | c = t + c | c = t
    if (this.isIdentStart() && !this.isKw("true") && !this.isKw("false") && !this.isKw("null")) {
      const other = this.ident();
      const opTok = this.peek();
      if (other.name !== col.name && (this.isSym("+") || this.isSym("-")))
        throw syntaxError(MSG.onlyXeqXplus(opTok.value));
      if (this.acceptSym("+")) {
        const vt = this.peek();
        const value = this.term();
        return { col, op: "add", value, other, text: `${col.text} = ${other.text} + ${vt.text}` };
      }
      if (this.acceptSym("-")) {
        const vt = this.peek();
        const value = this.term();
        return { col, op: "sub", value, other, text: `${col.text} = ${other.text} - ${vt.text}` };
      }
      if (opTok.kind === "integer" && opTok.text.startsWith("-")) {
        this.pos++;
        const value: Term = {
          t: "lit",
          litType: "INTEGER",
          text: opTok.text.slice(1),
          value: opTok.text.slice(1),
        };
        return { col, op: "sub", value, other, text: `${col.text} = ${other.text} - ${opTok.text.slice(1)}` };
      }
      throw this.noViable(opTok);
    }
    const vt = this.peek();
    const value = this.term();
    if (this.acceptSym("+")) {
      const other = this.ident();
      return { col, op: "add", value, other, text: `${col.text} = ${vt.text} + ${other.text}` };
    }
    return { col, op: "set", value, other: null, text: `${col.text} = ${vt.text}` };
  }

  private conditions(): { ifExists: boolean; conditions: Condition[] } {
    if (!this.acceptKw("if")) return { ifExists: false, conditions: [] };
    const exists = this.peek();
    if (this.acceptKw("exists")) {
      // IF EXISTS AND ...: ANTLR fails the decision that started at EXISTS
      if (this.isKw("and")) throw this.noViable(this.peek(), exists);
      return { ifExists: true, conditions: [] };
    }
    const conditions: Condition[] = [];
    do conditions.push(this.relation());
    while (this.acceptKw("and"));
    return { ifExists: false, conditions };
  }

  private delete(): DeleteStmt {
    this.expectKw("delete");
    const columns: Ident[] = [];
    if (!this.isKw("from")) {
      do columns.push(this.ident());
      while (this.acceptSym(","));
    }
    this.expectKw("from");
    const table = this.qname();
    const using = this.using();
    this.expectKw("where");
    const where = this.whereClause();
    const { ifExists, conditions } = this.conditions();
    return { kind: "delete", columns, table, using, where, ifExists, conditions };
  }

  private batch(): BatchStmt {
    this.expectKw("begin");
    let logged = true;
    let counter = false;
    if (this.acceptKw("unlogged")) logged = false;
    else if (this.acceptKw("counter")) {
      logged = false;
      counter = true;
    }
    this.expectKw("batch");
    const using = this.using();
    const statements: ModificationStmt[] = [];
    for (;;) {
      if (this.isKw("apply")) break;
      if (this.isKw("insert")) statements.push(this.insert());
      else if (this.isKw("update")) statements.push(this.update());
      else if (this.isKw("delete")) statements.push(this.delete());
      else throw this.mismatch("K_APPLY");
      this.acceptSym(";");
    }
    this.expectKw("apply");
    this.expectKw("batch");
    return { kind: "batch", logged, counter, using, statements };
  }

  private ifNotExists(): boolean {
    if (this.acceptKw("if")) {
      this.expectKw("not");
      this.expectKw("exists");
      return true;
    }
    return false;
  }

  private ifExists(): boolean {
    if (this.acceptKw("if")) {
      this.expectKw("exists");
      return true;
    }
    return false;
  }

  private create(): Statement {
    this.expectKw("create");
    if (this.acceptKw("keyspace") || this.acceptKw("schema")) {
      const ifNotExists = this.ifNotExists();
      const name = this.ident();
      this.expectKw("with");
      const props = this.properties();
      return { kind: "create_keyspace", ifNotExists, name, props };
    }
    if (this.acceptKw("table") || this.acceptKw("columnfamily")) return this.createTable();
    throw this.noViable();
  }

  private createTable(): CreateTableStmt {
    const ifNotExists = this.ifNotExists();
    const table = this.qname();
    this.expectSym("(");
    const columns: ColumnDecl[] = [];
    const primaryKeys: CreateTableStmt["primaryKeys"] = [];
    do {
      if (this.isKw("primary")) {
        this.pos++;
        this.expectKw("key");
        this.expectSym("(");
        const partition: Ident[] = [];
        if (this.acceptSym("(")) {
          do partition.push(this.ident());
          while (this.acceptSym(","));
          this.expectSym(")");
        } else {
          partition.push(this.ident());
        }
        const clustering: Ident[] = [];
        while (this.acceptSym(",")) clustering.push(this.ident());
        this.expectSym(")");
        primaryKeys.push({ partition, clustering });
        continue;
      }
      const name = this.ident();
      const type = this.typeName();
      let isStatic = false;
      let primaryKey = false;
      if (this.acceptKw("static")) isStatic = true;
      if (this.acceptKw("primary")) {
        this.expectKw("key");
        primaryKey = true;
        primaryKeys.push({ partition: [name], clustering: [] });
      }
      columns.push({ name, type, isStatic, primaryKey });
    } while (this.acceptSym(","));
    this.expectSym(")");
    const clusteringOrder: OrderBy[] = [];
    let props = new Map<string, PropValue>();
    if (this.acceptKw("with")) {
      do {
        if (this.acceptKw("clustering")) {
          this.expectKw("order");
          this.expectKw("by");
          this.expectSym("(");
          do {
            const col = this.ident();
            let desc = false;
            if (this.acceptKw("desc")) desc = true;
            else if (!this.acceptKw("asc")) throw this.noViable();
            clusteringOrder.push({ col, desc });
          } while (this.acceptSym(","));
          this.expectSym(")");
        } else if (this.acceptKw("compact")) {
          this.expectKw("storage");
          throw syntaxError("COMPACT STORAGE is not supported by the simulator");
        } else {
          props = this.property(props);
        }
      } while (this.acceptKw("and"));
    }
    return { kind: "create_table", ifNotExists, table, columns, primaryKeys, clusteringOrder, props };
  }

  private typeName(): string {
    const t = this.peek();
    if (t.kind !== "ident" && t.kind !== "qident") throw this.noViable(t);
    this.pos++;
    let name = t.value;
    if (this.isSym("<")) {
      // collections and frozen<...>: consume to report a clear unsupported-type error later
      let depth = 0;
      do {
        const x = this.next();
        if (x.kind === "eof") throw this.noViable(x);
        if (x.value === "<") depth++;
        else if (x.value === ">") depth--;
        name += x.text;
      } while (depth > 0);
    }
    return name;
  }

  private properties(): Map<string, PropValue> {
    let props = new Map<string, PropValue>();
    do props = this.property(props);
    while (this.acceptKw("and"));
    return props;
  }

  private property(props: Map<string, PropValue>): Map<string, PropValue> {
    const key = this.ident().name;
    this.expectSym("=");
    const t = this.peek();
    let value: PropValue;
    if (this.acceptSym("{")) {
      const map = new Map<string, string>();
      if (!this.acceptSym("}")) {
        do {
          const k = this.next();
          if (k.kind !== "string" && k.kind !== "ident") throw this.noViable(k);
          this.expectSym(":");
          const v = this.next();
          if (v.kind !== "string" && v.kind !== "integer" && v.kind !== "float" && v.kind !== "ident")
            throw this.noViable(v);
          map.set(k.value, v.kind === "string" ? v.value : v.text);
        } while (this.acceptSym(","));
        this.expectSym("}");
      }
      value = { kind: "map", map };
    } else if (t.kind === "string") {
      this.pos++;
      value = { kind: "string", value: t.value };
    } else if (t.kind === "integer" || t.kind === "float") {
      this.pos++;
      value = { kind: "number", value: t.text };
    } else if (t.kind === "ident") {
      this.pos++;
      value =
        t.value === "true" || t.value === "false"
          ? { kind: "bool", value: t.value }
          : { kind: "ident", value: t.value };
    } else {
      throw this.noViable(t);
    }
    props.set(key, value);
    return props;
  }

  private drop(): Statement {
    this.expectKw("drop");
    if (this.acceptKw("keyspace") || this.acceptKw("schema")) {
      const ifExists = this.ifExists();
      return { kind: "drop_keyspace", ifExists, name: this.ident() };
    }
    if (this.acceptKw("table") || this.acceptKw("columnfamily")) {
      const ifExists = this.ifExists();
      return { kind: "drop_table", ifExists, table: this.qname() };
    }
    throw this.noViable();
  }

  private truncate(): TruncateStmt {
    this.expectKw("truncate");
    this.acceptKw("table") || this.acceptKw("columnfamily");
    return { kind: "truncate", table: this.qname() };
  }
}

/** Quotes an identifier the way Cassandra prints it (ColumnIdentifier.maybeQuote). */
export function maybeQuote(name: string): string {
  if (/^[a-z][a-z0-9_]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}
