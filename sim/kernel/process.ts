import type { Scheduler } from "./scheduler.ts";

/**
 * A service instance in the simulated world. A crash loses everything the process held in
 * memory: its pending waits are never resolved (their events are dropped by the liveness guard)
 * and a restart runs `main` again from nothing, with fresh ports. Only what the process wrote to
 * the simulated Kafka and Scylla survives.
 */
export type ProcessMain = (proc: SimProcess) => Promise<void>;

export type ProcessState = "stopped" | "running" | "crashed" | "exited" | "failed";

export interface ProcessHooks {
  /** Called when `main` rejects while the process is alive: an engine bug, not a crash. */
  onFailure?: (proc: SimProcess, err: unknown) => void;
}

export class SimProcess {
  readonly name: string;
  incarnation = 0;
  state: ProcessState = "stopped";
  private readonly sched: Scheduler;
  private readonly main: ProcessMain;
  private readonly hooks: ProcessHooks;
  private readonly crashListeners: Array<() => void> = [];

  constructor(sched: Scheduler, name: string, main: ProcessMain, hooks: ProcessHooks = {}) {
    this.sched = sched;
    this.name = name;
    this.main = main;
    this.hooks = hooks;
  }

  get alive(): boolean {
    return this.state === "running";
  }

  /** A guard bound to the current incarnation: false once this incarnation has crashed. */
  guard(): () => boolean {
    const inc = this.incarnation;
    return () => this.incarnation === inc && this.state === "running";
  }

  /** Registers cleanup for the current incarnation (a consumer leaving its group, say). */
  onCrash(listener: () => void): void {
    this.crashListeners.push(listener);
  }

  start(): void {
    if (this.state === "running") throw new Error(`process ${this.name} is already running`);
    this.incarnation++;
    this.state = "running";
    this.crashListeners.length = 0;
    const inc = this.incarnation;
    this.sched.note(`start ${this.name}#${inc}`);
    this.sched.after(
      0,
      `boot ${this.name}`,
      () => {
        this.main(this).then(
          () => {
            if (this.incarnation === inc && this.state === "running") this.state = "exited";
          },
          (err: unknown) => {
            if (this.incarnation !== inc || this.state !== "running") return;
            this.state = "failed";
            this.sched.note(`failed ${this.name}#${inc}: ${String(err)}`);
            this.hooks.onFailure?.(this, err);
          },
        );
      },
      this.guard(),
    );
  }

  crash(): void {
    if (this.state !== "running") return;
    this.sched.note(`crash ${this.name}#${this.incarnation}`);
    this.state = "crashed";
    this.incarnation++; // invalidates every guard of the dead incarnation
    const listeners = this.crashListeners.splice(0);
    for (const l of listeners) l();
  }

  restart(): void {
    if (this.state === "running") this.crash();
    this.start();
  }
}
