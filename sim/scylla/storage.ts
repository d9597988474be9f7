/**
 * Storage: per table, partitions in a Map keyed by the serialised partition key; per partition,
 * clustering rows in a sorted chunked list (O(log n) lookup and insert, O(1) append or prepend
 * when keys arrive in clustering order). Cells carry their write timestamp; every write is merged
 * last-write-wins, ties broken as Cassandra does (a tombstone beats a live cell, then the greater
 * serialised value wins). Deletions are tombstones at partition, range and row level; data they
 * shadow is purged at once (they never expire here: no gc_grace, no compaction).
 */
import type { TableDef } from "./schema.ts";
import {
  compareBytes,
  compareValues,
  keyString,
  murmur3Token,
  partitionKeyBytes,
  type Value,
} from "./types.ts";

export const NO_TS = Number.NEGATIVE_INFINITY;

/** The value of a cell tombstone. */
export const TOMB: unique symbol = Symbol("tombstone");
export type CellValue = Value | typeof TOMB;

/**
 * A clustering row. Cells are kept column-wise, by regular column position: `ts[i]` is the
 * write timestamp of cell i (NO_TS: no cell), `vals[i]` its value or TOMB.
 */
export interface StoredRow {
  ck: Value[];
  /** Row marker (primary key liveness) written by INSERT; NO_TS if none. */
  marker: number;
  /** Row tombstone; NO_TS if none. */
  del: number;
  vals: Array<CellValue | undefined>;
  ts: number[];
}

function newRow(ck: Value[], n: number): StoredRow {
  const ts = new Array<number>(n);
  for (let i = 0; i < n; i++) ts[i] = NO_TS;
  return { ck, marker: NO_TS, del: NO_TS, vals: new Array<CellValue | undefined>(n), ts };
}

/** The visible value of cell `i` under deletion time `d` (null if none). */
export function cellValue(row: StoredRow, i: number, d: number): Value {
  if (row.ts[i] <= d) return null;
  const v = row.vals[i];
  return v === TOMB || v === undefined ? null : v;
}

/** A clustering bound in clustering order: a prefix of clustering values and whether it is included. */
export interface Bound {
  values: Value[];
  inclusive: boolean;
}

export interface RangeTombstone {
  start: Bound;
  end: Bound;
  ts: number;
}

export interface Partition {
  key: string;
  pk: Value[];
  /** Partition tombstone; NO_TS if none. */
  del: number;
  rows: SortedRows;
  ranges: RangeTombstone[] | null;
  token: bigint | null;
}

export type Compare = (a: Value[], b: Value[]) => number;

/** Clustering comparator of a table (clustering order, DESC columns reversed). */
export function clusteringComparator(def: TableDef): { full: Compare; prefix: Compare } {
  const types = def.clustering.map((c) => c.type);
  const desc = def.desc;
  const n = types.length;
  if (n === 0) {
    const zero = () => 0;
    return { full: zero, prefix: zero };
  }
  if (n === 1 && (types[0] === "bigint" || types[0] === "int" || types[0] === "timestamp")) {
    const sign = desc[0] ? -1 : 1;
    const full = (a: Value[], b: Value[]) => {
      const x = a[0]!;
      const y = b[0]!;
      return x < y ? -sign : x > y ? sign : 0;
    };
    const prefix = (a: Value[], b: Value[]) => (b.length === 0 ? 0 : full(a, b));
    return { full, prefix };
  }
  const prefix = (a: Value[], b: Value[]) => {
    const m = Math.min(b.length, a.length);
    for (let i = 0; i < m; i++) {
      const c = compareValues(types[i], a[i], b[i]);
      if (c !== 0) return desc[i] ? -c : c;
    }
    return 0;
  };
  return { full: prefix, prefix };
}

const CHUNK = 128;
const HEAD_CHUNK = 16;

/**
 * Rows sorted by clustering key, in chunks of at most CHUNK rows. When `flipped`, rows are kept
 * physically in reverse clustering order, so that a table whose first clustering column is DESC
 * (newest first, keys arriving in increasing order) appends instead of prepending.
 */
export class SortedRows {
  private chunks: StoredRow[][] = [];
  size = 0;
  /** The physical order's comparator. */
  private readonly cmp: Compare;
  private readonly flipped: boolean;

  constructor(cmp: Compare, flipped = false) {
    this.cmp = flipped ? (a, b) => cmp(b, a) : cmp;
    this.flipped = flipped;
  }

  private physFirst(): StoredRow | undefined {
    return this.chunks.length === 0 ? undefined : this.chunks[0][0];
  }

  private physLast(): StoredRow | undefined {
    const c = this.chunks[this.chunks.length - 1];
    return c === undefined ? undefined : c[c.length - 1];
  }

  /** The first row in clustering order. */
  first(): StoredRow | undefined {
    return this.flipped ? this.physLast() : this.physFirst();
  }

  /** The last row in clustering order. */
  last(): StoredRow | undefined {
    return this.flipped ? this.physFirst() : this.physLast();
  }

  /** Index of the first chunk whose last row is >= ck (chunks.length if none). */
  private chunkFor(ck: Value[]): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid];
      if (this.cmp(c[c.length - 1].ck, ck) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexIn(chunk: StoredRow[], ck: Value[]): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(chunk[mid].ck, ck) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(ck: Value[]): StoredRow | undefined {
    const c = this.chunkFor(ck);
    if (c === this.chunks.length) return undefined;
    const chunk = this.chunks[c];
    const i = this.indexIn(chunk, ck);
    const row = chunk[i];
    return row !== undefined && this.cmp(row.ck, ck) === 0 ? row : undefined;
  }

  getOrCreate(ck: Value[], nRegular: number): StoredRow {
    const chunks = this.chunks;
    const nc = chunks.length;
    if (nc === 0) {
      const row = newRow(ck, nRegular);
      this.size++;
      chunks.push([row]);
      return row;
    }
    // fast paths: prepend before the first row, append after the last
    const firstChunk = chunks[0];
    const cf = this.cmp(ck, firstChunk[0].ck);
    if (cf <= 0) {
      if (cf === 0) return firstChunk[0];
      const row = newRow(ck, nRegular);
      this.size++;
      // prepending shifts the chunk: keep head chunks short (DESC tables prepend on every append)
      if (firstChunk.length >= HEAD_CHUNK) chunks.unshift([row]);
      else firstChunk.unshift(row);
      return row;
    }
    const lastChunk = chunks[nc - 1];
    const cl = this.cmp(ck, lastChunk[lastChunk.length - 1].ck);
    if (cl >= 0) {
      if (cl === 0) return lastChunk[lastChunk.length - 1];
      const row = newRow(ck, nRegular);
      this.size++;
      if (lastChunk.length >= CHUNK) chunks.push([row]);
      else lastChunk.push(row);
      return row;
    }
    const c = this.chunkFor(ck);
    const chunk = chunks[c];
    const i = this.indexIn(chunk, ck);
    const found = chunk[i];
    if (found !== undefined && this.cmp(found.ck, ck) === 0) return found;
    const row = newRow(ck, nRegular);
    this.size++;
    chunk.splice(i, 0, row);
    if (chunk.length > CHUNK) chunks.splice(c + 1, 0, chunk.splice(chunk.length >> 1));
    return row;
  }

  /** Keeps only the rows for which `keep` is true (used by purges). */
  retain(keep: (row: StoredRow) => boolean): void {
    const out: StoredRow[][] = [];
    let size = 0;
    for (const chunk of this.chunks) {
      const kept = chunk.filter(keep);
      if (kept.length > 0) {
        out.push(kept);
        size += kept.length;
      }
    }
    this.chunks = out;
    this.size = size;
  }

  /**
   * Visits the rows between two bounds in clustering order (or reversed). `afterStart` and
   * `beforeEnd` must be monotone over the clustering order. `visit` returns false to stop.
   * Returns false if stopped.
   */
  range(
    afterStart: ((row: StoredRow) => boolean) | null,
    beforeEnd: ((row: StoredRow) => boolean) | null,
    reverse: boolean,
    visit: (row: StoredRow) => boolean,
  ): boolean {
    // in reversed physical order the start predicate bounds the end, and the walk turns around
    if (this.flipped) return this.physRange(beforeEnd, afterStart, !reverse, visit);
    return this.physRange(afterStart, beforeEnd, reverse, visit);
  }

  private physRange(
    afterStart: ((row: StoredRow) => boolean) | null,
    beforeEnd: ((row: StoredRow) => boolean) | null,
    reverse: boolean,
    visit: (row: StoredRow) => boolean,
  ): boolean {
    const chunks = this.chunks;
    const nc = chunks.length;
    if (nc === 0) return true;
    if (!reverse) {
      // first row with afterStart true
      let c = 0;
      let i = 0;
      if (afterStart !== null) {
        let lo = 0;
        let hi = nc;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          const ch = chunks[mid];
          if (!afterStart(ch[ch.length - 1])) lo = mid + 1;
          else hi = mid;
        }
        c = lo;
        if (c === nc) return true;
        const ch = chunks[c];
        lo = 0;
        hi = ch.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (!afterStart(ch[mid])) lo = mid + 1;
          else hi = mid;
        }
        i = lo;
      }
      for (; c < nc; c++, i = 0) {
        const ch = chunks[c];
        for (; i < ch.length; i++) {
          const row = ch[i];
          if (beforeEnd !== null && !beforeEnd(row)) return true;
          if (!visit(row)) return false;
        }
      }
      return true;
    }
    // reverse: last row with beforeEnd true
    let c = nc - 1;
    let i = chunks[c].length - 1;
    if (beforeEnd !== null) {
      // first chunk whose first row is past the end
      let lo = 0;
      let hi = nc;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (beforeEnd(chunks[mid][0])) lo = mid + 1;
        else hi = mid;
      }
      c = lo - 1;
      if (c < 0) return true;
      const ch = chunks[c];
      lo = 0;
      hi = ch.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (beforeEnd(ch[mid])) lo = mid + 1;
        else hi = mid;
      }
      i = lo - 1;
    }
    for (; c >= 0; c--, i = c >= 0 ? chunks[c].length - 1 : 0) {
      const ch = chunks[c];
      for (; i >= 0; i--) {
        const row = ch[i];
        if (afterStart !== null && !afterStart(row)) return true;
        if (!visit(row)) return false;
      }
    }
    return true;
  }
}

/** One table's data. */
export class TableData {
  readonly def: TableDef;
  readonly parts = new Map<string, Partition>();
  readonly cmp: Compare;
  readonly prefixCmp: Compare;
  private tokenOrder: Partition[] | null = null;
  private readonly single: boolean;
  /** Keep rows physically reversed (first clustering column DESC: appends in key order stay appends). */
  private readonly flipRows: boolean;

  constructor(def: TableDef) {
    this.def = def;
    const c = clusteringComparator(def);
    this.cmp = c.full;
    this.prefixCmp = c.prefix;
    this.single = def.partitionKey.length === 1;
    this.flipRows = def.desc.length > 0 && def.desc[0];
  }

  keyOf(pk: readonly Value[]): string {
    const cols = this.def.partitionKey;
    if (this.single) return keyString(cols[0].type, pk[0]);
    let s = keyString(cols[0].type, pk[0]);
    for (let i = 1; i < cols.length; i++) s += `|${keyString(cols[i].type, pk[i])}`;
    return s;
  }

  get(key: string): Partition | undefined {
    return this.parts.get(key);
  }

  getOrCreate(key: string, pk: Value[]): Partition {
    let p = this.parts.get(key);
    if (p === undefined) {
      p = { key, pk, del: NO_TS, rows: new SortedRows(this.cmp, this.flipRows), ranges: null, token: null };
      this.parts.set(key, p);
      this.tokenOrder = null;
    }
    return p;
  }

  token(p: Partition): bigint {
    if (p.token === null) {
      p.token = murmur3Token(
        partitionKeyBytes(
          this.def.partitionKey.map((c) => c.type),
          p.pk,
        ),
      );
    }
    return p.token;
  }

  /** Partitions in token order (the order of a full scan on a Murmur3 cluster). */
  scan(): Partition[] {
    if (this.tokenOrder === null) {
      const all = [...this.parts.values()];
      for (const p of all) this.token(p);
      const types = this.def.partitionKey.map((c) => c.type);
      all.sort((a, b) => {
        const ta = a.token!;
        const tb = b.token!;
        if (ta !== tb) return ta < tb ? -1 : 1;
        for (let i = 0; i < types.length; i++) {
          const c = compareBytes(types[i], a.pk[i], b.pk[i]);
          if (c !== 0) return c;
        }
        return 0;
      });
      this.tokenOrder = all;
    }
    return this.tokenOrder;
  }

  truncate(): void {
    this.parts.clear();
    this.tokenOrder = null;
  }

  // --- reads ------------------------------------------------------------------------------------

  /** The deletion time shadowing a row: partition, range and row tombstones. */
  rowDeletion(p: Partition, row: StoredRow): number {
    let d = p.del;
    if (row.del > d) d = row.del;
    const ranges = p.ranges;
    if (ranges !== null) {
      for (const rt of ranges) if (rt.ts > d && this.inRange(row.ck, rt.start, rt.end)) d = rt.ts;
    }
    return d;
  }

  isLive(row: StoredRow, d: number): boolean {
    if (row.marker > d) return true;
    const ts = row.ts;
    const vals = row.vals;
    for (let i = 0; i < ts.length; i++) if (ts[i] > d && vals[i] !== TOMB) return true;
    return false;
  }

  afterStart(ck: Value[], b: Bound): boolean {
    if (b.values.length === 0) return true;
    const c = this.prefixCmp(ck, b.values);
    return c > 0 || (c === 0 && b.inclusive);
  }

  beforeEnd(ck: Value[], b: Bound): boolean {
    if (b.values.length === 0) return true;
    const c = this.prefixCmp(ck, b.values);
    return c < 0 || (c === 0 && b.inclusive);
  }

  inRange(ck: Value[], start: Bound, end: Bound): boolean {
    return this.afterStart(ck, start) && this.beforeEnd(ck, end);
  }

  // --- writes -----------------------------------------------------------------------------------

  /** Writes one row: marker (INSERT) and cells (value or TOMB) of columns `idx`, last-write-wins. */
  writeRow(
    p: Partition,
    ck: Value[],
    ts: number,
    marker: boolean,
    idx: readonly number[],
    vals: readonly CellValue[],
  ): void {
    if (ts <= p.del) return;
    const row = p.rows.getOrCreate(ck, this.def.regular.length);
    const d = p.ranges === null ? row.del : this.rowDeletion(p, row);
    if (ts <= d) return;
    if (marker && ts > row.marker) row.marker = ts;
    const rts = row.ts;
    const rvals = row.vals;
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j];
      const v = vals[j];
      const cur = rts[i];
      if (ts > cur) {
        rts[i] = ts;
        rvals[i] = v;
      } else if (ts === cur) {
        // tie: a tombstone wins; between live cells, the greater serialised value wins
        const old = rvals[i];
        if (old !== TOMB && (v === TOMB || compareBytes(this.def.regular[i].type, v, old as Value) > 0))
          rvals[i] = v;
      }
    }
  }

  /** Adds to counter cells (counters are not last-write-wins: increments add up). */
  addCounters(
    p: Partition,
    ck: Value[],
    ts: number,
    idx: readonly number[],
    deltas: readonly bigint[],
  ): void {
    const row = p.rows.getOrCreate(ck, this.def.regular.length);
    const d = this.rowDeletion(p, row);
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j];
      const base = cellValue(row, i, d);
      row.vals[i] = BigInt.asIntN(64, ((base as bigint | null) ?? 0n) + deltas[j]);
      const t = Math.max(ts, row.ts[i] + 1, d + 1);
      row.ts[i] = t;
    }
  }

  deleteRow(p: Partition, ck: Value[], ts: number): void {
    if (ts <= p.del) return;
    const row = p.rows.getOrCreate(ck, this.def.regular.length);
    if (ts > row.del) {
      row.del = ts;
      purgeRow(row, ts);
    }
  }

  deletePartition(p: Partition, ts: number): void {
    if (ts <= p.del) return;
    p.del = ts;
    p.rows.retain((row) => {
      purgeRow(row, ts);
      return row.del > ts || hasContent(row);
    });
    if (p.ranges !== null) {
      p.ranges = p.ranges.filter((rt) => rt.ts > ts);
      if (p.ranges.length === 0) p.ranges = null;
    }
  }

  deleteRange(p: Partition, start: Bound, end: Bound, ts: number): void {
    if (ts <= p.del) return;
    if (p.ranges === null) p.ranges = [];
    p.ranges.push({ start, end, ts });
    p.rows.retain((row) => {
      if (!this.inRange(row.ck, start, end)) return true;
      purgeRow(row, ts);
      return row.del > ts || hasContent(row);
    });
  }
}

/** Drops what a deletion at `ts` shadows in a row (the tombstone itself is kept elsewhere). */
function purgeRow(row: StoredRow, ts: number): void {
  if (row.marker <= ts) row.marker = NO_TS;
  const rts = row.ts;
  for (let i = 0; i < rts.length; i++) {
    if (rts[i] !== NO_TS && rts[i] <= ts) {
      rts[i] = NO_TS;
      row.vals[i] = undefined;
    }
  }
}

function hasContent(row: StoredRow): boolean {
  if (row.marker !== NO_TS) return true;
  for (const t of row.ts) if (t !== NO_TS) return true;
  return false;
}
