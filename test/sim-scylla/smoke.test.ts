import { it } from "vitest";
import { makeSim, simStore } from "./harness.ts";

it("smoke", async () => {
  const sim = makeSim();
  const { store } = simStore(sim);
  const run = async (q: string, p?: any[], o?: any) => {
    try {
      const rs = await store.execute(q, p, o);
      console.log("OK ", q, JSON.stringify(rs.columns?.map((c) => c.name)), JSON.stringify(rs.rows, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)));
    } catch (e: any) {
      console.log("ERR", q, e.name, e.code?.toString(16), JSON.stringify(e.message));
    }
  };
  await run("CREATE KEYSPACE p1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await run("CREATE TABLE p1.ledger (user_id bigint, asset_id int, seq bigint, avail bigint, frozen bigint, event_type text, PRIMARY KEY ((user_id, asset_id), seq)) WITH CLUSTERING ORDER BY (seq DESC)");
  await run("CREATE TABLE p1.kv (k text PRIMARY KEY, v bigint, b boolean, i int)");
  await run("CREATE TABLE p1.c2 (p text, a int, b int, v text, PRIMARY KEY (p, a, b)) WITH CLUSTERING ORDER BY (a DESC, b ASC)");
  for (let i = 1; i <= 5; i++) await run("INSERT INTO p1.ledger (user_id, asset_id, seq, avail) VALUES (?, ?, ?, ?)", [1n, 2, BigInt(i), BigInt(i * 10)], { prepare: true });
  await run("SELECT * FROM p1.ledger WHERE user_id = ? AND asset_id = ? LIMIT 1", [1n, 2], { prepare: true });
  await run("SELECT seq FROM p1.ledger WHERE user_id = 1 AND asset_id = 2 ORDER BY seq ASC");
  await run("SELECT seq FROM p1.ledger WHERE user_id = 1 AND asset_id = 2 AND seq > 2 AND seq <= 4");
  await run("SELECT * FROM p1.ledger WHERE user_id = 1");
  for (const k of ["a", "b", "c", "d", "e", "zz"]) await run(`INSERT INTO p1.kv (k, v) VALUES ('${k}', 1)`);
  await run("SELECT k, token(k) FROM p1.kv");
  await run("SELECT k FROM p1.kv WHERE k IN ('e', 'zz', 'a', 'd', 'c', 'b')");
  await run("INSERT INTO p1.kv (k, v) VALUES ('n', 1) IF NOT EXISTS");
  await run("INSERT INTO p1.kv (k, v) VALUES ('n', 2) IF NOT EXISTS");
  await run("UPDATE p1.kv SET v = 3 WHERE k = 'n' IF b = true AND v = 2");
  await run("UPDATE p1.kv SET v = 3 WHERE k = 'n' IF v = 1");
  await run("UPDATE p1.kv SET v = 3 WHERE k = 'zz2' IF v = 1");
  for (const [a, b] of [[1, 1], [1, 2], [2, 1], [2, 2], [3, 1]]) await run(`INSERT INTO p1.c2 (p, a, b, v) VALUES ('x', ${a}, ${b}, 'x${a}${b}')`);
  await run("SELECT * FROM p1.c2 WHERE p = 'x'");
  await run("SELECT * FROM p1.c2 WHERE p = 'x' ORDER BY a ASC");
  await run("SELECT * FROM p1.c2 WHERE p = 'x' AND a IN (1, 3)");
  await run("SELECT * FROM p1.c2 WHERE p = 'x' AND a >= 1 AND a < 3");
  await run("DELETE FROM p1.c2 WHERE p = 'x' AND a = 2");
  await run("INSERT INTO p1.c2 (p, a, b, v) VALUES ('x', 2, 5, 'x25') USING TIMESTAMP 1000");
  await run("SELECT * FROM p1.c2 WHERE p = 'x'");
  await run("SELECT COUNT(*), v FROM p1.c2 WHERE p = 'x'");
  await run("SELECT * FROM p1.kv WHERE k = ?", ["a", "b"]);
  await run("SELECT * FROM p1.kv WHERE k = ?", ["a", "b"], { prepare: true });
  await run("INSERT INTO p1.kv (k, v) VALUES (?, ?)", ["num", 5]);
  await run("SELECT * FROM p1.kv WHERE k = 'num'");
  await run("SELECT * FORM p1.kv");
  await run("SELECT * FROM p1.ledger WHERE user_id = 1 AND asset_id = 1 ALLOW FILTERING ORDER BY seq");
  await run("INSERT INTO p1.kv (k, v) VALUES ('a', 1");
  await run("SELECT * FROM p1.kv WHERE");
});
