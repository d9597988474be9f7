/**
 * UBSCore's epoch markers (engine/ubscore/journal.ts): a marker at offset P with `after` = H takes
 * effect only if no marker lies in [H, P). A dead incarnation's marker landing late (its `after`
 * predates the live marker) is ignored, and so are its records; a marker another one slipped in
 * front of is stale; legacy markers (no `after`) always take effect; a snapshot carries the
 * latest marker's offset.
 */
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../engine/config.ts";
import { decodeJournalEntry, type JournalEntry, JournalReplayer } from "../../engine/ubscore/journal.ts";
import { decodeUbscoreSnapshot, encodeUbscoreSnapshot } from "../../engine/ubscore/snapshot.ts";
import { UbscoreState } from "../../engine/ubscore/state.ts";
import { BTC, deposit, Pipeline, U, USDT } from "./pipeline.ts";

const config = defaultConfig();

function pipeline(): Pipeline {
  const p = new Pipeline(config);
  for (let u = 1; u <= 3; u++) {
    p.send(deposit(u, BTC, BigInt(u) * U, `btc-${u}`));
    p.send(deposit(u, USDT, 1_000n * BigInt(u) * U, `usdt-${u}`));
  }
  return p;
}

const marker = (epoch: string, after?: number): JournalEntry =>
  after === undefined ? { type: "epoch", v: 1, epoch } : { type: "epoch", v: 1, epoch, after: String(after) };

function replay(entries: JournalEntry[]): JournalReplayer {
  const r = new JournalReplayer(new UbscoreState(config));
  entries.forEach((e, i) => {
    r.feed(e, BigInt(i));
  });
  return r;
}

const digest = (s: UbscoreState) =>
  encodeUbscoreSnapshot({
    state: s,
    replay: { epoch: null, epochs: [], covered: 0, markerAt: -1n },
    journalFrom: 0n,
  });

describe("epoch markers with `after`", () => {
  it("a late marker of a dead incarnation (after below the live marker) is ignored, before or after the live records", () => {
    const p = pipeline();
    const [r1, r2, r3, r4, r5, r6] = p.journal;
    const A = (r: JournalEntry) => ({ ...r, epoch: "A" }) as JournalEntry;
    const B = (r: JournalEntry) => ({ ...r, epoch: "B" }) as JournalEntry;
    // A: marker at 0 and two records; B reads H = 3 and appends its marker at 3. Z, which read
    // H = 0 or 1 (before B existed), has its marker land late, followed by a record of its own.
    const zombie = (after: number) => [
      marker("Z", after),
      { ...r6, epoch: "Z", ref: { ...r6.ref, offset: "999" } },
    ];
    for (const after of [0, 1, 3]) {
      const early = replay([
        marker("A", 0),
        A(r1),
        A(r2),
        marker("B", 3),
        ...zombie(after),
        B(r3),
        B(r4),
        B(r5),
        B(r6),
      ]);
      const late = replay([
        marker("A", 0),
        A(r1),
        A(r2),
        marker("B", 3),
        B(r3),
        B(r4),
        B(r5),
        ...zombie(after),
        B(r6),
      ]);
      for (const r of [early, late]) {
        expect(r.epoch, `after ${after}`).toBe("B");
        expect(r.staleMarkers).toBe(1);
        expect(r.skippedForeign).toBe(1);
        expect(digest(r.state)).toBe(digest(p.ubs));
      }
    }
  });

  it("a marker whose window contains another marker is stale; the retry with a fresh watermark takes effect", () => {
    const p = pipeline();
    const [r1, r2, r3, r4, r5, r6] = p.journal;
    // A at 0, records; C reads H = 3; Z's late marker (after 0) lands at 3; C's marker at 4 is
    // stale (Z's marker is in [3, 4)); C reads H = 5 and appends C2 at 5.
    const entries: JournalEntry[] = [
      marker("A", 0),
      { ...r1, epoch: "A" },
      { ...r2, epoch: "A" },
      marker("Z", 0),
      marker("C", 3),
      marker("C2", 5),
      ...[r3, r4, r5, r6].map((r) => ({ ...r, epoch: "C2" })),
    ];
    const r = replay(entries);
    expect(r.epoch).toBe("C2");
    expect(r.staleMarkers).toBe(2);
    expect(r.seen("C")).toBe(true);
    expect(digest(r.state)).toBe(digest(p.ubs));
    // Until C2's marker, the epoch in force is still A's.
    const upToC = replay(entries.slice(0, 5));
    expect(upToC.epoch).toBe("A");
    // A later duplicate of a stale marker never takes effect either; one of the live marker changes nothing.
    const dup = replay([...entries, marker("C", 3), marker("C2", 5), { ...r6, epoch: "C" }]);
    expect(dup.epoch).toBe("C2");
    expect(digest(dup.state)).toBe(digest(p.ubs));
  });

  it("legacy markers (no `after`) always take effect, as before", () => {
    const p = pipeline();
    const [r1, r2, r3, r4, r5, r6] = p.journal;
    const r = replay([
      marker("A"),
      { ...r1, epoch: "A" },
      { ...r2, epoch: "A" },
      marker("B"),
      { ...r3, epoch: "A" }, // a late record of A: ignored
      ...[r3, r4, r5, r6].map((x) => ({ ...x, epoch: "B" })),
    ]);
    expect(r.epoch).toBe("B");
    expect(r.skippedForeign).toBe(1);
    expect(digest(r.state)).toBe(digest(p.ubs));
    // A late legacy marker still switches the epoch (the old limit, for journals written before `after`).
    const late = replay([
      marker("A"),
      marker("B"),
      { ...r1, epoch: "B" },
      marker("Z"),
      { ...r2, epoch: "B" },
    ]);
    expect(late.epoch).toBe("Z");
    expect(late.state.recordsApplied).toBe(1);
    // A new marker after legacy ones is judged by their offsets too.
    expect(replay([marker("A"), marker("B"), marker("C", 1)]).epoch).toBe("B");
    expect(replay([marker("A"), marker("B"), marker("C", 2)]).epoch).toBe("C");
  });

  it("a snapshot carries the latest marker's offset; resuming from it fences a late marker like replay from 0", () => {
    const p = pipeline();
    const [r1, r2, r3, r4, r5, r6] = p.journal;
    const entries: JournalEntry[] = [
      marker("A", 0),
      { ...r1, epoch: "A" },
      marker("B", 2),
      { ...r2, epoch: "B" },
      { ...r3, epoch: "B" },
      marker("Z", 1), // stale: B's marker (2) is in [1, 5)
      { ...r4, epoch: "B" },
      { ...r5, epoch: "B" },
      marker("Y", 2), // stale too: it read the watermark before B's marker landed
      { ...r6, epoch: "B" },
    ];
    const full = replay(entries);
    expect(full.epoch).toBe("B");
    expect(digest(full.state)).toBe(digest(p.ubs));
    for (let cut = 0; cut <= entries.length; cut++) {
      const prefix = replay(entries.slice(0, cut));
      const text = encodeUbscoreSnapshot({
        state: prefix.state,
        replay: prefix.position(),
        journalFrom: BigInt(cut),
      });
      const snap = decodeUbscoreSnapshot(text, config);
      expect(snap.replay.markerAt).toBe(prefix.markerAt);
      const resumed = new JournalReplayer(snap.state, snap.replay);
      for (let i = cut; i < entries.length; i++) resumed.feed(entries[i], BigInt(i));
      expect(digest(resumed.state), `cut ${cut}`).toBe(digest(full.state));
      expect(resumed.position()).toEqual(full.position());
    }
    // Without the offset (as if the snapshot had forgotten it), Y's marker would take effect.
    const prefix = replay(entries.slice(0, 8));
    const forgetful = new JournalReplayer(prefix.state, { ...prefix.position(), markerAt: -1n });
    for (let i = 8; i < entries.length; i++) forgetful.feed(entries[i], BigInt(i));
    expect(forgetful.epoch).toBe("Y");
  });

  it("a snapshot written before `markerAt` existed resumes with journalFrom - 1 (an upper bound)", () => {
    const p = pipeline();
    const text = encodeUbscoreSnapshot({
      state: p.ubs,
      replay: { epoch: "B", epochs: ["A", "B"], covered: p.ubs.recordsApplied, markerAt: 3n },
      journalFrom: 10n,
    });
    const legacy = JSON.parse(text);
    delete legacy.replay.markerAt;
    const snap = decodeUbscoreSnapshot(JSON.stringify(legacy), config);
    expect(snap.replay.markerAt).toBe(9n);
    const r = new JournalReplayer(snap.state, snap.replay);
    r.feed(marker("Z", 4), 10n); // read before the snapshot's watermark: stale
    expect(r.epoch).toBe("B");
    r.feed(marker("C", 11), 11n); // a later incarnation's (it read the watermark after Z): takes effect
    expect(r.epoch).toBe("C");
  });

  it("decodes `after` as a decimal string and rejects anything else", () => {
    expect(decodeJournalEntry('{"type":"epoch","v":1,"epoch":"e","after":"12"}')).toEqual(marker("e", 12));
    expect(decodeJournalEntry('{"type":"epoch","v":1,"epoch":"e"}')).toEqual(marker("e"));
    expect(() => decodeJournalEntry('{"type":"epoch","v":1,"epoch":"e","after":12}')).toThrow(/malformed/);
    expect(() => decodeJournalEntry('{"type":"epoch","v":1,"epoch":"e","after":"-1"}')).toThrow(/malformed/);
  });
});
