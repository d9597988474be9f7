/**
 * Planted bugs: known mistakes from DOMAIN.md's bug classes that tradesim can put into the
 * engine for one run (mutation testing of the harness itself). A plant either wraps a service's
 * ports (rewriting what it sends to the store) or patches an engine class for the duration of a
 * run. `tradesim run|campaign|replay --plant NAME` shows the invariants catch each one; the test
 * suite proves it for every plant.
 */

import { MatchingService } from "../../engine/me/service.ts";
import type { CqlValue, Ports, QueryOptions, Store } from "../../engine/ports/index.ts";
import { UbscoreState } from "../../engine/ubscore/state.ts";

export interface Plant {
  name: string;
  bugClass: string;
  does: string;
  /** Wraps the ports of a service process (after they are built), if the plant needs to. */
  wrapPorts?: (service: string, ports: Ports) => Ports;
  /** Patches engine code; returns the undo. */
  patch?: () => () => void;
}

function rewriteStore(store: Store, rewrite: (q: string, p: CqlValue[]) => [string, CqlValue[]]): Store {
  return {
    connect: () => store.connect(),
    shutdown: () => store.shutdown(),
    execute: (q: string, p: CqlValue[] = [], o?: QueryOptions) => {
      const [q2, p2] = rewrite(q, p);
      return store.execute(q2, p2, o);
    },
    batch: (qs, o) =>
      store.batch(
        qs.map((s) => {
          const [query, params] = rewrite(s.query, s.params ?? []);
          return { query, params };
        }),
        o,
      ),
  };
}

export const PLANTS: readonly Plant[] = [
  {
    name: "me-seq-reset",
    bugClass: "sequence numbers that restart from zero after a crash, so new output is skipped as old",
    does: "the matching engine forgets its output_seq on restart and numbers new outputs from 1 again",
    patch: () => {
      const original = MatchingService.prototype.start;
      MatchingService.prototype.start = async function (this: MatchingService) {
        await original.call(this);
        for (const b of this.state.books.values()) b.lastOutputSeq = 0n;
      };
      return () => {
        MatchingService.prototype.start = original;
      };
    },
  },
  {
    name: "ubscore-no-dedupe",
    bugClass: "duplicate processing after redelivery (no idempotency on request ids or trade ids)",
    does: "UBSCore neither recognises a redelivered input nor remembers request ids, so a retried request is applied again",
    patch: () => {
      const proto = UbscoreState.prototype;
      const isApplied = proto.isApplied;
      const applyOperation = proto.applyOperation;
      proto.isApplied = () => false;
      proto.applyOperation = function (this: UbscoreState, raw: string, ...rest: unknown[]) {
        try {
          const op = JSON.parse(raw) as { user_id?: unknown; request_id?: unknown };
          this.requests.delete(`${String(op.user_id)}:${String(op.request_id)}`);
        } catch {
          // not JSON: let the original report it
        }
        return (applyOperation as (...a: unknown[]) => void).call(this, raw, ...rest);
      } as typeof applyOperation;
      return () => {
        proto.isApplied = isApplied;
        proto.applyOperation = applyOperation;
      };
    },
  },
  {
    name: "ledger-ms-key",
    bugClass: "ledger keys that collide, so one row overwrites another",
    does: "Settlement keys balance_ledger rows by the event's millisecond timestamp instead of its seq",
    wrapPorts: (service, ports) =>
      service !== "settlement"
        ? ports
        : {
            ...ports,
            store: rewriteStore(ports.store, (q, p) =>
              /^INSERT INTO \S*balance_ledger /.test(q) ? [q, [p[0], p[1], p[9], ...p.slice(3)]] : [q, p],
            ),
          },
  },
  {
    name: "balance-partial-key",
    bugClass: "reads that do not restrict the full partition key",
    does: "the gateway reads balances with WHERE user_id = ? only, without asset_id",
    wrapPorts: (service, ports) =>
      service !== "gateway"
        ? ports
        : {
            ...ports,
            store: rewriteStore(ports.store, (q, p) =>
              /FROM \S*balance_ledger WHERE user_id = \? AND asset_id = \?/.test(q)
                ? [q.replace(" AND asset_id = ?", ""), [p[0], ...p.slice(2)]]
                : [q, p],
            ),
          },
  },
  {
    name: "wrong-keyspace",
    bugClass: "reads that name the wrong keyspace or table",
    does: "the gateway reads balances from keyspace `exchange` instead of `trading`",
    wrapPorts: (service, ports) =>
      service !== "gateway"
        ? ports
        : {
            ...ports,
            store: rewriteStore(ports.store, (q, p) => [
              q.replace(/\btrading\.balance_ledger\b/, "exchange.balance_ledger"),
              p,
            ]),
          },
  },
];

export const PLANT_NAMES = PLANTS.map((p) => p.name);

export function plantByName(name: string): Plant {
  const p = PLANTS.find((x) => x.name === name);
  if (p === undefined)
    throw new RangeError(`unknown plant ${JSON.stringify(name)} (known: ${PLANT_NAMES.join(", ")})`);
  return p;
}
