// Apache Cassandra 5.0, one node on 127.0.0.1, from the cassandra-all jar on Maven Central:
// the stand-in for ScyllaDB in real mode (same CQL, same driver).
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "cassandra-driver";
import { serverLog, serviceHome } from "./layout.ts";
import { ownershipFlags } from "./proc.ts";
import type { LaunchCommand, ServerSpec } from "./server.ts";
import { writeFromTemplate } from "./templates.ts";
import { findJar, findJava, resolveJars } from "./toolchain.ts";

export const CASSANDRA_VERSION = "5.0.9";
export const NATIVE_PORT = 9042;
export const STORAGE_PORT = 7000;
export const CONTACT_POINTS = [`127.0.0.1:${NATIVE_PORT}`];
/** The data centre SimpleSnitch reports; cassandra-driver refuses to connect without it. */
export const LOCAL_DATA_CENTER = "datacenter1";

const home = serviceHome("cassandra");
const yamlFile = path.join(home, "cassandra.yaml");
const logbackFile = path.join(home, "logback.xml");
const triggersDir = path.join(home, "triggers");

export const cassandraServer: ServerSpec = {
  name: "cassandra",
  ports: [NATIVE_PORT, STORAGE_PORT],
  readyTimeoutMs: 180_000,
  // SIGTERM drains (flushes every memtable) before exit: a few seconds, more with data.
  stopTimeoutMs: 60_000,
  prepare: prepareCassandra,
  probe: cassandraAnswers,
};

async function prepareCassandra(): Promise<LaunchCommand> {
  const [java, lib] = await Promise.all([
    findJava(),
    resolveJars("cassandra.pom.xml", `cassandra-${CASSANDRA_VERSION}`, {
      "cassandra.version": CASSANDRA_VERSION,
    }),
  ]);
  await writeFromTemplate("cassandra.yaml.tmpl", yamlFile, { HOME: home, NATIVE_PORT, STORAGE_PORT });
  await writeFromTemplate("cassandra.logback.xml.tmpl", logbackFile, { LOG_FILE: serverLog("cassandra") });
  // Without it DDL logs "Trigger directory doesn't exist, please create it and try again".
  await mkdir(triggersDir, { recursive: true });
  const jamm = await findJar(lib, "jamm-");
  const args = [
    ...ownershipFlags("cassandra"),
    ...HEAP_AND_GC,
    ...GENERAL_JVM,
    ...JPMS_JAVA17,
    ...NETTY,
    // jamm sizes objects for memtable and cache accounting. As an agent it measures through
    // java.lang.instrument, as Cassandra's own launcher sets it up; 5.0.9 also starts without
    // it (tried), with jamm falling back to its other strategies.
    `-javaagent:${jamm}`,
    ...cassandraProperties(),
    "-cp",
    path.join(lib, "*"),
    "org.apache.cassandra.service.CassandraDaemon",
  ];
  return { bin: java.bin, args, cwd: home };
}

/** 1 GB is enough for tests; G1 settings are those of conf/jvm17-server.options. */
const HEAP_AND_GC = [
  "-Xms1G",
  "-Xmx1G",
  "-XX:+UseG1GC",
  "-XX:+ParallelRefProcEnabled",
  "-XX:MaxTenuringThreshold=1",
  "-XX:G1HeapRegionSize=16m",
  "-XX:G1RSetUpdatingPauseTimePercent=5",
  "-XX:MaxGCPauseMillis=300",
  "-XX:InitiatingHeapOccupancyPercent=70",
];

/**
 * From conf/jvm-server.options, minus what slows a test start or does not apply here:
 * -XX:+AlwaysPreTouch (faults in the whole heap up front) and -XX:+UseNUMA.
 */
const GENERAL_JVM = [
  "-ea",
  // Chronicle (audit/full query logging) runs out of memory by design with assertions on.
  "-da:net.openhft...",
  "-XX:+UseThreadPriorities",
  "-Xss256k",
  "-XX:+UseTLAB",
  "-XX:+ResizeTLAB",
  "-XX:+PerfDisableSharedMem",
  "-Djava.net.preferIPv4Stack=true",
  // Cassandra's startup check asks for it: continuing after an OOM risks corrupt data.
  "-XX:+ExitOnOutOfMemoryError",
];

/**
 * The JPMS section of conf/jvm17-server.options on the cassandra-5.0 branch: the same flags,
 * written with '=' so that each is a single argument. Cassandra
 * reaches into JDK internals (jamm, Netty, Chronicle, the leak detector, JMX); without these the
 * JVM fails at start with "Cassandra is unable to access required classes". The last add-opens
 * (java.nio) came with CASSANDRA-18848 in 5.0-alpha2, for reading java.nio.Bits on Java 17.
 */
const JPMS_JAVA17 = [
  "-Djdk.attach.allowAttachSelf=true",
  "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
  "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
  "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
  "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
  "--add-exports=java.sql/java.sql=ALL-UNNAMED",
  "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
  "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
  "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
  "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
  "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
];

/** Also from jvm17-server.options: Netty's direct buffers via Unsafe, and its pre-4.1.75 pools. */
const NETTY = [
  "-Dio.netty.tryReflectionSetAccessible=true",
  "-Dio.netty.allocator.useCacheForAllThreads=true",
  "-Dio.netty.allocator.maxOrder=11",
];

function cassandraProperties(): string[] {
  return [
    // Otherwise CassandraDaemon closes stdout/stderr, and startup failures vanish.
    "-Dcassandra-foreground=yes",
    `-Dcassandra.config=${pathToFileURL(yamlFile).href}`,
    `-Dcassandra.storagedir=${home}`,
    `-Dcassandra.logdir=${path.dirname(serverLog("cassandra"))}`,
    `-Dcassandra.triggers_dir=${triggersDir}`,
    `-Dlogback.configurationFile=${logbackFile}`,
    // Test-only speed-ups: a lone seed has no gossip to wait for, and startup and DDL skip the
    // blocking flushes of the system tables (their writes are still in the commit log).
    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
    "-Dcassandra.unsafesystem=true",
  ];
}

/** Answers `SELECT release_version FROM system.local` through cassandra-driver, as tests will. */
async function cassandraAnswers(): Promise<boolean> {
  const client = new Client({
    contactPoints: CONTACT_POINTS,
    localDataCenter: LOCAL_DATA_CENTER,
    // The driver speaks v4 at most; capping it skips a failed v5 handshake on every connect.
    protocolOptions: { maxVersion: 4 },
    socketOptions: { connectTimeout: 1_000, readTimeout: 5_000 },
  });
  try {
    await client.connect();
    await client.execute("SELECT release_version FROM system.local");
    return true;
  } catch {
    return false;
  } finally {
    await client.shutdown().catch(() => {});
  }
}
