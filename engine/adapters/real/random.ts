/** The Random port on node:crypto (real mode is not meant to be reproducible event by event). */
import { randomBytes, randomInt } from "node:crypto";
import type { Random } from "../../ports/random.ts";

const MAX_RANDOM_INT = 2 ** 48;

export function realRandom(): Random {
  return {
    int(n: number): number {
      if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`random.int: bad bound ${n}`);
      if (n <= MAX_RANDOM_INT) return randomInt(n);
      return Number(randomBytes(8).readBigUInt64BE() % BigInt(n));
    },
    hex(length: number): string {
      if (!Number.isSafeInteger(length) || length < 0)
        throw new RangeError(`random.hex: bad length ${length}`);
      return randomBytes(Math.ceil(length / 2))
        .toString("hex")
        .slice(0, length);
    },
  };
}
