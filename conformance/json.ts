/** Values and errors as JSON, the same way for every side (bigint as "123n", as the Scylla goldens do). */
import type { Json } from "./types.ts";

export function jsonValue(v: unknown): Json {
  if (typeof v === "bigint") return `${v}n`;
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v !== null && typeof v === "object") {
    const o: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = jsonValue(x);
    return o;
  }
  return v as Json;
}

/**
 * An error as a transcript shows it: kafkajs's and cassandra-driver's identifying fields
 * (`name`, `type`, `code`, `retriable`, the errors of an aggregate) and the message.
 */
export function errorJson(e: unknown): { name: string; message: string; [k: string]: Json } {
  const err = (e ?? {}) as {
    name?: unknown;
    message?: unknown;
    type?: unknown;
    code?: unknown;
    retriable?: unknown;
    errors?: unknown;
  };
  const out: { name: string; message: string; [k: string]: Json } = {
    name: String(err.name ?? typeof e),
    message: String(err.message ?? e),
  };
  if (typeof err.type === "string") out.type = err.type;
  if (typeof err.code === "number" || typeof err.code === "string") out.code = err.code;
  if (typeof err.retriable === "boolean") out.retriable = err.retriable;
  if (Array.isArray(err.errors)) out.errors = err.errors.map((x) => errorJson(x));
  return out;
}
