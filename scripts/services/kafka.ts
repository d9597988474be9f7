// Apache Kafka, one KRaft node (broker + controller) on 127.0.0.1, from Maven Central jars.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { $ } from "zx";
import { serverLog, serviceHome } from "./layout.ts";
import { ownershipFlags } from "./proc.ts";
import type { LaunchCommand, ServerSpec } from "./server.ts";
import { writeFromTemplate } from "./templates.ts";
import { findJava, resolveJars } from "./toolchain.ts";

/** 4.x works with kafkajs 2.2.4 (checked: see README.md); newest served on Maven Central. */
export const KAFKA_VERSION = "4.4.0";
export const BROKER_PORT = 9092;
export const CONTROLLER_PORT = 9093;
export const BROKERS = [`127.0.0.1:${BROKER_PORT}`];

const home = serviceHome("kafka");
const dataDir = path.join(home, "data");
const propertiesFile = path.join(home, "server.properties");
const log4jFile = path.join(home, "log4j2.xml");

export const kafkaServer: ServerSpec = {
  name: "kafka",
  ports: [BROKER_PORT, CONTROLLER_PORT],
  readyTimeoutMs: 120_000,
  // A clean KRaft shutdown takes a few seconds; past this the log is recovered on next start.
  stopTimeoutMs: 30_000,
  prepare: prepareKafka,
  probe: kafkaAnswers,
  warmUp: createOffsetsTopic,
};

async function prepareKafka(): Promise<LaunchCommand> {
  const [java, lib] = await Promise.all([
    findJava(),
    resolveJars("kafka.pom.xml", `kafka-${KAFKA_VERSION}`, { "kafka.version": KAFKA_VERSION }),
  ]);
  await writeFromTemplate("kafka.server.properties.tmpl", propertiesFile, {
    BROKER_PORT,
    CONTROLLER_PORT,
    DATA_DIR: dataDir,
  });
  await writeFromTemplate("kafka.log4j2.xml.tmpl", log4jFile, { LOG_FILE: serverLog("kafka") });
  const classpath = path.join(lib, "*");
  await formatStorageOnce(java.bin, classpath);
  return { bin: java.bin, args: [...jvmFlags(), "-cp", classpath, "kafka.Kafka", propertiesFile], cwd: home };
}

function jvmFlags(): string[] {
  return [
    ...ownershipFlags("kafka"),
    // Plenty for test traffic; the stock 1 GB is for real loads.
    "-Xms512m",
    "-Xmx512m",
    // The GC settings of Kafka's own bin/kafka-run-class.sh.
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${log4jFile}`,
  ];
}

/**
 * KRaft refuses to start on an unformatted log dir. Formatting writes meta.properties with the
 * cluster id, so it runs only on the first start (or after `down --wipe`): data survives restarts.
 */
async function formatStorageOnce(javaBin: string, classpath: string): Promise<void> {
  if (existsSync(path.join(dataDir, "meta.properties"))) return;
  const args = [
    `-Dlog4j2.configurationFile=${log4jFile}`,
    "-cp",
    classpath,
    "kafka.tools.StorageTool",
    "format",
    "--cluster-id",
    newClusterId(),
    "--config",
    propertiesFile,
  ];
  const result = await $({ quiet: true, nothrow: true })`${javaBin} ${args}`;
  if (result.exitCode !== 0) {
    throw new Error(`formatting Kafka storage failed:\n${result.stdout}${result.stderr}`);
  }
}

/** A Kafka Uuid as text: 16 random bytes in unpadded base64url (22 characters). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    // Kafka itself never hands out ids starting with '-', as a CLI would read them as options.
    if (!id.startsWith("-")) return id;
  }
}

function probeClient(): Kafka {
  return new Kafka({
    clientId: "tradesim-services-probe",
    brokers: BROKERS,
    // The probe is expected to fail until the broker is up: no retries, no error logs.
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
}

/** The broker answers a metadata request (listTopics) through the same client tests use. */
async function kafkaAnswers(): Promise<boolean> {
  const admin = probeClient().admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * The broker creates __consumer_offsets (50 partitions) on the first FindCoordinator. Doing it
 * here, once, spares the first consumer group of every fresh cluster a burst of retried
 * "group coordinator is not available" errors.
 */
async function createOffsetsTopic(): Promise<void> {
  const kafka = new Kafka({
    clientId: "tradesim-services-warmup",
    brokers: BROKERS,
    retry: { retries: 10, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeGroups(["tradesim-services-warmup"]);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
