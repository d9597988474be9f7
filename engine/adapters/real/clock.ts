/** The Clock port on the OS clock: Date.now and setTimeout. A dead incarnation's sleeps never end. */
import type { Clock } from "../../ports/clock.ts";
import type { Life } from "./life.ts";

export function realClock(life?: Life): Clock {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  life?.whenDead(() => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  });
  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const t = setTimeout(
        () => {
          timers.delete(t);
          resolve();
        },
        Math.max(0, ms),
      );
      timers.add(t);
    });
  return {
    now: () => Date.now(),
    sleep: (ms) => (life ? life.guard(() => sleep(ms)) : sleep(ms)),
  };
}
