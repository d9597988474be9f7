/**
 * CQL types of the simulator and everything that depends on a value's type: ordering (clustering
 * and IN order), the byte order Cassandra uses to break write-timestamp ties, partition-key
 * serialisation (map keys and Murmur3 tokens), literals in the query text, and bound values as
 * cassandra-driver 4.x encodes them (prepared: by the column's type; unprepared: by guessing the
 * type from the JS value, then validated and decoded by the server as the column's type).
 */
import { ArgumentError, DRIVER_MSG, invalid, MSG } from "./errors.ts";
import type { LiteralType } from "./parser.ts";

export type CqlType = "bigint" | "int" | "text" | "boolean" | "timestamp" | "counter";

/** A stored value. bigint, timestamp (epoch ms) and counter are JS bigint; int is a number. */
export type Value = bigint | number | string | boolean | null;

const NATIVE_UNSUPPORTED = new Set([
  "ascii",
  "blob",
  "date",
  "decimal",
  "double",
  "duration",
  "float",
  "inet",
  "smallint",
  "time",
  "timeuuid",
  "tinyint",
  "uuid",
  "varint",
  "vector",
  "list",
  "set",
  "map",
  "frozen",
  "tuple",
]);

/** Resolves a type name from CREATE TABLE; null if Cassandra does not know it either. */
export function resolveType(name: string): CqlType | "unsupported" | null {
  switch (name) {
    case "bigint":
    case "int":
    case "text":
    case "boolean":
    case "timestamp":
    case "counter":
      return name;
    case "varchar":
      return "text";
  }
  const base = name.split("<")[0];
  if (NATIVE_UNSUPPORTED.has(base)) return "unsupported";
  return null;
}

// ---------------------------------------------------------------------------------------------
// Ordering

/** Compares UTF-16 strings in code point order (= UTF-8 byte order, Cassandra's UTF8Type order). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** The type's order for two non-null values. */
export function compareValues(type: CqlType, a: Value, b: Value): number {
  switch (type) {
    case "text":
      return compareText(a as string, b as string);
    case "boolean":
      return a === b ? 0 : a ? 1 : -1;
    default:
      return a! < b! ? -1 : a! > b! ? 1 : 0;
  }
}

/**
 * Cassandra's tie-break for two live cells with the same write timestamp: the greater
 * serialised value (unsigned byte comparison) wins. For bigint that makes every negative number
 * beat every positive one; for text it is code point order.
 */
export function compareBytes(type: CqlType, a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  switch (type) {
    case "bigint":
    case "timestamp":
    case "counter": {
      const x = BigInt.asUintN(64, a as bigint);
      const y = BigInt.asUintN(64, b as bigint);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "int": {
      const x = (a as number) >>> 0;
      const y = (b as number) >>> 0;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "text":
      return compareText(a as string, b as string);
    case "boolean":
      return a === b ? 0 : a ? 1 : -1;
  }
}

/** A value's part of a partition map key (collision-free across types of one table). */
export function keyString(type: CqlType, v: Value): string {
  switch (type) {
    case "text":
      return `${(v as string).length}:${v}`;
    case "boolean":
      return v ? "t" : "f";
    default:
      return String(v);
  }
}

// ---------------------------------------------------------------------------------------------
// Serialisation (tokens, unprepared values)

function utf8(s: string): Uint8Array {
  return Buffer.from(s, "utf8");
}

/** The value as Cassandra serialises it. */
export function toBytes(type: CqlType, v: Value): Uint8Array {
  switch (type) {
    case "bigint":
    case "timestamp":
    case "counter": {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt.asIntN(64, v as bigint));
      return b;
    }
    case "int": {
      const b = Buffer.alloc(4);
      b.writeInt32BE(v as number);
      return b;
    }
    case "text":
      return utf8(v as string);
    case "boolean":
      return Uint8Array.of(v ? 1 : 0);
  }
}

/** The partition key as Cassandra serialises it for the partitioner (CompositeType for several columns). */
export function partitionKeyBytes(types: readonly CqlType[], values: readonly Value[]): Uint8Array {
  if (types.length === 1) return toBytes(types[0], values[0]);
  const parts = values.map((v, i) => toBytes(types[i], v));
  let len = 0;
  for (const p of parts) len += p.length + 3;
  const out = Buffer.alloc(len);
  let o = 0;
  for (const p of parts) {
    out.writeUInt16BE(p.length, o);
    out.set(p, o + 2);
    out[o + 2 + p.length] = 0;
    o += p.length + 3;
  }
  return out;
}

const M64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}

function fmix(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & M64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & M64;
  k ^= k >> 33n;
  return k;
}

/** Signed byte, widened to an unsigned 64-bit pattern (Cassandra's Murmur3 sign-extends its tail bytes). */
function sbyte(b: number): bigint {
  return BigInt.asUintN(64, BigInt(b >= 128 ? b - 256 : b));
}

function block(data: Uint8Array, o: number): bigint {
  let k = 0n;
  for (let i = 7; i >= 0; i--) k = (k << 8n) | BigInt(data[o + i]);
  return k;
}

/** Murmur3Partitioner token of a serialised partition key: Cassandra's MurmurHash.hash3_x64_128, h1, as a signed long. */
export function murmur3Token(data: Uint8Array): bigint {
  const len = data.length;
  const nblocks = len >> 4;
  let h1 = 0n;
  let h2 = 0n;
  for (let i = 0; i < nblocks; i++) {
    let k1 = block(data, i * 16);
    let k2 = block(data, i * 16 + 8);
    k1 = (k1 * C1) & M64;
    k1 = rotl(k1, 31n);
    k1 = (k1 * C2) & M64;
    h1 ^= k1;
    h1 = rotl(h1, 27n);
    h1 = (h1 + h2) & M64;
    h1 = (h1 * 5n + 0x52dce729n) & M64;
    k2 = (k2 * C2) & M64;
    k2 = rotl(k2, 33n);
    k2 = (k2 * C1) & M64;
    h2 ^= k2;
    h2 = rotl(h2, 31n);
    h2 = (h2 + h1) & M64;
    h2 = (h2 * 5n + 0x38495ab5n) & M64;
  }
  const o = nblocks * 16;
  let k1 = 0n;
  let k2 = 0n;
  const rem = len & 15;
  for (let i = rem; i > 8; i--) k2 ^= (sbyte(data[o + i - 1]) << BigInt((i - 9) * 8)) & M64;
  if (rem > 8) {
    k2 = (k2 * C2) & M64;
    k2 = rotl(k2, 33n);
    k2 = (k2 * C1) & M64;
    h2 ^= k2;
  }
  for (let i = Math.min(rem, 8); i > 0; i--) k1 ^= (sbyte(data[o + i - 1]) << BigInt((i - 1) * 8)) & M64;
  if (rem > 0) {
    k1 = (k1 * C1) & M64;
    k1 = rotl(k1, 31n);
    k1 = (k1 * C2) & M64;
    h1 ^= k1;
  }
  const L = BigInt(len);
  h1 ^= L;
  h2 ^= L;
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) & M64;
  const token = BigInt.asIntN(64, h1);
  return token === -(1n << 63n) ? (1n << 63n) - 1n : token;
}

// ---------------------------------------------------------------------------------------------
// Literals in the query text (Constants$Literal.prepare, then the type's fromString)

const INT_RE = /^-?\d+$/;

export function literalValue(litType: LiteralType, text: string, type: CqlType, colText: string): Value {
  if (litType === "NULL") return null;
  switch (type) {
    case "bigint":
    case "counter":
    case "timestamp": {
      if (litType === "STRING" && type === "timestamp") {
        if (INT_RE.test(text)) return BigInt(text);
        const ms = parseDate(text);
        if (ms === null) throw invalid(MSG.unparsableDate(text));
        return ms;
      }
      if (litType !== "INTEGER") throw invalid(MSG.invalidConstant(litType, text, colText, type));
      const v = BigInt(text);
      if (v !== BigInt.asIntN(64, v)) throw invalid(MSG.unableToMakeLong(text));
      return v;
    }
    case "int": {
      if (litType !== "INTEGER") throw invalid(MSG.invalidConstant(litType, text, colText, type));
      const v = Number(text);
      if (!Number.isSafeInteger(v) || v !== (v | 0)) throw invalid(MSG.unableToMakeInt(text));
      return v;
    }
    case "text":
      if (litType !== "STRING") throw invalid(MSG.invalidConstant(litType, text, colText, type));
      return text;
    case "boolean":
      if (litType !== "BOOLEAN") throw invalid(MSG.invalidConstant(litType, text, colText, type));
      return text === "true";
  }
}

const DATE_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The date/time literal formats of TimestampSerializer (yyyy-mm-dd, optional [ T]HH:MM[:SS[.fff]],
 * optional zone Z or +HHMM / +HH:MM; no zone means UTC here) to epoch milliseconds; null if not one.
 */
function parseDate(text: string): bigint | null {
  const m = DATE_RE.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) =>
    x === undefined ? 0 : Number(x),
  );
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const frac = m[7] === undefined ? 0 : Number(m[7].padEnd(3, "0"));
  let offsetMin = 0;
  const z = m[8];
  if (z !== undefined && z !== "Z") {
    const digits = z.slice(1).replace(":", "");
    offsetMin = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * (z[0] === "-" ? -1 : 1);
  }
  const ms = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi - offsetMin) * 60_000 + s * 1000 + frac;
  return BigInt(ms);
}

// ---------------------------------------------------------------------------------------------
// Bound values, prepared: cassandra-driver's Encoder for the column's type (useBigIntAsLong).

/** Node's util.inspect for the primitives a port can carry. */
export function inspect(v: unknown): string {
  if (typeof v === "string") return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (typeof v === "bigint") return `${v}n`;
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "object") return Array.isArray(v) ? `[ ${v.map(inspect).join(", ")} ]` : "[object]";
  return String(v);
}

function toBigIntLikeDriver(v: unknown): bigint {
  if (typeof v === "string") {
    try {
      return BigInt(v);
    } catch {
      throw new ArgumentError(`Cannot convert ${v} to a BigInt`, "SyntaxError");
    }
  }
  if (typeof v !== "bigint") throw new ArgumentError(DRIVER_MSG.notBigInt(inspect(v)), "TypeError");
  return v;
}

/** Encodes a JS value bound to a prepared statement's marker of `type`; undefined → null. */
export function bindPrepared(type: CqlType, v: unknown): Value {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "bigint":
    case "counter":
      // the driver writes the low 64 bits: out-of-range values wrap
      return BigInt.asIntN(64, toBigIntLikeDriver(v));
    case "timestamp": {
      let x: bigint;
      if (typeof v === "number") {
        if (!Number.isInteger(v))
          throw new ArgumentError(
            `The number ${v} cannot be converted to a BigInt because it is not an integer`,
            "RangeError",
          );
        x = BigInt(v);
      } else x = toBigIntLikeDriver(v);
      return BigInt.asIntN(64, x);
    }
    case "int": {
      if (typeof v === "bigint")
        throw new ArgumentError("Cannot convert a BigInt value to a number", "TypeError");
      const n = typeof v === "number" ? v : Number(v);
      if (Number.isNaN(n)) throw new ArgumentError(DRIVER_MSG.notNumber(inspect(v)), "TypeError");
      if (n < -2147483648 || n > 2147483647)
        throw new ArgumentError(
          `The value of "value" is out of range. It must be >= -2147483648 and <= 2147483647. Received ${nodeNumber(n)}`,
          "RangeError",
        );
      return Math.trunc(n);
    }
    case "text":
      if (typeof v !== "string") throw new ArgumentError(DRIVER_MSG.notText(inspect(v)), "TypeError");
      return v;
    case "boolean":
      return !!v;
  }
}

// ---------------------------------------------------------------------------------------------
// Bound values, unprepared: the driver guesses the type from the JS value (number → double,
// string → text, boolean → boolean, bigint → cannot guess), sends its bytes, and the server
// validates those bytes as the receiver's type. A JS number bound to a bigint column arrives as
// the eight bytes of a double and is read as a (garbage) long, exactly as on a real cluster.

export function guessBytes(v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return b;
  }
  if (typeof v === "string") return utf8(v);
  if (typeof v === "boolean") return Uint8Array.of(v ? 1 : 0);
  throw new ArgumentError(DRIVER_MSG.cannotGuess(inspect(v)), "TypeError");
}

/** Server-side validation and decoding of bytes for a receiver of `type` (the serializers' validate). */
export function decodeBytes(type: CqlType, b: Uint8Array | null): Value {
  if (b === null) return null;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  switch (type) {
    case "bigint":
    case "counter":
      if (b.length === 0) return null;
      if (b.length !== 8) throw invalid(MSG.badLongBytes(b.length));
      return buf.readBigInt64BE(0);
    case "timestamp":
      if (b.length === 0) return null;
      if (b.length !== 8) throw invalid(MSG.badTimestampBytes(b.length));
      return buf.readBigInt64BE(0);
    case "int":
      if (b.length === 0) return null;
      if (b.length !== 4) throw invalid(MSG.badIntBytes(b.length));
      return buf.readInt32BE(0);
    case "boolean":
      if (b.length === 0) return null;
      if (b.length !== 1) throw invalid(MSG.badBooleanBytes(b.length));
      return b[0] !== 0;
    case "text": {
      const s = buf.toString("utf8");
      if (!Buffer.from(s, "utf8").equals(buf)) throw invalid(MSG.badUtf8());
      return s;
    }
  }
}

/** Node's rendering of a number in ERR_OUT_OF_RANGE messages (underscores above 2^32). */
function nodeNumber(n: number): string {
  const s = String(n);
  if (Math.abs(n) <= 2 ** 32 || !Number.isInteger(n)) return s;
  const neg = s.startsWith("-");
  const digits = neg ? s.slice(1) : s;
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += "_";
    out += digits[i];
  }
  return (neg ? "-" : "") + out;
}
