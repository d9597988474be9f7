/**
 * A minimal Store over cassandra-driver for the conformance runs (test-only; the engine's real
 * adapter lives in engine/). Same options as the real mode: native protocol v4, bigint as JS
 * bigint. Rows become plain records; timestamps become bigint epoch ms (like the port says);
 * driver-side encoding errors (TypeError, RangeError, SyntaxError) are renamed ArgumentError, as
 * the simulator names them.
 */
import cassandra from "cassandra-driver";
import type {
  BatchStatement,
  CqlValue,
  QueryOptions,
  ResultSet,
  Row,
  Store,
} from "../../engine/ports/store.ts";

function plainRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const k of Object.keys(r)) {
    const v = r[k];
    out[k] = v instanceof Date ? BigInt(v.getTime()) : (v as CqlValue);
  }
  return out;
}

function wrap(rs: cassandra.types.ResultSet): ResultSet {
  const rows = (rs.rows ?? []).map((r) => plainRow(r as unknown as Record<string, unknown>));
  const columns = rs.columns ? rs.columns.map((c) => ({ name: c.name })) : null;
  return {
    rows,
    rowLength: rows.length,
    columns,
    first: () => rows[0] ?? null,
    wasApplied: () => rs.wasApplied(),
  };
}

function mapError(e: unknown): unknown {
  if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) {
    const err = new Error(e.message) as Error & { driverErrorName: string };
    err.name = "ArgumentError";
    err.driverErrorName = e.name;
    return err;
  }
  return e;
}

export function realStore(contactPoint: string, keyspace?: string): Store & { client: cassandra.Client } {
  const client = new cassandra.Client({
    contactPoints: [contactPoint],
    localDataCenter: "datacenter1",
    keyspace,
    protocolOptions: { maxVersion: 4 },
    encoding: { useBigIntAsLong: true },
  });
  return {
    client,
    connect: () => client.connect(),
    execute: async (query: string, params?: CqlValue[], options?: QueryOptions) => {
      try {
        return wrap(await client.execute(query, params as unknown[], options as cassandra.QueryOptions));
      } catch (e) {
        throw mapError(e);
      }
    },
    batch: async (queries: BatchStatement[], options?: QueryOptions) => {
      try {
        return wrap(
          await client.batch(
            queries.map((q) => ({ query: q.query, params: q.params as unknown[] })),
            options as cassandra.QueryOptions,
          ),
        );
      } catch (e) {
        throw mapError(e);
      }
    },
    shutdown: () => client.shutdown(),
  };
}
