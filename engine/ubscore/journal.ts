/**
 * UBSCore's journal (topic `ubscore.journal`, one partition): the order in which UBSCore
 * applied its inputs. Replaying it rebuilds the state exactly (see engine/README.md).
 *
 * Three kinds of records, all JSON with `v: 1`:
 * - `epoch`: the first thing an incarnation appends. Replay follows the latest epoch marker that
 *   takes effect and ignores `rec` and `checkpoint` records of any other epoch that appear after
 *   it: those are appends of a dead incarnation that landed late, which the live incarnation
 *   never applied. `after` is the journal's high watermark the incarnation read just before
 *   appending its marker: a marker at offset P takes effect only if no marker (any, duplicates
 *   included) lies in [after, P), i.e. if the latest marker seen so far is below `after`.
 *   Otherwise it is stale: a dead incarnation's marker landing after a newer one (its window
 *   contains the newer marker), or a marker another one slipped in front of (its incarnation
 *   sees that at start and opens a new epoch). Markers without `after` (written before it
 *   existed) always take effect.
 * - `rec`: one applied input: where it came from (topic, partition, offset), its timestamp
 *   (the input message's, so re-derived outputs are identical) and the raw message. Duplicates
 *   (a retried append) are skipped on replay by their input ref.
 * - `checkpoint`: `through` = n says the outputs of the first n records applied (counting every
 *   applied record since the journal began, as `UbscoreState.recordsApplied` does) were
 *   acknowledged by the broker. Replay re-publishes the outputs of applied records numbered above
 *   the highest `through` seen. A checkpoint names what it covers instead of meaning "everything
 *   before me": a retried append can duplicate [checkpoint, record] as
 *   [checkpoint, record, checkpoint, record], and the second checkpoint must not cover the record.
 */
import { MessageError } from "../protocol/messages.ts";
import type { ReplayPosition } from "./snapshot.ts";
import {
  appendOutputs,
  emptyOutputs,
  type InputRef,
  type Outputs,
  outputsSize,
  type UbscoreState,
} from "./state.ts";

export interface JournalRec {
  type: "rec";
  v: 1;
  epoch: string;
  ref: InputRef;
  ts: number;
  msg: string;
}

export interface JournalEpoch {
  type: "epoch";
  v: 1;
  epoch: string;
  /** The journal's high watermark read before the marker was appended (decimal; absent = legacy). */
  after?: string;
}

export interface JournalCheckpoint {
  type: "checkpoint";
  v: 1;
  epoch: string;
  /** The outputs of records 1..through (in applied order) were published. */
  through: number;
}

export type JournalEntry = JournalRec | JournalEpoch | JournalCheckpoint;

export function decodeJournalEntry(raw: string): JournalEntry {
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    throw new MessageError("journal: not JSON");
  }
  if (typeof o !== "object" || o === null) throw new MessageError("journal: not an object");
  const e = o as Record<string, unknown>;
  if (e.v !== 1) throw new MessageError(`journal: unsupported version ${String(e.v)}`);
  if (typeof e.epoch !== "string") throw new MessageError("journal: epoch missing");
  if (e.type === "rec") {
    const ref = e.ref as Record<string, unknown> | undefined;
    if (
      typeof ref !== "object" ||
      ref === null ||
      typeof ref.topic !== "string" ||
      typeof ref.partition !== "number" ||
      typeof ref.offset !== "string" ||
      typeof e.msg !== "string" ||
      typeof e.ts !== "number"
    ) {
      throw new MessageError("journal: malformed rec");
    }
    return e as unknown as JournalRec;
  }
  if (e.type === "checkpoint") {
    if (!Number.isSafeInteger(e.through)) throw new MessageError("journal: malformed checkpoint");
    return e as unknown as JournalCheckpoint;
  }
  if (e.type === "epoch") {
    if (e.after !== undefined && (typeof e.after !== "string" || !/^\d+$/.test(e.after)))
      throw new MessageError("journal: malformed epoch marker");
    return e as unknown as JournalEpoch;
  }
  throw new MessageError(`journal: unknown type ${JSON.stringify(e.type)}`);
}

/**
 * Replays journal entries into a state, in journal order. After the last entry, `pending` holds
 * the outputs of the applied records no checkpoint covers (to be re-published), in order.
 */
export class JournalReplayer {
  readonly state: UbscoreState;
  /** The epoch whose records count (the latest epoch marker that took effect). */
  epoch: string | null = null;
  /** Every marker seen (stale ones included), in order of first occurrence. */
  private readonly epochs = new Set<string>();
  /** The journal offset of the latest marker fed (-1: none). */
  markerAt = -1n;
  /** First occurrences of markers that did not take effect (see the file comment). */
  staleMarkers = 0;
  /** Per applied record not covered by a checkpoint: its number and its outputs. */
  private readonly uncovered: Array<{ n: number; out: Outputs }> = [];
  /** Highest `through` of the checkpoints that count. */
  covered = 0;
  entries = 0;
  skippedForeign = 0;
  skippedDuplicate = 0;

  constructor(state: UbscoreState, from?: ReplayPosition) {
    this.state = state;
    if (from !== undefined) {
      // Resuming after a snapshot: the state reflects every entry before the snapshot's journal
      // offset, and every record it applied had its outputs acknowledged (nothing uncovered).
      this.epoch = from.epoch;
      for (const e of from.epochs) this.epochs.add(e);
      this.covered = from.covered;
      this.markerAt = from.markerAt;
    }
  }

  /** What a snapshot must carry to resume replay after the entries fed so far. */
  position(): ReplayPosition {
    return { epoch: this.epoch, epochs: [...this.epochs], covered: this.covered, markerAt: this.markerAt };
  }

  /** Whether a marker of `epoch` was fed (whether or not it took effect). */
  seen(epoch: string): boolean {
    return this.epochs.has(epoch);
  }

  /** Feeds the entry at journal offset `offset` (entries in offset order; feeding one again is harmless). */
  feed(entry: JournalEntry, offset: bigint): void {
    this.entries++;
    switch (entry.type) {
      case "epoch": {
        // Takes effect only if no marker lies in [after, offset): the incarnation read `after`
        // before appending, so a marker in that window was appended after it started (a newer
        // incarnation's, if this one is a dead one landing late).
        const inForce = entry.after === undefined || this.markerAt < BigInt(entry.after);
        if (offset > this.markerAt) this.markerAt = offset;
        // The first occurrence of a marker is its position; a late duplicate of an old one is ignored.
        if (!this.epochs.has(entry.epoch)) {
          this.epochs.add(entry.epoch);
          if (inForce) this.epoch = entry.epoch;
          else this.staleMarkers++;
        }
        return;
      }
      case "checkpoint":
        // A dead incarnation's late checkpoint is ignored too (conservative: re-publishing is harmless).
        if (entry.epoch === this.epoch && entry.through > this.covered) {
          this.covered = entry.through;
          while (this.uncovered.length > 0 && this.uncovered[0].n <= this.covered) this.uncovered.shift();
        }
        return;
      case "rec": {
        if (entry.epoch !== this.epoch) {
          this.skippedForeign++;
          return;
        }
        const out = emptyOutputs();
        if (this.state.applyInput(entry.ref, entry.ts, entry.msg, out)) {
          if (this.state.recordsApplied > this.covered)
            this.uncovered.push({ n: this.state.recordsApplied, out });
        } else this.skippedDuplicate++;
        return;
      }
    }
  }

  /** The outputs to re-publish, in order. */
  get pending(): Outputs {
    const all = emptyOutputs();
    for (const u of this.uncovered) appendOutputs(all, u.out);
    return all;
  }

  pendingCount(): number {
    let n = 0;
    for (const u of this.uncovered) n += outputsSize(u.out);
    return n;
  }
}
