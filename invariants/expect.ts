/**
 * A scenario's `expect` step, checked after the pipeline is quiet, through what a client can
 * observe: balances and orders as the gateway answers them, trades as Settlement stored them.
 * A mismatch is a violation like any other (invariant "expect").
 */

import { parseDecimal } from "../engine/domain/amount.ts";
import { assetByCode } from "../engine/domain/assets.ts";
import { SYMBOLS } from "../engine/domain/symbols.ts";
import type { StepOf } from "../scenarios/format.ts";
import type { Audit } from "./auditor.ts";
import type { AuditedWorld } from "./types.ts";

function minor(text: string, assetCode: string): bigint | null {
  try {
    const a = assetByCode(assetCode);
    return parseDecimal(text, a.decimals, a.decimals, { allowZero: true, allowNegative: true });
  } catch {
    return null;
  }
}

export async function checkExpect(
  world: AuditedWorld,
  audit: Audit,
  step: StepOf<"expect">,
  index: number,
): Promise<void> {
  const where = `steps[${index}]`;
  for (const [userText, assets] of Object.entries(step.balances ?? {})) {
    const user = Number(userText);
    const answer = await world.ask(user, {
      method: "GET",
      path: "/api/user/balance",
      query: { user_id: user },
    });
    if (answer.kind !== "answer" || answer.envelope.status !== 0) {
      audit.report("expect", `${where}: balance of user ${user} could not be read`, {
        answer: answer.kind === "answer" ? `${answer.envelope.status} ${answer.envelope.msg}` : answer.reason,
      });
      continue;
    }
    const rows = answer.envelope.data as Array<{ asset: string; avail: string; frozen: string }>;
    for (const [asset, want] of Object.entries(assets)) {
      const row = rows.find((r) => r.asset === asset);
      for (const field of ["avail", "frozen"] as const) {
        const expected = want[field];
        if (expected === undefined) continue;
        const got = row?.[field] ?? "0";
        const e = minor(expected, asset);
        const g = minor(got, asset);
        if (e === null) {
          audit.report(
            "expect",
            `${where}.balances.${userText}.${asset}.${field}: cannot compare ${expected} for asset ${asset}`,
          );
        } else if (g === null || e !== g) {
          audit.report("expect", `${where}: user ${user} ${asset} ${field} is ${got}, expected ${expected}`, {
            user,
            asset,
            field,
            expected,
            got,
          });
        }
      }
    }
  }
  for (const [userText, byCid] of Object.entries(step.orders ?? {})) {
    const user = Number(userText);
    const statuses = new Map<string, string>();
    for (const s of SYMBOLS) {
      const answer = await world.ask(user, {
        method: "GET",
        path: "/api/user/order_history",
        query: { user_id: user, symbol: s.name, limit: 1000 },
      });
      if (answer.kind === "answer" && answer.envelope.status === 0) {
        for (const o of answer.envelope.data as Array<{ cid: string | null; order_status: string }>)
          if (o.cid !== null) statuses.set(o.cid, o.order_status);
      }
    }
    for (const [cid, want] of Object.entries(byCid)) {
      const got = statuses.get(cid) ?? "(no such order)";
      if (got !== want)
        audit.report("expect", `${where}: user ${user} order ${cid} is ${got}, expected ${want}`, {
          user,
          cid,
          expected: want,
          got,
        });
    }
  }
  if (step.trades !== undefined) {
    const got = world.settledTradeCount();
    if (got !== step.trades)
      audit.report("expect", `${where}: ${got} trades settled, expected ${step.trades}`, {
        expected: step.trades,
        got,
      });
  }
}
