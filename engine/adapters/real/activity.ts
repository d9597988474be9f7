/**
 * Counts the I/O the real adapters have handed to kafkajs and cassandra-driver and not yet seen
 * settle, across every incarnation (a dead one's produce request or statement may still land).
 * The real-mode harness reads it to decide that the pipeline is quiet: nothing in flight, and
 * nothing completed during a settle window.
 */
export type ActivityKind = "send" | "statement" | "commit";

export class Activity {
  /** Operations started and not settled, per kind. */
  readonly inFlight: Record<ActivityKind, number> = { send: 0, statement: 0, commit: 0 };
  /** Operations settled (either way), per kind: changes whenever anything completes. */
  readonly completed: Record<ActivityKind, number> = { send: 0, statement: 0, commit: 0 };

  /** Wraps one underlying operation (not the guarded one: a dead incarnation's work counts). */
  track<T>(kind: ActivityKind, p: Promise<T>): Promise<T> {
    this.inFlight[kind]++;
    const done = () => {
      this.inFlight[kind]--;
      this.completed[kind]++;
    };
    p.then(done, done);
    return p;
  }

  busy(): boolean {
    return this.inFlight.send + this.inFlight.statement + this.inFlight.commit > 0;
  }

  /** A fingerprint that changes whenever an operation starts or completes. */
  stamp(): string {
    const c = this.completed;
    const f = this.inFlight;
    return `${c.send}/${c.statement}/${c.commit}:${f.send}/${f.statement}/${f.commit}`;
  }
}
