/**
 * The store port: the subset of cassandra-driver's Client the engine uses, same names and
 * shapes. Values: CQL bigint/counter as native `bigint` (the real adapter sets
 * `encoding.useBigIntAsLong`), int as number, text as string, boolean as boolean. The engine
 * stores times as bigint epoch milliseconds, never as `timestamp`, so no Date crosses the port.
 */
export type CqlValue = string | number | bigint | boolean | null;

export type Row = Record<string, CqlValue>;

export interface ResultSet {
  rows: Row[];
  rowLength: number;
  columns: Array<{ name: string }> | null;
  first(): Row | null;
  /** For conditional statements: the `[applied]` column; true for plain ones. */
  wasApplied(): boolean;
}

export interface QueryOptions {
  prepare?: boolean;
  /** Write timestamp in microseconds (like `USING TIMESTAMP`). */
  timestamp?: number | bigint;
  /** Only for batches: false = UNLOGGED. */
  logged?: boolean;
}

export interface BatchStatement {
  query: string;
  params?: CqlValue[];
}

export interface Store {
  connect(): Promise<void>;
  execute(query: string, params?: CqlValue[], options?: QueryOptions): Promise<ResultSet>;
  batch(queries: BatchStatement[], options?: QueryOptions): Promise<ResultSet>;
  shutdown(): Promise<void>;
}

/**
 * Errors the engine can branch on, named like cassandra-driver's `errors.*` classes. Adapters
 * translate driver errors into these shapes (same `name`), so engine code is adapter-agnostic.
 */
export interface StoreError extends Error {
  name: "ResponseError" | "OperationTimedOutError" | "NoHostAvailableError" | "ArgumentError";
  /** cassandra-driver's `types.responseErrorCodes` value for ResponseError. */
  code?: number;
}
