/**
 * Conformance cases: every statement form, every validation error and the semantics (LWW,
 * tombstones, conditional results, batches) the simulator models, written against the Store port
 * only, so the same case runs on the simulator and on a real Cassandra. Every case creates its
 * own tables in the keyspace it is given (`{ks}`).
 *
 * Golden transcripts recorded from Apache Cassandra 5.0.9 live in golden/; conformance.test.ts
 * checks the simulator against them, `tradesim conformance --adapters both` runs both sides live when a
 * Cassandra is reachable (TRADESIM_CASSANDRA=host:port).
 */
import type { ConformanceCase } from "./conformance.ts";

const P = { prepare: true } as const;

/** kv: one text key, a bigint, a boolean, an int. */
const kv = (t: string) => `CREATE TABLE {ks}.${t} (k text PRIMARY KEY, v bigint, b boolean, i int)`;
/** ledger: composite partition key, one DESC clustering column (balance_ledger's shape). */
const ledger = (t: string) =>
  `CREATE TABLE {ks}.${t} (user_id bigint, asset_id int, seq bigint, avail bigint, frozen bigint, event_type text, PRIMARY KEY ((user_id, asset_id), seq)) WITH CLUSTERING ORDER BY (seq DESC)`;
/** c2: two clustering columns, mixed order. */
const c2 = (t: string) =>
  `CREATE TABLE {ks}.${t} (p text, a int, b int, v text, PRIMARY KEY (p, a, b)) WITH CLUSTERING ORDER BY (a DESC, b ASC)`;

export const CASES: ConformanceCase[] = [
  {
    name: "ddl: keyspaces",
    setup: [],
    async run(r) {
      await r.exec(
        "CREATE KEYSPACE {ks}_k1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await r.exec(
        "CREATE KEYSPACE {ks}_k1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await r.exec(
        "CREATE KEYSPACE IF NOT EXISTS {ks}_k1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await r.exec("CREATE KEYSPACE {ks}_k2 WITH durable_writes = true");
      await r.exec("CREATE KEYSPACE {ks}_k2 WITH replication = {'replication_factor': 1}");
      await r.exec("DROP KEYSPACE {ks}_k1");
      await r.exec("DROP KEYSPACE {ks}_k1");
      await r.exec("DROP KEYSPACE IF EXISTS {ks}_k1");
      await r.exec("USE {ks}_nope");
      await r.exec("CREATE TABLE {ks}_nope.t (a int PRIMARY KEY)");
    },
  },
  {
    name: "ddl: tables",
    setup: [ledger("dt_ledger")],
    async run(r) {
      await r.exec(ledger("dt_ledger"));
      await r.exec(
        "CREATE TABLE IF NOT EXISTS {ks}.dt_ledger (user_id bigint, asset_id int, seq bigint, PRIMARY KEY ((user_id, asset_id), seq))",
      );
      await r.exec("CREATE TABLE {ks}.dt_bad1 (a int, b int)");
      await r.exec("CREATE TABLE {ks}.dt_bad2 (a int PRIMARY KEY, b int PRIMARY KEY)");
      await r.exec("CREATE TABLE {ks}.dt_bad3 (a int, b int, PRIMARY KEY (a, c))");
      await r.exec(
        "CREATE TABLE {ks}.dt_bad4 (a int, b int, PRIMARY KEY (a)) WITH CLUSTERING ORDER BY (b DESC)",
      );
      await r.exec("CREATE TABLE {ks}.dt_bad5 (a int, b foo, PRIMARY KEY (a))");
      await r.exec(
        "CREATE TABLE {ks}.dt_bad6 (a int, b int, c int, PRIMARY KEY (a, b, c)) WITH CLUSTERING ORDER BY (c DESC)",
      );
      await r.exec(
        "CREATE TABLE {ks}.dt_bad7 (a int, b int, c int, PRIMARY KEY (a, b, c)) WITH CLUSTERING ORDER BY (c DESC, b ASC)",
      );
      await r.exec("CREATE TABLE {ks}.dt_bad8 (a int, a int, PRIMARY KEY (a))");
      await r.exec("CREATE TABLE {ks}.dt_bad9 (k int, c int, v int, PRIMARY KEY (k, c, k))");
      await r.exec(
        "CREATE TABLE {ks}.dt_bad10 (k int, c int, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (c DESC, c DESC)",
      );
      await r.exec("CREATE TABLE {ks}.dt_bad11 (k int, c counter, PRIMARY KEY (k, c))");
      await r.exec("CREATE TABLE {ks}.dt_bad12 (k text PRIMARY KEY, c counter, v int)");
      await r.exec(
        "CREATE TABLE {ks}.dt_bad13 (k int, c int, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (k DESC)",
      );
      await r.exec("CREATE TABLE {ks}.dt_ok1 (k int, c int, v int, PRIMARY KEY ((k), c)) WITH comment = 'x'");
      await r.exec("CREATE TABLE {ks}.dt_ok2 (k int, c int, v int, PRIMARY KEY ((k, c)))");
      await r.exec("INSERT INTO {ks}.dt_ok2 (k, c, v) VALUES (1, 2, 3)");
      await r.exec("SELECT * FROM {ks}.dt_ok2");
      await r.exec("TRUNCATE {ks}.dt_ok2");
      await r.exec("SELECT * FROM {ks}.dt_ok2");
      await r.exec("TRUNCATE TABLE {ks}.dt_nope");
      await r.exec("DROP TABLE {ks}.dt_nope");
      await r.exec("DROP TABLE IF EXISTS {ks}.dt_nope");
      await r.exec("DROP TABLE {ks}.dt_ok1");
      await r.exec("SELECT * FROM {ks}.dt_ok1");
      await r.exec('CREATE TABLE {ks}."DtQuoted" ("Col" int PRIMARY KEY, v int)');
      await r.exec('INSERT INTO {ks}."DtQuoted" ("Col", v) VALUES (1, 2)');
      await r.exec('SELECT * FROM {ks}."DtQuoted"');
      await r.exec("SELECT * FROM {ks}.DtQuoted");
      await r.exec('SELECT col FROM {ks}."DtQuoted"');
    },
  },
  {
    name: "unknown keyspace, table, missing keyspace",
    setup: [kv("uk_kv")],
    async run(r) {
      await r.exec("SELECT * FROM {ks}_nope.t");
      await r.exec("SELECT * FROM {ks}.nope");
      await r.exec("INSERT INTO {ks}_nope.t (a) VALUES (1)");
      await r.exec("INSERT INTO {ks}.nope (a) VALUES (1)");
      await r.exec("UPDATE {ks}.nope SET a = 1 WHERE b = 2");
      await r.exec("DELETE FROM {ks}.nope WHERE b = 2");
      await r.exec("SELECT * FROM uk_kv");
      await r.exec("SELECT * FROM {ks}.UK_KV WHERE K = 'a'");
    },
  },
  {
    name: "undefined columns",
    setup: [kv("uc_kv"), ledger("uc_ledger")],
    async run(r) {
      await r.exec("SELECT x FROM {ks}.uc_kv");
      await r.exec("SELECT * FROM {ks}.uc_kv WHERE x = 1");
      await r.exec("SELECT x FROM {ks}.uc_ledger WHERE y = 1");
      await r.exec("INSERT INTO {ks}.uc_kv (k, x) VALUES ('a', 1)");
      await r.exec("UPDATE {ks}.uc_kv SET x = 1 WHERE k = 'a'");
      await r.exec("UPDATE {ks}.uc_kv SET v = 1 WHERE k = 'a' IF x = 1");
      await r.exec("DELETE x FROM {ks}.uc_kv WHERE k = 'a'");
      await r.exec("SELECT * FROM {ks}.uc_ledger WHERE user_id = 1 AND asset_id = 1 ORDER BY x DESC");
      await r.exec("SELECT * FROM {ks}.uc_ledger WHERE user_id = 1 AND asset_id = 1 AND x = 1");
      await r.exec("SELECT writetime(user_id) FROM {ks}.uc_ledger WHERE user_id = 1 AND asset_id = 1");
    },
  },
  {
    name: "partition key restrictions",
    setup: [ledger("pk_ledger")],
    async run(r) {
      for (const [u, a, s] of [
        [1, 1, 1],
        [1, 1, 2],
        [1, 2, 1],
        [2, 1, 1],
      ])
        await r.exec(
          `INSERT INTO {ks}.pk_ledger (user_id, asset_id, seq, avail) VALUES (${u}, ${a}, ${s}, ${u * 100 + a * 10 + s})`,
        );
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id = 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE asset_id = 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE seq = 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id = 1 AND seq = 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE avail = 3");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id > 1 AND asset_id = 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id = 1 AND asset_id > 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id = 1 AND asset_id = 1 AND avail = 112");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id = 1 AND asset_id = 1");
      await r.exec("SELECT seq, avail FROM {ks}.pk_ledger WHERE user_id = 1 ALLOW FILTERING");
      await r.exec(
        "SELECT seq, avail FROM {ks}.pk_ledger WHERE user_id = 1 AND asset_id = 1 AND avail = 112 ALLOW FILTERING",
      );
      await r.exec("SELECT user_id, asset_id, seq FROM {ks}.pk_ledger WHERE seq = 1 ALLOW FILTERING");
      await r.exec("SELECT user_id, asset_id, seq FROM {ks}.pk_ledger WHERE user_id > 1 ALLOW FILTERING");
      await r.exec("SELECT COUNT(*) FROM {ks}.pk_ledger");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id = 1 AND user_id = 2 AND asset_id = 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id IN (1, 2) AND asset_id IN (1, 2) AND seq = 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id IN (2, 1) AND asset_id = 1 AND seq > 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id = null AND asset_id = 1");
      await r.exec("SELECT * FROM {ks}.pk_ledger WHERE user_id = 'a' AND asset_id = 1");
    },
  },
  {
    name: "clustering restrictions",
    setup: [c2("cr_c2")],
    async run(r) {
      for (const [a, b] of [
        [1, 1],
        [1, 2],
        [2, 1],
        [2, 2],
        [3, 1],
      ])
        await r.exec(`INSERT INTO {ks}.cr_c2 (p, a, b, v) VALUES ('x', ${a}, ${b}, 'x${a}${b}')`);
      await r.exec("INSERT INTO {ks}.cr_c2 (p, a, b, v) VALUES ('y', 1, 1, 'y11')");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x'");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a IN (1, 3)");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a = 2 AND b IN (2, 1, 2)");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a > 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a >= 1 AND a < 3");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a = 1 AND b > 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a IN (1, 2) AND b > 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a IN (1, 2) AND b = 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a < 1 AND a > 2");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a > null");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND b = 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND b > 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE b = 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE a = 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a > 1 AND b > 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE a > 1 AND b > 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE b > 1 AND a > 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND b = 1 AND a > 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a = 1 AND a = 2");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a = 1 AND a > 2");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a > 1 AND a IN (2)");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a > 1 AND a >= 2");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a < 1 AND a <= 2");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a != 1");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a = 'str'");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND b = 1 ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE b = 1 ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE p = 'x' AND a > 1 AND b = 1 ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.cr_c2 WHERE a > 1 AND b > 1 ALLOW FILTERING");
    },
  },
  {
    name: "filtering on regular columns",
    setup: [c2("fr_c2")],
    async run(r) {
      for (const [a, b] of [
        [1, 1],
        [1, 2],
        [2, 1],
        [2, 2],
      ])
        await r.exec(`INSERT INTO {ks}.fr_c2 (p, a, b, v) VALUES ('x', ${a}, ${b}, 'x${a}${b}')`);
      await r.exec("INSERT INTO {ks}.fr_c2 (p, a, b) VALUES ('x', 9, 9)");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE v = 'x11'");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE p = 'x' AND a = 1 AND b = 1 AND v = 'x11'");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE p = 'x' AND v > 'x2' ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE p = 'x' AND v IN ('x11', 'x22') ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE v > 'a' AND v < 'x2' ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE v > 'a' AND v > 'b' ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE v = 'a' AND v = 'b' ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE p = 'x' AND v = null ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE p = 'x' AND v > null ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE p = 'x' AND v IN ('x12', null) ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE p = 'x' AND v != 'a' ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.fr_c2 WHERE p = 'x' AND v = ? ALLOW FILTERING", [null], P);
    },
  },
  {
    name: "ORDER BY",
    setup: [ledger("ob_ledger"), c2("ob_c2")],
    async run(r) {
      for (let s = 1; s <= 4; s++)
        await r.exec(
          `INSERT INTO {ks}.ob_ledger (user_id, asset_id, seq, avail) VALUES (1, 2, ${s}, ${s * 10})`,
        );
      for (const [a, b] of [
        [1, 1],
        [1, 2],
        [2, 1],
      ])
        await r.exec(`INSERT INTO {ks}.ob_c2 (p, a, b, v) VALUES ('x', ${a}, ${b}, 'x${a}${b}')`);
      await r.exec("INSERT INTO {ks}.ob_c2 (p, a, b, v) VALUES ('y', 1, 1, 'y11')");
      await r.exec("SELECT seq FROM {ks}.ob_ledger WHERE user_id = 1 AND asset_id = 2");
      await r.exec("SELECT seq FROM {ks}.ob_ledger WHERE user_id = 1 AND asset_id = 2 ORDER BY seq ASC");
      await r.exec(
        "SELECT seq FROM {ks}.ob_ledger WHERE user_id = 1 AND asset_id = 2 ORDER BY seq DESC LIMIT 2",
      );
      await r.exec(
        "SELECT seq FROM {ks}.ob_ledger WHERE user_id = 1 AND asset_id = 2 ORDER BY seq ASC LIMIT 1",
      );
      await r.exec(
        "SELECT seq FROM {ks}.ob_ledger WHERE user_id = 1 AND asset_id = 2 AND seq > 1 ORDER BY seq ASC",
      );
      await r.exec(
        "SELECT seq FROM {ks}.ob_ledger WHERE user_id = 1 AND asset_id = 2 AND seq IN (3, 1) ORDER BY seq ASC",
      );
      await r.exec(
        "SELECT seq FROM {ks}.ob_ledger WHERE user_id = 1 AND asset_id = 2 ORDER BY seq DESC, seq ASC",
      );
      await r.exec("SELECT * FROM {ks}.ob_ledger ORDER BY seq DESC");
      await r.exec("SELECT * FROM {ks}.ob_ledger ORDER BY avail DESC");
      await r.exec("SELECT * FROM {ks}.ob_ledger WHERE user_id = 1 ORDER BY seq DESC");
      await r.exec("SELECT * FROM {ks}.ob_ledger WHERE user_id = 1 ORDER BY seq DESC ALLOW FILTERING");
      await r.exec("SELECT * FROM {ks}.ob_ledger WHERE user_id = 1 AND asset_id = 2 ORDER BY avail DESC");
      await r.exec("SELECT * FROM {ks}.ob_ledger WHERE user_id = 1 ALLOW FILTERING ORDER BY seq");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x'");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' ORDER BY a ASC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' ORDER BY a ASC, b DESC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' ORDER BY a DESC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' ORDER BY a ASC, b ASC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' ORDER BY a DESC, b DESC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' ORDER BY b ASC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' AND a = 1 ORDER BY b DESC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' AND a IN (1, 2) ORDER BY b DESC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' AND a IN (1, 2) ORDER BY a ASC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p IN ('x', 'y') ORDER BY a DESC");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p IN ('x', 'y') ORDER BY a DESC LIMIT 10");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE v = 'q' ORDER BY a");
      await r.exec("SELECT * FROM {ks}.ob_c2 WHERE p = 'x' AND v = 'q' ORDER BY a");
    },
  },
  {
    name: "LIMIT",
    setup: [ledger("li_ledger")],
    async run(r) {
      for (let s = 1; s <= 3; s++)
        await r.exec(`INSERT INTO {ks}.li_ledger (user_id, asset_id, seq) VALUES (1, 1, ${s})`);
      await r.exec("SELECT seq FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT 1");
      await r.exec("SELECT seq FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT 10");
      await r.exec("SELECT seq FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT 0");
      await r.exec("SELECT seq FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT -1");
      await r.exec("SELECT seq FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT ?", [2], P);
      await r.exec("SELECT seq FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT ?", [0], P);
      await r.exec("SELECT seq FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT ?", [2]);
      await r.exec("SELECT seq FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT 'a'");
      await r.exec("SELECT COUNT(*) FROM {ks}.li_ledger WHERE user_id = 1 AND asset_id = 1 LIMIT 1");
      await r.exec("SELECT seq FROM {ks}.li_ledger LIMIT 2");
    },
  },
  {
    name: "INSERT: forms and errors",
    setup: [kv("in_kv"), ledger("in_ledger"), c2("in_c2")],
    async run(r) {
      await r.exec("INSERT INTO {ks}.in_kv (k, v, b, i) VALUES ('a', 1, true, 2)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v, b, i) VALUES (?, ?, ?, ?)", ["b", 2n, false, -3], P);
      await r.exec("INSERT INTO {ks}.in_kv (k) VALUES ('pkonly')");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('neg', -9223372036854775808)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('q''uote', 1)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ($$dollar$$, 1)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('tt', 5) USING TTL 100");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('tt2', 5) USING TIMESTAMP 5 AND TTL 100");
      await r.exec(
        "SELECT * FROM {ks}.in_kv WHERE k IN ('a', 'b', 'pkonly', 'neg', 'q''uote', 'dollar', 'tt', 'tt2')",
      );
      await r.exec("INSERT INTO {ks}.in_ledger (user_id, seq, avail) VALUES (1, 1, 1)");
      await r.exec("INSERT INTO {ks}.in_ledger (user_id, asset_id, avail) VALUES (1, 1, 1)");
      await r.exec("INSERT INTO {ks}.in_ledger (avail) VALUES (1)");
      await r.exec("INSERT INTO {ks}.in_c2 (p, v) VALUES ('x', 'y')");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('a', 'str')");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES (1, 2)");
      await r.exec("INSERT INTO {ks}.in_kv (k, b) VALUES ('a', 1)");
      await r.exec("INSERT INTO {ks}.in_kv (k, i) VALUES ('a', 'x')");
      await r.exec("INSERT INTO {ks}.in_kv (k, i) VALUES ('a', 3000000000)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('a', 1.5)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('a', true)");
      await r.exec(
        "INSERT INTO {ks}.in_ledger (user_id, asset_id, seq, avail) VALUES (1, 1, 9223372036854775808, 1)",
      );
      await r.exec("INSERT INTO {ks}.in_kv (k, v, v) VALUES ('a', 1, 2)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('a')");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('a', 1, 2)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES (null, 1)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('', 1)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES (?, ?)", ["", 1n], P);
      await r.exec("INSERT INTO {ks}.in_ledger (user_id, asset_id, seq) VALUES (1, 1, null)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUE ('a', 1)");
      await r.exec("INSERT INTO {ks}.in_kv (k, v) VALUES ('a', 1");
    },
  },
  {
    name: "UPDATE: forms and errors",
    setup: [kv("up_kv"), ledger("up_ledger"), c2("up_c2")],
    async run(r) {
      await r.exec("UPDATE {ks}.up_kv SET v = 1, b = true WHERE k = 'a'");
      await r.exec("UPDATE {ks}.up_kv USING TIMESTAMP 10 SET i = 7 WHERE k = 'a'");
      await r.exec("UPDATE {ks}.up_kv SET v = 1 WHERE k IN ('in1', 'in2')");
      await r.exec("UPDATE {ks}.up_kv SET v = ? WHERE k = ?", [5n, "p"], P);
      await r.exec("SELECT * FROM {ks}.up_kv");
      await r.exec("UPDATE {ks}.up_c2 SET v = 'a' WHERE p = 'x' AND a IN (1, 2) AND b = 3");
      await r.exec("SELECT * FROM {ks}.up_c2 WHERE p = 'x'");
      await r.exec("UPDATE {ks}.up_ledger SET avail = 1 WHERE user_id = 1 AND seq = 1");
      await r.exec("UPDATE {ks}.up_ledger SET avail = 1 WHERE user_id = 1 AND asset_id = 1");
      await r.exec("UPDATE {ks}.up_c2 SET v = 'a' WHERE p = 'x' AND b = 1");
      await r.exec("UPDATE {ks}.up_c2 SET v = 'a' WHERE a = 1 AND b = 1");
      await r.exec("UPDATE {ks}.up_c2 SET v = 'a' WHERE p = 'x' AND a = 1 AND b > 1");
      await r.exec("UPDATE {ks}.up_c2 SET v = 'a' WHERE p = 'x' AND b = 1 AND a > 1");
      await r.exec("UPDATE {ks}.up_c2 SET v = 'a' WHERE p = 'x' AND a = 1 AND b = 1 AND b = 2");
      await r.exec("UPDATE {ks}.up_kv SET k = 'b' WHERE k = 'a'");
      await r.exec("UPDATE {ks}.up_c2 SET p = 'a', x = 'b' WHERE p = 'x'");
      await r.exec("UPDATE {ks}.up_c2 SET v = 'a', x = 'b' WHERE p = 'x'");
      await r.exec(
        "UPDATE {ks}.up_ledger SET avail = 1 WHERE user_id = 1 AND asset_id = 1 AND seq = 1 AND avail = 2",
      );
      await r.exec("UPDATE {ks}.up_ledger SET avail = 1 WHERE user_id > 1 AND asset_id = 1 AND seq = 1");
      await r.exec(
        "UPDATE {ks}.up_ledger SET avail = 1 WHERE user_id = 1 AND user_id = 2 AND asset_id = 1 AND seq = 1",
      );
      await r.exec("UPDATE {ks}.up_kv SET v = v + 1 WHERE k = 'a'");
      await r.exec("UPDATE {ks}.up_kv SET v = 1, v = 2 WHERE k = 'a'");
      await r.exec("UPDATE {ks}.up_kv SET v = 'x' WHERE k = 'a'");
      await r.exec("UPDATE {ks}.up_kv SET v = 1 WHERE k = null");
    },
  },
  {
    name: "DELETE: rows, partitions, ranges, columns, errors",
    setup: [c2("de_c2"), kv("de_kv"), ledger("de_ledger")],
    async run(r) {
      const fill = async () => {
        for (const [a, b] of [
          [1, 1],
          [1, 2],
          [2, 1],
          [2, 2],
          [3, 1],
        ])
          await r.exec(`INSERT INTO {ks}.de_c2 (p, a, b, v) VALUES ('x', ${a}, ${b}, 'x${a}${b}')`);
      };
      await fill();
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p = 'x' AND a = 2 AND b = 2");
      await r.exec("SELECT * FROM {ks}.de_c2 WHERE p = 'x'");
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p = 'x' AND a = 2");
      await r.exec("SELECT * FROM {ks}.de_c2 WHERE p = 'x'");
      await r.exec("INSERT INTO {ks}.de_c2 (p, a, b, v) VALUES ('x', 2, 5, 'old') USING TIMESTAMP 1000");
      await r.exec("SELECT * FROM {ks}.de_c2 WHERE p = 'x'");
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p = 'x' AND a >= 3");
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p = 'x' AND a = 1 AND b > 1");
      await r.exec("SELECT * FROM {ks}.de_c2 WHERE p = 'x'");
      await r.exec("DELETE v FROM {ks}.de_c2 WHERE p = 'x' AND a = 1 AND b = 1");
      await r.exec("SELECT * FROM {ks}.de_c2 WHERE p = 'x'");
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p IN ('x', 'y')");
      await r.exec("SELECT * FROM {ks}.de_c2");
      await fill();
      await r.exec("SELECT COUNT(*) FROM {ks}.de_c2 WHERE p = 'x'");
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p = 'x' AND a IN (1, 2) AND b > 1");
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p = 'x' AND a > 1 AND a < 3");
      await r.exec("SELECT * FROM {ks}.de_c2 WHERE p = 'x'");
      await r.exec("DELETE v, v FROM {ks}.de_c2 WHERE p = 'x' AND a = 1 AND b = 1");
      await r.exec("INSERT INTO {ks}.de_kv (k, v, b) VALUES ('a', 1, true)");
      await r.exec("DELETE v FROM {ks}.de_kv WHERE k = 'a'");
      await r.exec("SELECT * FROM {ks}.de_kv WHERE k = 'a'");
      await r.exec("DELETE FROM {ks}.de_kv WHERE k = 'a'");
      await r.exec("SELECT * FROM {ks}.de_kv WHERE k = 'a'");
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p = 'x' AND b = 1");
      await r.exec("DELETE FROM {ks}.de_c2 WHERE p = 'x' AND a > 1 AND b = 1");
      await r.exec("DELETE v FROM {ks}.de_c2 WHERE p = 'x' AND a = 1");
      await r.exec("DELETE v FROM {ks}.de_c2 WHERE p = 'x'");
      await r.exec("DELETE x FROM {ks}.de_c2 WHERE p = 'x' AND a = 1 AND b = 1");
      await r.exec("DELETE FROM {ks}.de_ledger WHERE user_id = 1");
      await r.exec("DELETE FROM {ks}.de_ledger WHERE user_id = 1 AND asset_id = 1 AND avail = 2");
      await r.exec("DELETE user_id FROM {ks}.de_ledger WHERE user_id = 1 AND asset_id = 1 AND seq = 1");
    },
  },
  {
    name: "last write wins, ties, timestamps",
    setup: [kv("lw_kv")],
    async run(r) {
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('a', 1) USING TIMESTAMP 10");
      await r.exec("SELECT k, v, writetime(v) FROM {ks}.lw_kv WHERE k = 'a'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('a', 2) USING TIMESTAMP 9");
      await r.exec("SELECT k, v, writetime(v) FROM {ks}.lw_kv WHERE k = 'a'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('a', 2) USING TIMESTAMP 10");
      await r.exec("SELECT v FROM {ks}.lw_kv WHERE k = 'a'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('a', -1) USING TIMESTAMP 10");
      await r.exec("SELECT v FROM {ks}.lw_kv WHERE k = 'a'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('a', 5) USING TIMESTAMP 10");
      await r.exec("SELECT v FROM {ks}.lw_kv WHERE k = 'a'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, i) VALUES ('t', 3) USING TIMESTAMP 10");
      await r.exec("INSERT INTO {ks}.lw_kv (k, i) VALUES ('t', -3) USING TIMESTAMP 10");
      await r.exec("INSERT INTO {ks}.lw_kv (k, b) VALUES ('t', true) USING TIMESTAMP 10");
      await r.exec("INSERT INTO {ks}.lw_kv (k, b) VALUES ('t', false) USING TIMESTAMP 10");
      await r.exec("SELECT i, b FROM {ks}.lw_kv WHERE k = 't'");
      await r.exec("UPDATE {ks}.lw_kv USING TIMESTAMP 10 SET v = null WHERE k = 'a'");
      await r.exec("SELECT * FROM {ks}.lw_kv WHERE k = 'a'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('d', 1) USING TIMESTAMP 100");
      await r.exec("DELETE FROM {ks}.lw_kv USING TIMESTAMP 100 WHERE k = 'd'");
      await r.exec("SELECT * FROM {ks}.lw_kv WHERE k = 'd'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('d', 2) USING TIMESTAMP 99");
      await r.exec("SELECT * FROM {ks}.lw_kv WHERE k = 'd'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('d', 3) USING TIMESTAMP 101");
      await r.exec("SELECT k, v, writetime(v) FROM {ks}.lw_kv WHERE k = 'd'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('o', 1)", [], { timestamp: 2000 });
      await r.exec("SELECT v, writetime(v) FROM {ks}.lw_kv WHERE k = 'o'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('o', 5) USING TIMESTAMP 2001", [], {
        timestamp: 1500,
      });
      await r.exec("SELECT v, writetime(v) FROM {ks}.lw_kv WHERE k = 'o'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('o', 6)", [], { timestamp: 1999 });
      await r.exec("SELECT v, writetime(v) FROM {ks}.lw_kv WHERE k = 'o'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('m', 1) USING TIMESTAMP -5");
      await r.exec("SELECT v, writetime(v) FROM {ks}.lw_kv WHERE k = 'm'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('m', 2) USING TIMESTAMP ?", [7n], P);
      await r.exec("SELECT v, writetime(v) FROM {ks}.lw_kv WHERE k = 'm'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('m', 2) USING TIMESTAMP 'a'");
      await r.exec("INSERT INTO {ks}.lw_kv (k, v) VALUES ('m', 2) USING TIMESTAMP ?", [5], P);
    },
  },
  {
    name: "row liveness: markers and null cells",
    setup: [kv("rl_kv")],
    async run(r) {
      await r.exec("INSERT INTO {ks}.rl_kv (k) VALUES ('pk')");
      await r.exec("SELECT * FROM {ks}.rl_kv WHERE k = 'pk'");
      await r.exec("UPDATE {ks}.rl_kv SET v = 1 WHERE k = 'upd'");
      await r.exec("UPDATE {ks}.rl_kv SET v = null WHERE k = 'upd'");
      await r.exec("SELECT * FROM {ks}.rl_kv WHERE k = 'upd'");
      await r.exec("INSERT INTO {ks}.rl_kv (k, v) VALUES ('ins', 1)");
      await r.exec("UPDATE {ks}.rl_kv SET v = null WHERE k = 'ins'");
      await r.exec("SELECT * FROM {ks}.rl_kv WHERE k = 'ins'");
      await r.exec("INSERT INTO {ks}.rl_kv (k, v) VALUES ('nul', null)");
      await r.exec("SELECT * FROM {ks}.rl_kv WHERE k = 'nul'");
      await r.exec("SELECT COUNT(*) FROM {ks}.rl_kv");
      await r.exec("SELECT k FROM {ks}.rl_kv");
    },
  },
  {
    name: "tombstones against later writes with older timestamps",
    setup: [c2("tb_c2"), kv("tb_kv")],
    async run(r) {
      await r.exec("INSERT INTO {ks}.tb_c2 (p, a, b, v) VALUES ('x', 1, 1, 'a') USING TIMESTAMP 10");
      await r.exec("DELETE FROM {ks}.tb_c2 USING TIMESTAMP 20 WHERE p = 'x'");
      await r.exec("INSERT INTO {ks}.tb_c2 (p, a, b, v) VALUES ('x', 2, 1, 'old') USING TIMESTAMP 19");
      await r.exec("INSERT INTO {ks}.tb_c2 (p, a, b, v) VALUES ('x', 3, 1, 'tie') USING TIMESTAMP 20");
      await r.exec("INSERT INTO {ks}.tb_c2 (p, a, b, v) VALUES ('x', 4, 1, 'new') USING TIMESTAMP 21");
      await r.exec("SELECT * FROM {ks}.tb_c2 WHERE p = 'x'");
      await r.exec("DELETE FROM {ks}.tb_c2 USING TIMESTAMP 30 WHERE p = 'y' AND a > 1 AND a <= 3");
      await r.exec("INSERT INTO {ks}.tb_c2 (p, a, b, v) VALUES ('y', 1, 1, 'out') USING TIMESTAMP 25");
      await r.exec("INSERT INTO {ks}.tb_c2 (p, a, b, v) VALUES ('y', 2, 1, 'in') USING TIMESTAMP 25");
      await r.exec("INSERT INTO {ks}.tb_c2 (p, a, b, v) VALUES ('y', 3, 5, 'edge') USING TIMESTAMP 30");
      await r.exec("UPDATE {ks}.tb_c2 USING TIMESTAMP 31 SET v = 'newer' WHERE p = 'y' AND a = 3 AND b = 6");
      await r.exec("INSERT INTO {ks}.tb_c2 (p, a, b, v) VALUES ('y', 4, 1, 'after') USING TIMESTAMP 25");
      await r.exec("SELECT * FROM {ks}.tb_c2 WHERE p = 'y'");
      await r.exec("SELECT * FROM {ks}.tb_c2 WHERE p = 'y' AND a IN (4, 3, 1) ORDER BY a ASC");
      await r.exec("SELECT p, a, b FROM {ks}.tb_c2 LIMIT 3");
      await r.exec("INSERT INTO {ks}.tb_kv (k) VALUES ('m')");
      await r.exec("INSERT INTO {ks}.tb_kv (k, v) VALUES ('m', 1) IF NOT EXISTS");
      await r.exec("UPDATE {ks}.tb_kv SET v = 1 WHERE k = 'u'");
      await r.exec("UPDATE {ks}.tb_kv SET v = null WHERE k = 'u'");
      await r.exec("UPDATE {ks}.tb_kv SET v = 2 WHERE k = 'u' IF EXISTS");
      await r.exec("DELETE v FROM {ks}.tb_kv WHERE k = 'm' IF EXISTS");
      await r.exec("SELECT * FROM {ks}.tb_kv");
      await r.exec("INSERT INTO {ks}.tb_kv (k, v) VALUES ('é', 1)");
      await r.exec("INSERT INTO {ks}.tb_kv (k, v) VALUES ('z', 1)");
      await r.exec("INSERT INTO {ks}.tb_kv (k, v) VALUES ('Z', 1)");
      await r.exec("SELECT k FROM {ks}.tb_kv WHERE k IN ('z', 'é', 'Z', 'm')");
    },
  },
  {
    name: "conditional INSERT, UPDATE, DELETE",
    setup: [kv("lt_kv"), c2("lt_c2"), ledger("lt_ledger")],
    async run(r) {
      await r.exec("INSERT INTO {ks}.lt_kv (k, v) VALUES ('n', 1) IF NOT EXISTS");
      await r.exec("INSERT INTO {ks}.lt_kv (k, v) VALUES ('n', 2) IF NOT EXISTS");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'n' IF v = 2");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'n' IF b = true AND v = 2");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'n' IF v = 2 AND b = true");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'n' IF v = 1 AND v = 2");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'n' IF v = 1");
      await r.exec("UPDATE {ks}.lt_kv SET v = 4 WHERE k = 'n' IF v = 3 AND b = null AND i = null");
      await r.exec("UPDATE {ks}.lt_kv SET v = 5 WHERE k = 'n' IF v < 5 AND v >= 4 AND v <= 4 AND v > 3");
      await r.exec("UPDATE {ks}.lt_kv SET v = 6 WHERE k = 'n' IF v != 5");
      await r.exec("UPDATE {ks}.lt_kv SET v = 6 WHERE k = 'n' IF v IN (null, 5)");
      await r.exec("UPDATE {ks}.lt_kv SET v = 7 WHERE k = 'n' IF v IN (1, 2)");
      await r.exec("UPDATE {ks}.lt_kv SET v = 7 WHERE k = 'n' IF v > 100");
      await r.exec("UPDATE {ks}.lt_kv SET v = 7 WHERE k = 'n' IF EXISTS");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'z1' IF v = 1");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'z1' IF EXISTS");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'z2' IF v = null");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'z3' IF v != 4");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'z4' IF v IN (null, 4)");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'z5' IF v > 4");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'z5' IF b = false");
      await r.exec("SELECT * FROM {ks}.lt_kv");
      await r.exec("UPDATE {ks}.lt_kv SET v = ? WHERE k = ? IF v = ?", [8n, "n", null], P);
      await r.exec("UPDATE {ks}.lt_kv SET v = ? WHERE k = ? IF v = ?", [8n, "n", 7n], P);
      await r.exec("DELETE FROM {ks}.lt_kv WHERE k = 'n' IF v = 1");
      await r.exec("DELETE v FROM {ks}.lt_kv WHERE k = 'n' IF v = 8");
      await r.exec("SELECT * FROM {ks}.lt_kv WHERE k = 'n'");
      await r.exec("DELETE FROM {ks}.lt_kv WHERE k = 'n' IF EXISTS");
      await r.exec("DELETE FROM {ks}.lt_kv WHERE k = 'n' IF EXISTS");
      await r.exec("INSERT INTO {ks}.lt_c2 (p, a, b) VALUES ('x', 1, 1) IF NOT EXISTS USING TTL 5");
      await r.exec("INSERT INTO {ks}.lt_c2 (p, a, b, v) VALUES ('x', 1, 1, 'q') IF NOT EXISTS");
      await r.exec("DELETE FROM {ks}.lt_c2 WHERE p = 'x' AND a = 1 AND b = 1 IF v = 'a'");
      await r.exec("DELETE FROM {ks}.lt_c2 WHERE p = 'x' AND a = 1 AND b = 2 IF EXISTS");
      await r.exec("DELETE FROM {ks}.lt_c2 WHERE p = 'x' AND a = 1 IF EXISTS");
      await r.exec("DELETE FROM {ks}.lt_c2 WHERE p = 'x' IF v = 'a'");
      await r.exec("DELETE FROM {ks}.lt_c2 WHERE p = 'x' AND a IN (1, 2) AND b = 1 IF EXISTS");
      await r.exec("DELETE FROM {ks}.lt_c2 WHERE p = 'x' AND a = 1 AND b = 1 IF EXISTS AND v = 'a'");
      await r.exec("INSERT INTO {ks}.lt_kv (k, v) VALUES ('x', 1) IF NOT EXISTS USING TIMESTAMP 5");
      await r.exec("UPDATE {ks}.lt_kv USING TIMESTAMP 5 SET v = 1 WHERE k = 'a' IF v = 1");
      await r.exec("DELETE FROM {ks}.lt_kv USING TIMESTAMP 5 WHERE k = 'a' IF EXISTS");
      await r.exec("UPDATE {ks}.lt_kv SET v = 3 WHERE k = 'zz' IF k = 'zz'");
      await r.exec(
        "UPDATE {ks}.lt_ledger SET avail = 1 WHERE user_id = 1 AND asset_id = 1 AND seq = 1 IF seq = 1",
      );
      await r.exec("UPDATE {ks}.lt_kv SET v = 1 WHERE k IN ('a', 'b') IF EXISTS");
      await r.exec(
        "UPDATE {ks}.lt_ledger SET avail = 1 WHERE user_id = 1 AND asset_id = 1 AND seq IN (1, 2) IF EXISTS",
      );
      await r.exec(
        "UPDATE {ks}.lt_ledger SET avail = 1 WHERE user_id = 1 AND asset_id = 1 AND seq = 1 IF avail > null",
      );
      await r.exec("UPDATE {ks}.lt_kv SET v = 2 WHERE k = 'a' IF v = 'str'");
      await r.exec("UPDATE {ks}.lt_kv SET v = 2 WHERE k = 'a' IF EXISTS AND v = 1");
      await r.exec("INSERT INTO {ks}.lt_kv (k, v) VALUES ('x', 1) IF NOT EXISTS AND v = 1");
    },
  },
  {
    name: "batches: logged, unlogged, ties, errors",
    setup: [kv("ba_kv"), c2("ba_c2"), "CREATE TABLE {ks}.ba_cnt (k text PRIMARY KEY, c counter)"],
    async run(r) {
      await r.batch(
        [
          { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('b1', 1)" },
          { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES (?, ?)", params: ["b2", 2n] },
        ],
        P,
      );
      await r.batch(
        [
          { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('b3', 1)" },
          { query: "UPDATE {ks}.ba_kv SET v = 3 WHERE k = 'b1'" },
        ],
        { logged: false },
      );
      await r.exec("SELECT * FROM {ks}.ba_kv");
      await r.batch([{ query: "SELECT * FROM {ks}.ba_kv" }]);
      await r.batch([{ query: "TRUNCATE {ks}.ba_kv" }]);
      await r.batch([]);
      await r.batch([{ query: "INSERT INTO {ks}.ba_kv (k, v) VALUES (?, ?)", params: ["b2"] }], P);
      await r.batch([{ query: "INSERT INTO {ks}.ba_kv (k, v) VALUES (?, ?)", params: ["b2"] }]);
      await r.batch([{ query: "INSERT INTO {ks}.nope (k, v) VALUES ('a', 1)" }]);
      await r.batch([{ query: "INSERT INTO {ks}.ba_kv (k, v) VALUE ('a', 1)" }]);
      await r.batch([
        { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('d', 1)" },
        { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('d', 2)" },
      ]);
      await r.batch([
        { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('d2', 2)" },
        { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('d2', 1)" },
      ]);
      await r.batch([
        { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('d3', 2)" },
        { query: "DELETE FROM {ks}.ba_kv WHERE k = 'd3'" },
      ]);
      await r.exec("SELECT k, v FROM {ks}.ba_kv WHERE k IN ('d', 'd2', 'd3')");
      await r.batch([{ query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('t', 1)" }], { timestamp: 1000 });
      await r.exec("SELECT k, v, writetime(v) FROM {ks}.ba_kv WHERE k = 't'");
      await r.batch([{ query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('t', 2) USING TIMESTAMP 1001" }], {
        timestamp: 900,
      });
      await r.exec("SELECT k, v, writetime(v) FROM {ks}.ba_kv WHERE k = 't'");
      await r.exec(
        "BEGIN BATCH INSERT INTO {ks}.ba_kv (k, v) VALUES ('tb1', 1); INSERT INTO {ks}.ba_kv (k, v) VALUES (?, ?) APPLY BATCH",
        ["tb2", 2n],
        { prepare: true, timestamp: 500 },
      );
      await r.exec(
        "BEGIN UNLOGGED BATCH USING TIMESTAMP 77 UPDATE {ks}.ba_kv SET v = 3 WHERE k = 'tb1' APPLY BATCH",
      );
      await r.exec("SELECT k, v, writetime(v) FROM {ks}.ba_kv WHERE k IN ('tb1', 'tb2')");
      await r.exec(
        "BEGIN BATCH USING TIMESTAMP 600 UPDATE {ks}.ba_kv SET v = 3 WHERE k = 'tb1'; DELETE FROM {ks}.ba_kv USING TIMESTAMP 400 WHERE k = 'tb2' APPLY BATCH",
      );
      await r.exec("SELECT k, v, writetime(v) FROM {ks}.ba_kv WHERE k IN ('tb1', 'tb2')");
      await r.exec(
        "BEGIN BATCH USING TIMESTAMP 600 UPDATE {ks}.ba_kv SET v = 3 WHERE k = 'tb1'; DELETE FROM {ks}.ba_kv WHERE k = 'tb2' APPLY BATCH",
      );
      await r.exec("SELECT k, v, writetime(v) FROM {ks}.ba_kv WHERE k IN ('tb1', 'tb2')");
      await r.exec(
        "BEGIN BATCH USING TIMESTAMP 700 INSERT INTO {ks}.ba_kv (k, v) VALUES ('tb3', 1) IF NOT EXISTS APPLY BATCH",
      );
      await r.exec("BEGIN BATCH SELECT * FROM {ks}.ba_kv APPLY BATCH");
      await r.batch([{ query: "UPDATE {ks}.ba_cnt SET c = c + 1 WHERE k = 'a'" }]);
      await r.batch(
        [
          { query: "UPDATE {ks}.ba_cnt SET c = c + 1 WHERE k = 'a'" },
          { query: "INSERT INTO {ks}.ba_kv (k, v) VALUES ('c', 2)" },
        ],
        { logged: false },
      );
      await r.batch([{ query: "UPDATE {ks}.ba_cnt SET c = c + 2 WHERE k = 'a'" }], { logged: false });
      await r.exec("SELECT * FROM {ks}.ba_cnt");
    },
  },
  {
    name: "conditional batches",
    setup: [c2("cb_c2"), kv("cb_kv")],
    async run(r) {
      await r.batch([
        { query: "INSERT INTO {ks}.cb_c2 (p, a, b, v) VALUES ('x', 1, 1, 'a') IF NOT EXISTS" },
        { query: "INSERT INTO {ks}.cb_c2 (p, a, b, v) VALUES ('x', 1, 2, 'b')" },
      ]);
      await r.batch([
        { query: "INSERT INTO {ks}.cb_c2 (p, a, b, v) VALUES ('x', 1, 1, 'a') IF NOT EXISTS" },
        { query: "UPDATE {ks}.cb_c2 SET v = 'c' WHERE p = 'x' AND a = 1 AND b = 2 IF v = 'zz'" },
      ]);
      await r.batch([
        { query: "UPDATE {ks}.cb_c2 SET v = 'c' WHERE p = 'x' AND a = 1 AND b = 1 IF v = 'q'" },
        { query: "UPDATE {ks}.cb_c2 SET v = 'c' WHERE p = 'x' AND a = 1 AND b = 2 IF v = 'zz'" },
      ]);
      await r.batch([
        { query: "UPDATE {ks}.cb_c2 SET v = 'c' WHERE p = 'x' AND a = 9 AND b = 9 IF EXISTS" },
        { query: "UPDATE {ks}.cb_c2 SET v = 'c' WHERE p = 'x' AND a = 1 AND b = 2 IF v = 'b'" },
      ]);
      await r.batch([
        { query: "UPDATE {ks}.cb_c2 SET v = 'c' WHERE p = 'x' AND a = 9 AND b = 9 IF v = 'q'" },
      ]);
      await r.batch(
        [
          { query: "UPDATE {ks}.cb_c2 SET v = 'c' WHERE p = 'x' AND a = 1 AND b = 1 IF v = 'a'" },
          { query: "UPDATE {ks}.cb_c2 SET v = 'd' WHERE p = 'x' AND a = 1 AND b = 2 IF v = 'b'" },
        ],
        { timestamp: 5 },
      );
      await r.batch([
        { query: "INSERT INTO {ks}.cb_c2 (p, a, b, v) VALUES ('x', 1, 7, 'a') IF NOT EXISTS" },
        { query: "INSERT INTO {ks}.cb_c2 (p, a, b, v) VALUES ('x', 1, 8, 'a') USING TIMESTAMP 5" },
      ]);
      await r.exec("SELECT * FROM {ks}.cb_c2 WHERE p = 'x'");
      await r.batch([
        { query: "INSERT INTO {ks}.cb_c2 (p, a, b, v) VALUES ('x', 1, 1, 'a') IF NOT EXISTS" },
        { query: "INSERT INTO {ks}.cb_c2 (p, a, b, v) VALUES ('y', 1, 1, 'a')" },
      ]);
      await r.batch([
        { query: "INSERT INTO {ks}.cb_c2 (p, a, b, v) VALUES ('x', 1, 1, 'a') IF NOT EXISTS" },
        { query: "INSERT INTO {ks}.cb_kv (k, v) VALUES ('x', 1)" },
      ]);
      await r.batch([
        { query: "INSERT INTO {ks}.cb_kv (k, v) VALUES ('s', 1) IF NOT EXISTS" },
        { query: "UPDATE {ks}.cb_kv SET b = true WHERE k = 's' IF v = 1" },
      ]);
      await r.batch([
        { query: "UPDATE {ks}.cb_kv SET v = 2 WHERE k = 's' IF EXISTS" },
        { query: "UPDATE {ks}.cb_kv SET b = false WHERE k = 's' IF v = 9" },
      ]);
      await r.batch([
        { query: "UPDATE {ks}.cb_kv SET v = 2 WHERE k = 's' IF EXISTS" },
        { query: "INSERT INTO {ks}.cb_kv (k, v) VALUES ('s', 1) IF NOT EXISTS" },
      ]);
      await r.batch([
        { query: "INSERT INTO {ks}.cb_kv (k, v) VALUES ('s', 1) IF NOT EXISTS" },
        { query: "UPDATE {ks}.cb_kv SET b = true WHERE k = 's'" },
      ]);
      await r.exec("SELECT * FROM {ks}.cb_kv");
    },
  },
  {
    name: "bound values, prepared (driver encoding)",
    setup: [kv("bp_kv")],
    async run(r) {
      await r.exec("SELECT * FROM {ks}.bp_kv WHERE k = ?", ["a", "b"], P);
      await r.exec("SELECT * FROM {ks}.bp_kv WHERE k = ?", [], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", ["x"], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", ["a", "x"], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, i) VALUES (?, ?)", ["a", 5n], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", ["a", 5], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", ["a", 5.5], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", ["a", true], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", [1, 1n], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k) VALUES (?)", [true], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, i) VALUES (?, ?)", ["i1", 3000000000], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, i) VALUES (?, ?)", ["i2", 5.5], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, i) VALUES (?, ?)", ["i3", "7"], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, b) VALUES (?, ?)", ["b1", 1], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, b) VALUES (?, ?)", ["b2", "false"], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, b) VALUES (?, ?)", ["b3", 0], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", ["v1", "77"], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", ["v2", 9223372036854775808n], P);
      await r.exec("INSERT INTO {ks}.bp_kv (k, v) VALUES (?, ?)", ["v3", null], P);
      await r.exec(
        "SELECT * FROM {ks}.bp_kv WHERE k IN (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ["i2", "i3", "b1", "b2", "b3", "v1", "v2", "v3", "a"],
        P,
      );
      await r.exec("SELECT * FROM {ks}.bp_kv WHERE k = ?", [null], P);
      await r.exec("SELECT * FROM {ks}.bp_kv WHERE k = :kk", ["v1"], P);
    },
  },
  {
    name: "bound values, unprepared (type guessed by the driver)",
    setup: [kv("bu_kv"), c2("bu_c2")],
    async run(r) {
      await r.exec("SELECT * FROM {ks}.bu_kv WHERE k = ?", ["a", "b"]);
      await r.exec("SELECT * FROM {ks}.bu_kv WHERE k = ?", []);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES (?, ?)", ["num", 5]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, i) VALUES (?, ?)", ["numi", 5]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES (?, ?)", ["big", 7n]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES (?, ?)", ["str", "7"]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES (?, ?)", ["t1", "12345678"]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES (?, ?)", ["t2", true]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, b) VALUES (?, ?)", ["t3", 1]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, b) VALUES (?, ?)", ["t4", "x"]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, i) VALUES (?, ?)", ["t5", "abcd"]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES (?, ?)", ["t6", ""]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES (?, ?)", ["", 1]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES (?, ?)", [true, null]);
      await r.exec("INSERT INTO {ks}.bu_kv (k, v) VALUES ('nb', ?)", [null]);
      await r.exec("SELECT * FROM {ks}.bu_kv WHERE k IN ('num', 'str', 't1', 't3', 't4', 't5', 't6', 'nb')");
      await r.exec("SELECT * FROM {ks}.bu_kv WHERE k = ?", [true]);
      await r.exec("INSERT INTO {ks}.bu_c2 (p, a, b, v) VALUES ('x', ?, ?, ?)");
      await r.exec("INSERT INTO {ks}.bu_c2 (p, a, b, v) VALUES (?, 1, 1, 'q')", ["x"]);
      await r.exec("SELECT * FROM {ks}.bu_c2 WHERE p = ? AND a = ?", ["x", 1]);
    },
  },
  {
    name: "counters",
    setup: ["CREATE TABLE {ks}.co_cnt (k text PRIMARY KEY, c counter, d counter)"],
    async run(r) {
      await r.exec("UPDATE {ks}.co_cnt SET c = c + 5 WHERE k = 'a'");
      await r.exec("UPDATE {ks}.co_cnt SET c = c - 2, d = d + 1 WHERE k = 'a'");
      await r.exec("UPDATE {ks}.co_cnt SET c = c + ? WHERE k = 'a'", [3n], P);
      await r.exec("UPDATE {ks}.co_cnt SET c = c + ? WHERE k = 'a'", [3n]);
      await r.exec("UPDATE {ks}.co_cnt SET d = d -1 WHERE k = 'a'");
      await r.exec("SELECT * FROM {ks}.co_cnt");
      await r.exec("UPDATE {ks}.co_cnt SET c = 3 WHERE k = 'a'");
      await r.exec("INSERT INTO {ks}.co_cnt (k, c) VALUES ('a', 1)");
      await r.exec("UPDATE {ks}.co_cnt USING TIMESTAMP 5 SET c = c + 1 WHERE k = 'a'");
      await r.exec("UPDATE {ks}.co_cnt SET c = c + 1 WHERE k = 'a' IF c = 1");
    },
  },
  {
    name: "SELECT: selectors, IN order, scans",
    setup: [kv("se_kv"), ledger("se_ledger"), c2("se_c2")],
    async run(r) {
      for (const k of ["a", "b", "c", "d", "e", "zz"])
        await r.exec(`INSERT INTO {ks}.se_kv (k, v, i) VALUES ('${k}', ${k.length}, ${k.charCodeAt(0)})`);
      for (const [u, a] of [
        [-1, 1],
        [1, 1],
        [2, 2],
        [-2, 1],
      ])
        for (const s of [1, 2])
          await r.exec(
            `INSERT INTO {ks}.se_ledger (user_id, asset_id, seq, avail) VALUES (${u}, ${a}, ${s}, ${u * 10 + s})`,
          );
      await r.exec("SELECT k FROM {ks}.se_kv");
      await r.exec("SELECT k, token(k) FROM {ks}.se_kv");
      await r.exec("SELECT k FROM {ks}.se_kv WHERE k IN ('e', 'zz', 'a', 'd', 'c', 'b', 'a', 'nope')");
      await r.exec("SELECT k AS key, v AS value FROM {ks}.se_kv WHERE k = 'a'");
      await r.exec("SELECT k, k, v FROM {ks}.se_kv WHERE k = 'a'");
      await r.exec("SELECT COUNT(*) FROM {ks}.se_kv");
      await r.exec("SELECT count(*) FROM {ks}.se_kv WHERE k = 'a'");
      await r.exec("SELECT COUNT(1) FROM {ks}.se_kv");
      await r.exec("SELECT count(b) FROM {ks}.se_kv");
      await r.exec("SELECT COUNT(*) FROM {ks}.se_kv WHERE k = 'nope'");
      await r.exec("SELECT k, COUNT(*) FROM {ks}.se_kv WHERE k IN ('a', 'b')");
      await r.exec("SELECT avail AS a, count(*) AS n FROM {ks}.se_ledger WHERE user_id = 1 AND asset_id = 1");
      await r.exec("SELECT user_id, seq FROM {ks}.se_ledger");
      await r.exec(
        "SELECT user_id, seq FROM {ks}.se_ledger WHERE user_id IN (2, -1, 1, -2) AND asset_id IN (2, 1)",
      );
      await r.exec(
        "SELECT user_id, seq FROM {ks}.se_ledger WHERE user_id IN (2, -1, 1, -2) AND asset_id = 1 LIMIT 3",
      );
      await r.exec("SELECT DISTINCT user_id, asset_id FROM {ks}.se_ledger");
      await r.exec("SELECT * FROM {ks}.se_kv WHERE k IN ()");
      await r.exec("SELECT * FROM {ks}.se_kv WHERE k IN ('a', null)");
      await r.exec("SELECT COUNT(*) FROM {ks}.se_ledger WHERE user_id = 1 AND asset_id = 1 AND seq IN ()");
      await r.exec("SELECT * FROM {ks}.se_c2 WHERE p = 'nope'");
      await r.exec("SELEC * FROM {ks}.se_kv");
      await r.exec("SELECT * FORM {ks}.se_kv");
      await r.exec("SELECT * FROM {ks}.se_kv WHERE");
    },
  },
  {
    name: "USE and unqualified names",
    setup: [kv("us_kv")],
    async run(r) {
      await r.exec("SELECT * FROM us_kv");
      await r.exec("USE {ks}");
      await r.exec("INSERT INTO us_kv (k, v) VALUES ('a', 1)");
      await r.exec("SELECT k, v FROM us_kv WHERE k = 'a'");
      await r.exec("SELECT k, v FROM {ks}.us_kv WHERE k = 'a'");
    },
  },
  {
    name: "miscellaneous checks on bound values and selectors",
    setup: [
      kv("mi_kv"),
      ledger("mi_ledger"),
      "CREATE TABLE {ks}.mi_cnt (k text PRIMARY KEY, c counter, d counter)",
    ],
    async run(r) {
      await r.exec("INSERT INTO {ks}.mi_kv (k, v) VALUES ('a', 1) USING TIMESTAMP 42");
      await r.exec("SELECT k, writetime(v), writetime(b), ttl(v) FROM {ks}.mi_kv WHERE k = 'a'");
      await r.exec("SELECT k FROM {ks}.mi_kv WHERE k = 'a' LIMIT ?", [null], P);
      await r.exec("INSERT INTO {ks}.mi_kv (k, v) VALUES ('b', 1) USING TIMESTAMP ?", [null], P);
      await r.exec("INSERT INTO {ks}.mi_kv (k, v) VALUES ('c', 1) USING TTL ?", [100], P);
      await r.exec("SELECT k, v FROM {ks}.mi_kv WHERE k IN ('b', 'c')");
      await r.exec("SELECT DISTINCT k, v FROM {ks}.mi_kv");
      await r.exec("SELECT DISTINCT user_id FROM {ks}.mi_ledger");
      await r.exec("UPDATE {ks}.mi_cnt SET c = d + 1 WHERE k = 'a'");
      await r.exec("UPDATE {ks}.mi_cnt SET c = c + ? WHERE k = 'a'", [null], P);
      await r.exec(
        "BEGIN COUNTER BATCH USING TIMESTAMP 5 UPDATE {ks}.mi_cnt SET c = c + 1 WHERE k = 'a' APPLY BATCH",
      );
      await r.exec("BEGIN COUNTER BATCH UPDATE {ks}.mi_cnt SET c = c + 1 WHERE k = 'a' APPLY BATCH");
      await r.exec("BEGIN UNLOGGED BATCH UPDATE {ks}.mi_cnt SET c = c + 1 WHERE k = 'a' APPLY BATCH");
      await r.exec("SELECT * FROM {ks}.mi_cnt");
      await r.exec("INSERT INTO {ks}.mi_ledger (user_id, asset_id, seq) VALUES (?, ?, ?)", [1n, 1, 1n], P);
      await r.exec(
        "SELECT * FROM {ks}.mi_ledger WHERE user_id = ? AND asset_id = ? AND seq = ?",
        [1n, 1, null],
        P,
      );
      await r.exec(
        "SELECT * FROM {ks}.mi_ledger WHERE user_id = ? AND asset_id = ? AND seq > ?",
        [1n, 1, null],
        P,
      );
      await r.exec(
        "SELECT * FROM {ks}.mi_ledger WHERE user_id = ? AND asset_id = ? AND seq IN (?, ?)",
        [1n, 1, null, 1n],
        P,
      );
      await r.exec("UPDATE {ks}.mi_kv SET v = 1 WHERE k = ? IF v IN (?, ?)", ["a", 1n, null], P);
    },
  },
  {
    name: "timestamp columns (epoch milliseconds)",
    setup: ["CREATE TABLE {ks}.ts_t (k int PRIMARY KEY, t timestamp, v varchar)"],
    async run(r) {
      await r.exec("INSERT INTO {ks}.ts_t (k, t, v) VALUES (1, 1000, 'x')");
      await r.exec("INSERT INTO {ks}.ts_t (k, t, v) VALUES (?, ?, ?)", [2, 1767225600123n, "y"], P);
      await r.exec("INSERT INTO {ks}.ts_t (k, t) VALUES (?, ?)", [3, 5], P);
      await r.exec("INSERT INTO {ks}.ts_t (k, t) VALUES (?, ?)", [4, 5.5], P);
      await r.exec("INSERT INTO {ks}.ts_t (k, t) VALUES (4, ?)", ["abc"]);
      await r.exec("INSERT INTO {ks}.ts_t (k, t) VALUES (4, 'abc')");
      await r.exec("INSERT INTO {ks}.ts_t (k, t) VALUES (5, '2020-01-01')");
      await r.exec("INSERT INTO {ks}.ts_t (k, t) VALUES (6, '2021-03-04 05:06:07.089Z')");
      await r.exec("INSERT INTO {ks}.ts_t (k, t) VALUES (7, '2021-03-04T05:06+0200')");
      await r.exec("SELECT k, t FROM {ks}.ts_t WHERE k IN (5, 6, 7)");
      await r.exec("SELECT * FROM {ks}.ts_t WHERE k IN (1, 2, 3)");
      await r.exec("SELECT k FROM {ks}.ts_t WHERE t > 1000 ALLOW FILTERING");
    },
  },
  {
    name: "the engine's table shapes and statements (snapshot of engine/schema/cql.ts)",
    setup: [
      `CREATE TABLE IF NOT EXISTS {ks}.en_ledger (
        user_id bigint, asset_id int, seq bigint,
        delta_avail bigint, delta_frozen bigint, avail bigint, frozen bigint,
        event_type text, ref_id text, created_at bigint,
        PRIMARY KEY ((user_id, asset_id), seq)
      ) WITH CLUSTERING ORDER BY (seq DESC)`,
      `CREATE TABLE IF NOT EXISTS {ks}.en_user_trades (
        user_id bigint, symbol_id int, trade_id text, output_seq bigint,
        order_id bigint, side text, role text, price bigint, qty bigint, quote_qty bigint, fee bigint, fee_asset_id int,
        created_at bigint,
        PRIMARY KEY ((user_id, symbol_id), output_seq, trade_id)
      ) WITH CLUSTERING ORDER BY (output_seq DESC, trade_id DESC)`,
      `CREATE TABLE IF NOT EXISTS {ks}.en_orders (
        user_id bigint, symbol_id int, order_id bigint,
        cid text, side text, order_type text, tif text, post_only boolean,
        price bigint, qty bigint, filled_qty bigint, status text, reason text,
        updated_seq bigint, created_at bigint,
        PRIMARY KEY ((user_id, symbol_id), order_id)
      ) WITH CLUSTERING ORDER BY (order_id DESC)`,
      `CREATE TABLE IF NOT EXISTS {ks}.en_requests (
        user_id bigint, request_id text, kind text, status text, reason text, order_id bigint, body text,
        created_at bigint,
        PRIMARY KEY ((user_id), request_id)
      )`,
      `CREATE TABLE IF NOT EXISTS {ks}.en_api_keys (api_key text, user_id bigint, secret text, PRIMARY KEY (api_key))`,
    ],
    async run(r) {
      const ledger =
        "INSERT INTO {ks}.en_ledger (user_id, asset_id, seq, delta_avail, delta_frozen, avail, frozen, event_type, ref_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      const rows: Array<[bigint, number, bigint, bigint]> = [
        [1001n, 1, 1n, 1000n],
        [1001n, 1, 2n, -300n],
        [1001n, 2, 1n, 50n],
        [1002n, 1, 1n, 7n],
      ];
      let total = new Map<string, bigint>();
      for (const [u, a, seq, d] of rows) {
        const k = `${u}/${a}`;
        const avail = (total.get(k) ?? 0n) + d;
        total = total.set(k, avail);
        await r.batch(
          [{ query: ledger, params: [u, a, seq, d, 0n, avail, 0n, "deposit", `ref-${seq}`, 1767225600000n] }],
          {
            prepare: true,
            logged: true,
          },
        );
      }
      await r.exec(
        "SELECT avail, frozen FROM {ks}.en_ledger WHERE user_id = ? AND asset_id = ? LIMIT 1",
        [1001n, 1],
        P,
      );
      await r.exec(
        "SELECT avail, frozen FROM {ks}.en_ledger WHERE user_id = ? AND asset_id = ? LIMIT 1",
        [1001n, 9],
        P,
      );
      await r.exec(
        "SELECT seq, delta_avail, delta_frozen, avail, frozen FROM {ks}.en_ledger WHERE user_id = ? AND asset_id = ? AND seq > ? ORDER BY seq ASC",
        [1001n, 1, 0n],
        P,
      );
      await r.exec("SELECT avail FROM {ks}.en_ledger WHERE user_id = ?", [1001n], P);
      await r.exec("SELECT avail FROM {ks}.trading_ledger WHERE user_id = ? AND asset_id = ?", [1001n, 1], P);
      const ut =
        "INSERT INTO {ks}.en_user_trades (user_id, symbol_id, trade_id, output_seq, order_id, side, role, price, qty, quote_qty, fee, fee_asset_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      for (const [seq, id] of [
        [5n, "t-a"],
        [5n, "t-b"],
        [7n, "t-c"],
      ] as const)
        await r.exec(ut, [1001n, 0, id, seq, 9n, "Buy", "taker", 50000n, 1n, 50000n, 0n, 1, 0n], P);
      await r.exec(
        "SELECT trade_id, output_seq FROM {ks}.en_user_trades WHERE user_id = ? AND symbol_id = ? LIMIT 2",
        [1001n, 0],
        P,
      );
      await r.exec(
        "UPDATE {ks}.en_orders SET status = ?, filled_qty = ?, reason = ?, updated_seq = ? WHERE user_id = ? AND symbol_id = ? AND order_id = ?",
        ["Filled", 1n, null, 3n, 1001n, 0, 77n],
        P,
      );
      await r.exec(
        "UPDATE {ks}.en_orders SET cid = ?, side = ?, order_type = ?, tif = ?, post_only = ?, price = ?, qty = ?, created_at = ? WHERE user_id = ? AND symbol_id = ? AND order_id = ?",
        ["c-1", "Buy", "Limit", "GTC", false, 50000n, 1n, 5n, 1001n, 0, 77n],
        P,
      );
      await r.exec(
        "SELECT * FROM {ks}.en_orders WHERE user_id = ? AND symbol_id = ? AND order_id = ?",
        [1001n, 0, 77n],
        P,
      );
      await r.exec(
        "INSERT INTO {ks}.en_requests (user_id, request_id, kind, status, reason, order_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [1001n, "d-1", "deposit", "accepted", null, null, "{}", 1n],
        P,
      );
      await r.exec(
        "SELECT kind, status, reason, order_id, body FROM {ks}.en_requests WHERE user_id = ? AND request_id = ?",
        [1001n, "d-1"],
        P,
      );
      const key = "INSERT INTO {ks}.en_api_keys (api_key, user_id, secret) VALUES (?, ?, ?) IF NOT EXISTS";
      await r.exec(key, ["key-1", 1001n, "s1"], P);
      await r.exec(key, ["key-1", 1001n, "s1"], P);
      await r.exec(key, ["key-1", 1002n, "other"], P);
    },
  },
  {
    name: "paging: a SELECT answers its first 5000 rows",
    setup: [c2("pg_c2")],
    async run(r) {
      const queries = [];
      for (let i = 0; i < 5003; i++)
        queries.push({ query: "INSERT INTO {ks}.pg_c2 (p, a, b, v) VALUES ('big', ?, 1, 'v')", params: [i] });
      for (let i = 0; i < queries.length; i += 250) {
        await r.batch(queries.slice(i, i + 250), { prepare: true, logged: false });
      }
      // 5003 bound values say nothing: keep the transcript short
      for (const st of r.steps) delete st.params;
      await r.exec("SELECT COUNT(*) FROM {ks}.pg_c2 WHERE p = 'big'");
      const rows: unknown[] = [];
      await r.exec("SELECT a FROM {ks}.pg_c2 WHERE p = 'big' LIMIT 3");
      await r.exec("SELECT a FROM {ks}.pg_c2 WHERE p = 'big' AND a >= 4998");
      // the full answer is long: keep only its length and its ends in the transcript
      const last = r.steps.length;
      await r.exec("SELECT a FROM {ks}.pg_c2 WHERE p = 'big'");
      const step = r.steps[last];
      if (step.ok !== undefined) {
        rows.push(step.ok.rows.length, step.ok.rows[0], step.ok.rows[step.ok.rows.length - 1]);
        step.ok.rows = [];
        step.note = JSON.stringify(rows);
      }
    },
  },
];
