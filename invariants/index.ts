/**
 * Every invariant family, one per file. A factory, because some families keep incremental state
 * that belongs to one run.
 */
import { agreement } from "./agreement.ts";
import { bookInvariant } from "./book.ts";
import { conservation } from "./conservation.ts";
import { frozenHolds } from "./frozen-holds.ts";
import { ledgerChainInvariant } from "./ledger-chain.ts";
import { nonNegative } from "./non-negative.ts";
import { ordersTerminal } from "./orders-terminal.ts";
import { outputSeqInvariant } from "./output-seq.ts";
import { requestIdsInvariant } from "./request-ids.ts";
import { tradesOnceInvariant } from "./trades-once.ts";
import type { Invariant } from "./types.ts";

export const ALL_INVARIANTS = (): Invariant[] => [
  conservation,
  nonNegative,
  frozenHolds,
  ledgerChainInvariant(),
  outputSeqInvariant(),
  bookInvariant(),
  requestIdsInvariant(),
  tradesOnceInvariant(),
  agreement,
  ordersTerminal,
];

export const INVARIANT_NAMES = [
  "conservation",
  "non-negative",
  "frozen-holds",
  "ledger-chain",
  "output-seq",
  "book",
  "request-ids",
  "trades-once",
  "agreement",
  "orders-terminal",
  "expect",
  "reads",
  "liveness",
  "messages-well-formed",
  "process-failure",
] as const;
