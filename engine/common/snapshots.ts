/**
 * Recovery snapshots on a Kafka topic of one partition (`ubscore.snapshots`, `me.snapshots`):
 * a service's whole state as text, cut into chunks, followed by a manifest. engine/README.md
 * ("Snapshots") says what each service puts in them and why recovery from one is exact.
 *
 * Layout of one snapshot (id = random hex):
 * - chunks: key `c:<id>:<i>`, value = the i-th slice of the text (raw, no re-encoding), at most
 *   CHUNK_CHARS characters, so a message stays far below Kafka's default 1 MB limit whatever
 *   the size of the state (a snapshot is chunked, not bounded);
 * - then the manifest: key `m:<id>`, value JSON `{type: "manifest", v: 1, id, from, chunks,
 *   length, meta}`. `from` is an offset of this topic at or below the first chunk (the high
 *   watermark before the chunks were sent), `meta` a small summary of what the snapshot covers.
 *
 * A snapshot counts only once its manifest is in the topic, and only with every chunk of its id
 * between `from` and the manifest and the right total length: a writer that crashed between
 * chunks left no manifest; chunks of other snapshots interleaved (a dead incarnation's late
 * appends) have other ids; a duplicated chunk (a retried send) is the same text twice, the first
 * copy is used. The reader looks for the newest manifest from the end of the topic backwards, in
 * windows, and falls back to older snapshots when one is incomplete or does not decode.
 */
import type { EngineConfig } from "../config.ts";
import type { Producer } from "../ports/index.ts";
import { type LogDeps, readToEnd, topicEnds } from "./log.ts";
import { sendAll } from "./retry.ts";

/** Characters of state text per chunk: ≤ 0.3 MB in UTF-8 even if every character took 3 bytes. */
export const CHUNK_CHARS = 100_000;

/**
 * Whether a snapshot is due after `since` inputs, the last snapshot having been `lastChars` long:
 * every `snapshotEvery` inputs, but at most `snapshotCharsPerInput` characters of snapshot per input amortised
 * (the state holds never-evicted dedupe tables, so it grows with history; this keeps writing
 * snapshots O(1) per input while the input replayed after the newest snapshot stays O(state)).
 */
export function snapshotDue(
  since: number,
  {
    snapshotEvery: every,
    snapshotCharsPerInput: charsPerInput,
  }: Pick<EngineConfig, "snapshotEvery" | "snapshotCharsPerInput">,
  lastChars: number,
): boolean {
  if (every <= 0) return false;
  const spaced = charsPerInput > 0 ? Math.ceil(lastChars / charsPerInput) : 0;
  return since >= Math.max(every, spaced);
}

export interface SnapshotManifest {
  type: "manifest";
  v: 1;
  id: string;
  /** An offset of the snapshot topic at or below the snapshot's first chunk (decimal string). */
  from: string;
  chunks: number;
  /** Total characters of the text. */
  length: number;
  meta: Record<string, unknown>;
}

/** Cuts `text` into slices of at most `size` characters, never between the halves of a surrogate pair. */
export function chunkText(text: string, size = CHUNK_CHARS): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let j = Math.min(i + size, text.length);
    if (j < text.length && j > i + 1) {
      const c = text.charCodeAt(j - 1);
      if (c >= 0xd800 && c <= 0xdbff) j--; // keep a high surrogate with its low half
    }
    out.push(text.slice(i, j));
    i = j;
  }
  if (out.length === 0) out.push("");
  return out;
}

/**
 * Appends one snapshot (chunks, then the manifest) to `topic`, each send retried until
 * acknowledged. `from` is the topic's high watermark fetched before this call (the caller
 * fetches it with the other offsets it records, in one admin round trip).
 */
export async function writeSnapshot(
  deps: LogDeps,
  producer: Producer,
  topic: string,
  text: string,
  meta: Record<string, unknown>,
  from: bigint,
): Promise<SnapshotManifest> {
  const id = deps.random.hex(16);
  const chunks = chunkText(text);
  const manifest: SnapshotManifest = {
    type: "manifest",
    v: 1,
    id,
    from: from.toString(),
    chunks: chunks.length,
    length: text.length,
    meta,
  };
  const messages = chunks.map((value, i) => ({ key: `c:${id}:${i}`, value, partition: 0 }));
  messages.push({ key: `m:${id}`, value: JSON.stringify(manifest), partition: 0 });
  await sendAll(producer, topic, messages, deps.clock, deps.logger);
  return manifest;
}

function parseManifest(raw: string): SnapshotManifest | null {
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof o !== "object" || o === null) return null;
  const m = o as Record<string, unknown>;
  if (
    m.type !== "manifest" ||
    m.v !== 1 ||
    typeof m.id !== "string" ||
    typeof m.from !== "string" ||
    !/^\d+$/.test(m.from) ||
    !Number.isSafeInteger(m.chunks) ||
    (m.chunks as number) < 1 ||
    !Number.isSafeInteger(m.length) ||
    typeof m.meta !== "object" ||
    m.meta === null
  ) {
    return null;
  }
  return m as unknown as SnapshotManifest;
}

/** Records read at the start of a reader's window. */
const FIRST_WINDOW = 16;

export interface LoadedSnapshot<T> {
  value: T;
  manifest: SnapshotManifest;
  /** Offset of the manifest in the snapshot topic. */
  offset: bigint;
}

/**
 * The newest snapshot of `topic` that is complete and that `decode` accepts (it returns the
 * decoded state, or throws / returns null to reject the snapshot: the reader then tries older
 * ones), or null if there is none. Reads the topic backwards in growing windows from its end,
 * so the cost is about the size of the snapshot, not of the topic.
 */
export async function readLatestSnapshot<T>(
  deps: LogDeps,
  topic: string,
  decode: (text: string, manifest: SnapshotManifest) => T | null,
  opts: { groupPrefix?: string; onReject?: (why: string, manifest: SnapshotManifest) => void } = {},
): Promise<LoadedSnapshot<T> | null> {
  const ends = await topicEnds(deps, topic);
  const end = ends.get(0);
  if (end === undefined || end.high <= end.low) return null;
  const { low, high } = end;
  /** Records of [loaded, high) by offset (a real log may have gaps: control records). */
  const recs = new Map<bigint, { key: string; value: string }>();
  let loaded = high;
  const load = async (start: bigint): Promise<void> => {
    if (start >= loaded) return;
    await readToEnd(
      deps,
      topic,
      (_p, m) => {
        recs.set(BigInt(m.offset), { key: m.key ?? "", value: m.value });
      },
      {
        partitions: [0],
        groupPrefix: opts.groupPrefix ?? "snapshot-reader",
        from: new Map([[0, start]]),
        until: new Map([[0, loaded]]),
        ends,
      },
    );
    loaded = start;
  };
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  await load(max(low, high - BigInt(FIRST_WINDOW)));
  /** Manifests at offsets >= `next` were tried (or are not manifests). */
  let next = high;
  for (;;) {
    let needFrom: bigint | null = null;
    while (next > loaded) {
      const off = next - 1n;
      const r = recs.get(off);
      if (r === undefined || !r.key.startsWith("m:")) {
        next = off;
        continue;
      }
      const m = parseManifest(r.value);
      if (m === null || r.key !== `m:${m.id}`) {
        next = off;
        continue;
      }
      const from = max(low, BigInt(m.from));
      if (from < loaded) {
        needFrom = from;
        break;
      }
      next = off;
      const prefix = `c:${m.id}:`;
      const parts: Array<string | undefined> = new Array(m.chunks);
      for (let o = from; o < off; o++) {
        const c = recs.get(o);
        if (c === undefined || !c.key.startsWith(prefix)) continue;
        const i = Number(c.key.slice(prefix.length));
        if (Number.isSafeInteger(i) && i >= 0 && i < m.chunks && parts[i] === undefined) parts[i] = c.value;
      }
      let missing = 0;
      for (const p of parts) if (p === undefined) missing++;
      if (missing > 0) {
        opts.onReject?.(`${missing} of ${m.chunks} chunks missing`, m);
        continue;
      }
      const text = (parts as string[]).join("");
      if (text.length !== m.length) {
        opts.onReject?.(`length ${text.length} != ${m.length}`, m);
        continue;
      }
      let value: T | null;
      try {
        value = decode(text, m);
      } catch (err) {
        opts.onReject?.(`does not decode: ${(err as Error).message}`, m);
        continue;
      }
      if (value === null) {
        opts.onReject?.("rejected by the service", m);
        continue;
      }
      return { value, manifest: m, offset: off };
    }
    if (needFrom !== null) {
      await load(needFrom);
      continue;
    }
    if (loaded <= low) return null;
    // No usable manifest in what was read: read a window twice as large further back.
    await load(max(low, loaded - 2n * (high - loaded)));
  }
}
