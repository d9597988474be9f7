import { EventQueue, type QueuedEvent } from "./event-queue.ts";
import { RandomSource, type Rng } from "./random.ts";
import { Trace } from "./trace.ts";

/**
 * The deterministic scheduler: virtual time in integer microseconds, one queue of events, one
 * seed. Engine code is ordinary async TypeScript; its `await`s on ports settle only when an event
 * here resolves them, so the scheduler decides every interleaving.
 *
 * A step is one fired event plus everything it wakes: if the event settled a promise, the
 * scheduler drains the microtask queue completely before the next event, so each step is atomic
 * and every continuation runs at the virtual instant of the event that woke it. The drain is a
 * `process.nextTick` queued from inside a microtask: Node runs it only once the microtask queue
 * is empty, without a trip through the event loop (about 4x cheaper than setImmediate). Before
 * declaring the world idle the scheduler also yields one macrotask turn, for libraries (the HTTP
 * framework's in-process injection) that defer work with setImmediate. Nothing outside the kernel
 * may schedule real timers or ticks (the determinism firewall enforces it), so both are
 * deterministic.
 */
export interface SchedulerOptions {
  seed: number | string;
  trace?: Trace;
  /** Order simultaneous events by a seeded draw instead of FIFO, to explore interleavings. */
  shuffleTies?: boolean;
}

export type StopReason = "idle" | "until" | "max-steps" | "max-time";

export interface RunOptions {
  /** Stop as soon as this returns true (checked before each step). */
  until?: () => boolean;
  maxSteps?: number;
  /** Do not fire events scheduled after this virtual time (µs). */
  maxTime?: number;
  /** Called after every step, with the step number. */
  afterStep?: (step: number) => void;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
  settled: boolean;
}

const NEVER_LIVE_CHECK = null;

/** Resolves once the microtask queue is empty (see the class comment). */
function microtaskDrain(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}

function macrotaskTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class Scheduler {
  readonly random: RandomSource;
  readonly trace: Trace;
  private readonly queue = new EventQueue();
  private readonly tieRng: Rng | null;
  private nowUs = 0;
  private seq = 0;
  private woke = false;
  private running = false;
  /** Promises settled outside the kernel (in-process HTTP injection) still in flight. */
  private externalInFlight = 0;
  step = 0;

  constructor(opts: SchedulerOptions) {
    this.random = new RandomSource(opts.seed);
    this.trace = opts.trace ?? new Trace();
    this.tieRng = opts.shuffleTies ? this.random.stream("kernel/ties") : null;
  }

  /** Virtual time in microseconds since the start of the run. */
  now(): number {
    return this.nowUs;
  }

  get pending(): number {
    return this.queue.size;
  }

  rng(name: string): Rng {
    return this.random.stream(name);
  }

  /** Schedules `fire` after `delayUs`; `live` (if given) is checked when due, and a dead event is dropped. */
  after(delayUs: number, label: string, fire: () => void, live: (() => boolean) | null = NEVER_LIVE_CHECK) {
    if (!(delayUs >= 0)) throw new Error(`scheduler: negative or NaN delay ${delayUs} for ${label}`);
    return this.at(this.nowUs + Math.floor(delayUs), label, fire, live);
  }

  at(timeUs: number, label: string, fire: () => void, live: (() => boolean) | null = NEVER_LIVE_CHECK) {
    const ev: QueuedEvent = {
      time: Math.max(timeUs, this.nowUs),
      tie: this.tieRng ? this.tieRng.int(1 << 30) : 0,
      seq: this.seq++,
      fire,
      live,
      label,
      cancelled: false,
    };
    this.queue.push(ev);
    return ev;
  }

  cancel(ev: QueuedEvent): void {
    ev.cancelled = true;
  }

  /** A promise settled only by the scheduler. Resolving it marks the step as having woken code. */
  deferred<T>(): Deferred<T> {
    let res!: (value: T) => void;
    let rej!: (err: unknown) => void;
    const promise = new Promise<T>((resolve, reject) => {
      res = resolve;
      rej = reject;
    });
    const d: Deferred<T> = {
      promise,
      settled: false,
      resolve: (value: T) => {
        if (d.settled) return;
        d.settled = true;
        this.woke = true;
        res(value);
      },
      reject: (err: unknown) => {
        if (d.settled) return;
        d.settled = true;
        this.woke = true;
        rej(err);
      },
    };
    return d;
  }

  /** Resolves after `delayUs` of virtual time (never, if `live` turns false first). */
  sleep(delayUs: number, live: (() => boolean) | null = NEVER_LIVE_CHECK, label = "sleep"): Promise<void> {
    // Hot path (every port wait): no Deferred wrapper, one closure.
    return new Promise<void>((resolve) => {
      this.after(
        delayUs,
        label,
        () => {
          this.woke = true;
          resolve();
        },
        live,
      );
    });
  }

  /**
   * Registers work that progresses outside the kernel's events (a library's own nextTick and
   * promise chains, like fastify's in-process injection). While any is in flight the scheduler
   * lets it progress before every step (completely before virtual time moves on), so that work
   * advances in lock-step with virtual time instead of stalling behind a tight loop of
   * synchronous events, and a client's timeout never fires while the gateway is still working.
   * `abandon` settles when the owner stops waiting (a client timeout).
   */
  external<T>(work: Promise<T>, abandon?: Promise<unknown>): Promise<T> {
    this.externalInFlight++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      this.externalInFlight--;
      this.woke = true;
    };
    work.then(done, done);
    // Work that will never finish (a request to a crashed gateway) stops counting when its
    // owner gives up on it.
    abandon?.then(done, done);
    return work;
  }

  /** Adds a line to the trace at the current step. */
  note(text: string): void {
    this.trace.record(this.step, this.nowUs, text);
  }

  /** Fires events until the queue is idle or a stop condition holds. */
  async run(opts: RunOptions = {}): Promise<StopReason> {
    if (this.running) throw new Error("scheduler: run() is not re-entrant");
    this.running = true;
    try {
      return await this.loop(opts);
    } finally {
      this.running = false;
    }
  }

  private async loop(opts: RunOptions): Promise<StopReason> {
    const { until, maxSteps, maxTime, afterStep } = opts;
    const stepLimit = maxSteps === undefined ? Number.POSITIVE_INFINITY : this.step + maxSteps;
    for (;;) {
      if (until?.()) return "until";
      const next = this.queue.peek();
      if (next === undefined || (maxTime !== undefined && next.time > maxTime)) {
        // Nothing left within bounds. Before declaring the world idle or moving the clock to
        // maxTime, let woken continuations and library work (ticks, macrotasks) finish: they
        // may schedule events that are within bounds.
        const scheduled = this.seq;
        await macrotaskTurn();
        if (this.woke) {
          this.woke = false;
          await microtaskDrain();
        }
        if (until?.()) return "until";
        if (this.seq !== scheduled) continue;
        if (maxTime === undefined) return "idle";
        this.nowUs = Math.max(this.nowUs, maxTime);
        return "max-time";
      }
      if (this.step >= stepLimit) return "max-steps";
      if (this.externalInFlight > 0) {
        // Library work moves by ticks, not events: let it run to a standstill before virtual
        // time moves (a full macrotask turn), and a tick's worth before same-instant events.
        if (next.time > this.nowUs) await macrotaskTurn();
        else await microtaskDrain();
        if (until?.()) return "until";
        if (this.queue.peek() !== next) continue;
      }
      const ev = this.queue.pop()!;
      if (ev.cancelled || (ev.live !== null && !ev.live())) continue;
      this.nowUs = ev.time;
      this.step++;
      this.trace.record(this.step, ev.time, ev.label);
      ev.fire();
      if (this.woke) {
        this.woke = false;
        await microtaskDrain();
      }
      this.trace.endStep();
      afterStep?.(this.step);
    }
  }

  /** Settles all woken continuations without firing events (used between scenario steps). */
  async settle(): Promise<void> {
    await macrotaskTurn();
    while (this.woke) {
      this.woke = false;
      await microtaskDrain();
    }
  }
}
