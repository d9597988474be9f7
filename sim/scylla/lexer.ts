/**
 * CQL lexer. Produces every token, whitespace and comments included (as `hidden`), because
 * Cassandra's syntax errors quote the ten tokens before the offending one, hidden ones counted.
 */
import { syntaxError } from "./errors.ts";

export type TokenKind =
  | "ident" // unquoted identifier or keyword (case-insensitive)
  | "qident" // "quoted identifier"
  | "string" // 'text' or $$text$$
  | "integer"
  | "float"
  | "marker" // ?
  | "named" // :name
  | "symbol"
  | "ws"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** Value: lowercased identifier, unescaped string, symbol text. */
  value: string;
  start: number;
  end: number;
  line: number;
  col: number;
  hidden: boolean;
}

const SYMBOLS2 = new Set(["<=", ">=", "!=", "=="]);
const SYMBOLS1 = new Set([
  "(",
  ")",
  ",",
  ";",
  ".",
  "*",
  "=",
  "<",
  ">",
  "?",
  "{",
  "}",
  "[",
  "]",
  "+",
  "-",
  ":",
]);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = src.length;
  const push = (kind: TokenKind, start: number, value: string, hidden = false) => {
    out.push({ kind, text: src.slice(start, i), value, start, end: i, line, col: start - lineStart, hidden });
  };
  while (i < n) {
    const start = i;
    const c = src.charCodeAt(i);
    // whitespace (one hidden token per run), newlines tracked for line numbers
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      const tokLine = line;
      const tokCol = start - lineStart;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d === 10) {
          i++;
          line++;
          lineStart = i;
        } else if (d === 32 || d === 9 || d === 13) i++;
        else break;
      }
      out.push({
        kind: "ws",
        text: src.slice(start, i),
        value: "",
        start,
        end: i,
        line: tokLine,
        col: tokCol,
        hidden: true,
      });
      continue;
    }
    // comments
    if ((c === 45 && src.charCodeAt(i + 1) === 45) || (c === 47 && src.charCodeAt(i + 1) === 47)) {
      while (i < n && src.charCodeAt(i) !== 10) i++;
      push("ws", start, "", true);
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const close = src.indexOf("*/", i + 2);
      const stop = close < 0 ? n : close + 2;
      for (let j = i; j < stop; j++) {
        if (src.charCodeAt(j) === 10) {
          line++;
          lineStart = j + 1;
        }
      }
      i = stop;
      push("ws", start, "", true);
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      push("ident", start, src.slice(start, i).toLowerCase());
      continue;
    }
    if (c === 34) {
      // "quoted identifier", "" escapes a quote
      let v = "";
      i++;
      for (;;) {
        if (i >= n) throw lexError(src, start, line, start - lineStart);
        const d = src.charCodeAt(i);
        if (d === 34) {
          if (src.charCodeAt(i + 1) === 34) {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i];
        i++;
      }
      push("qident", start, v);
      continue;
    }
    if (c === 39) {
      let v = "";
      i++;
      for (;;) {
        if (i >= n) throw lexError(src, start, line, start - lineStart);
        const d = src.charCodeAt(i);
        if (d === 39) {
          if (src.charCodeAt(i + 1) === 39) {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === 10) {
          line++;
          lineStart = i + 1;
        }
        v += src[i];
        i++;
      }
      push("string", start, v);
      continue;
    }
    if (c === 36 && src.charCodeAt(i + 1) === 36) {
      const close = src.indexOf("$$", i + 2);
      if (close < 0) throw lexError(src, start, line, start - lineStart);
      const v = src.slice(i + 2, close);
      i = close + 2;
      push("string", start, v);
      continue;
    }
    const negNumber = c === 45 && isDigit(src.charCodeAt(i + 1));
    if (isDigit(c) || negNumber) {
      i++;
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      let kind: TokenKind = "integer";
      if (src.charCodeAt(i) === 46 && isDigit(src.charCodeAt(i + 1))) {
        kind = "float";
        i++;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
      }
      const e = src.charCodeAt(i);
      if (e === 69 || e === 101) {
        let j = i + 1;
        if (src.charCodeAt(j) === 43 || src.charCodeAt(j) === 45) j++;
        if (isDigit(src.charCodeAt(j))) {
          kind = "float";
          i = j;
          while (i < n && isDigit(src.charCodeAt(i))) i++;
        }
      }
      push(kind, start, src.slice(start, i));
      continue;
    }
    if (c === 58 && isIdentStart(src.charCodeAt(i + 1))) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      push("named", start, src.slice(start + 1, i).toLowerCase());
      continue;
    }
    if (c === 63) {
      i++;
      push("marker", start, "?");
      continue;
    }
    const two = src.slice(i, i + 2);
    if (SYMBOLS2.has(two)) {
      i += 2;
      push("symbol", start, two);
      continue;
    }
    if (SYMBOLS1.has(src[i])) {
      i++;
      push("symbol", start, src[start]);
      continue;
    }
    throw lexError(src, start, line, start - lineStart);
  }
  out.push({ kind: "eof", text: "<EOF>", value: "", start: n, end: n, line: 0, col: -1, hidden: false });
  return out;
}

function lexError(src: string, at: number, line: number, col: number) {
  return syntaxError(`line ${line}:${col} character '${src[at]}' is not supported`);
}
