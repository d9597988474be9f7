/**
 * The liveness of one service incarnation in real mode: what makes a "crash" abrupt.
 *
 * Every port call an incarnation makes goes through `guard`. While the incarnation lives, the
 * call settles as the underlying kafkajs / cassandra-driver / timer promise does. Once `kill()`
 * ran, nothing it awaits ever settles again (the same rule as the simulator's processes: "its
 * pending awaits never resume and its memory is garbage"): a retry loop of the dead incarnation
 * stops at its next await, and nothing it does reaches the broker or the store any more. Work
 * already handed to a client library may still land (a produce request on the wire, a statement
 * being executed): exactly what a real process crash leaves behind.
 */
const NEVER: Promise<never> = new Promise<never>(() => {});

export class Life {
  private isDead = false;
  private readonly onDeath: Array<() => void> = [];
  private resolveDeath!: () => void;
  /** Resolves when the incarnation dies (for races against work in progress). */
  readonly death: Promise<void>;
  readonly name: string;

  constructor(name = "incarnation") {
    this.name = name;
    this.death = new Promise<void>((resolve) => {
      this.resolveDeath = resolve;
    });
  }

  get dead(): boolean {
    return this.isDead;
  }

  /** Kills the incarnation: runs the death callbacks (close sockets, clear timers) once. */
  kill(): void {
    if (this.isDead) return;
    this.isDead = true;
    this.resolveDeath();
    for (const cb of this.onDeath.splice(0)) {
      try {
        cb();
      } catch {
        // a cleanup that fails must not keep the others from running
      }
    }
  }

  /** Registers cleanup work for the moment of death (runs at once if already dead). */
  whenDead(cb: () => void): void {
    if (this.isDead) cb();
    else this.onDeath.push(cb);
  }

  /** Settles like `work` while alive; never settles if the incarnation is (or becomes) dead. */
  guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.isDead) return NEVER;
    let p: Promise<T>;
    try {
      p = work();
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.then(
      (v) => (this.isDead ? NEVER : v),
      (err: unknown) => (this.isDead ? NEVER : Promise.reject(err)),
    );
  }
}

/** A Life that never dies (the harness's own observers, `tradesim serve`). */
export function immortal(name = "immortal"): Life {
  return new Life(name);
}
