/**
 * Logger ports for real mode: one that prints (`consoleLogger`, for `tradesim serve`), one that
 * collects and counts (`collectingLogger`, for runs: warnings are kept for the report and printed
 * only when asked).
 */
import type { Logger } from "../../ports/index.ts";

export type Level = "info" | "warn" | "error";
const RANK: Record<Level, number> = { info: 0, warn: 1, error: 2 };

function fieldsText(fields?: Record<string, unknown>): string {
  if (fields === undefined || Object.keys(fields).length === 0) return "";
  try {
    return ` ${JSON.stringify(fields, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Error ? v.message : v))}`;
  } catch {
    return " [unserialisable fields]";
  }
}

/** Lines `2026-01-01T00:00:00.000Z name level msg {fields}` to stderr (or `write`), from `min` up. */
export function consoleLogger(
  name: string,
  opts: { min?: Level; write?: (line: string) => void } = {},
): Logger {
  const min = RANK[opts.min ?? "info"];
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const line = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] >= min) write(`${new Date().toISOString()} ${name} ${level} ${msg}${fieldsText(fields)}`);
  };
  return {
    info: (msg, fields) => line("info", msg, fields),
    warn: (msg, fields) => line("warn", msg, fields),
    error: (msg, fields) => line("error", msg, fields),
  };
}

export interface LogLine {
  at: number;
  source: string;
  level: Level;
  text: string;
}

/** Keeps the last `keep` warnings and errors of every source, counts all, and echoes if asked. */
export class LogCollector {
  readonly counts: Record<Level, number> = { info: 0, warn: 0, error: 0 };
  readonly lines: LogLine[] = [];
  private readonly keep: number;
  private readonly echo: ((line: string) => void) | null;
  private readonly echoMin: number;

  constructor(opts: { keep?: number; echo?: (line: string) => void; echoMin?: Level } = {}) {
    this.keep = opts.keep ?? 200;
    this.echo = opts.echo ?? null;
    this.echoMin = RANK[opts.echoMin ?? "warn"];
  }

  logger(source: string): Logger {
    const add = (level: Level, msg: string, fields?: Record<string, unknown>) => {
      this.counts[level]++;
      const text = `${msg}${fieldsText(fields)}`;
      if (level !== "info") {
        this.lines.push({ at: Date.now(), source, level, text });
        if (this.lines.length > this.keep) this.lines.shift();
      }
      if (this.echo !== null && RANK[level] >= this.echoMin)
        this.echo(`${new Date().toISOString()} ${source} ${level} ${text}`);
    };
    return {
      info: (msg, fields) => add("info", msg, fields),
      warn: (msg, fields) => add("warn", msg, fields),
      error: (msg, fields) => add("error", msg, fields),
    };
  }
}
