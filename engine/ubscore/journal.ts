/**
 * UBSCore's journal (topic `ubscore.journal`, one partition): the order in which UBSCore
 * applied its inputs. Replaying it rebuilds the state exactly (see engine/README.md).
 *
 * Three kinds of records, all JSON with `v: 1`:
 * - `epoch`: the first thing an incarnation appends. Replay follows the latest epoch marker and
 *   ignores `rec` and `checkpoint` records of any other epoch that appear after it: those are
 *   appends of a dead incarnation that landed late, which the live incarnation never applied.
 * - `rec`: one applied input: where it came from (topic, partition, offset), its timestamp
 *   (the input message's, so re-derived outputs are identical) and the raw message. Duplicates
 *   (a retried append) are skipped on replay by their input ref.
 * - `checkpoint`: appended once the outputs of every record before it were acknowledged by the
 *   broker; replay re-publishes only the outputs of the records after the last checkpoint.
 */
import { MessageError } from "../protocol/messages.ts";
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
}

export interface JournalCheckpoint {
  type: "checkpoint";
  v: 1;
  epoch: string;
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
  if (e.type === "epoch" || e.type === "checkpoint") return e as unknown as JournalEntry;
  throw new MessageError(`journal: unknown type ${JSON.stringify(e.type)}`);
}

/**
 * Replays journal entries into a state, in journal order. After the last entry, `pending` holds
 * the outputs of the records after the last checkpoint (to be re-published).
 */
export class JournalReplayer {
  readonly state: UbscoreState;
  /** The epoch whose records count (the latest epoch marker seen). */
  epoch: string | null = null;
  private readonly epochs = new Set<string>();
  /** Outputs not known to be published. */
  pending: Outputs = emptyOutputs();
  entries = 0;
  skippedForeign = 0;
  skippedDuplicate = 0;

  constructor(state: UbscoreState) {
    this.state = state;
  }

  feed(entry: JournalEntry): void {
    this.entries++;
    switch (entry.type) {
      case "epoch":
        // The first occurrence of a marker is its position; a late duplicate of an old one is ignored.
        if (!this.epochs.has(entry.epoch)) {
          this.epochs.add(entry.epoch);
          this.epoch = entry.epoch;
        }
        return;
      case "checkpoint":
        if (entry.epoch === this.epoch) this.pending = emptyOutputs();
        return;
      case "rec": {
        if (entry.epoch !== this.epoch) {
          this.skippedForeign++;
          return;
        }
        const out = emptyOutputs();
        if (this.state.applyInput(entry.ref, entry.ts, entry.msg, out)) appendOutputs(this.pending, out);
        else this.skippedDuplicate++;
        return;
      }
    }
  }

  pendingCount(): number {
    return outputsSize(this.pending);
  }
}
