// The two outside tools the servers need: a Java 17 runtime and, on first use only, Maven to
// fetch the jars from Maven Central. Both are checked up front with an actionable message,
// because a missing JDK otherwise surfaces as an obscure spawn ENOENT half-way through `up`.
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { $, which } from "zx";
import { LIB_DIR, LOGS_DIR, template } from "./layout.ts";

/** Cassandra 5.0 runs on Java 11 or 17 only (it calls System.setSecurityManager, gone in 24);
 *  Kafka 4.x brokers need 17 or newer. So 17 it is, for both. */
const REQUIRED_JAVA_MAJOR = 17;

export interface Java {
  bin: string;
  major: number;
}

let cachedJava: Promise<Java> | undefined;

/** `TRADESIM_JAVA` (path to a java binary) wins over the `java` on PATH. */
export function findJava(): Promise<Java> {
  // Cached for the process, but not a failure: a test run may install the JDK and try again.
  cachedJava ??= locateJava().catch((error: unknown) => {
    cachedJava = undefined;
    throw error;
  });
  return cachedJava;
}

async function locateJava(): Promise<Java> {
  const bin = process.env.TRADESIM_JAVA ?? (await which("java", { nothrow: true }));
  if (!bin || !existsSync(bin)) {
    throw new Error(
      "java not found: install a JDK 17 (Debian: apt-get install openjdk-17-jre-headless) " +
        "or point TRADESIM_JAVA at a Java 17 binary",
    );
  }
  const major = await javaMajorVersion(bin);
  if (major !== REQUIRED_JAVA_MAJOR) {
    throw new Error(
      `${bin} is Java ${major}, but Cassandra 5.0 and Kafka 4 need Java ${REQUIRED_JAVA_MAJOR} ` +
        "(set TRADESIM_JAVA to a Java 17 binary, e.g. /usr/lib/jvm/java-17-openjdk-amd64/bin/java)",
    );
  }
  return { bin, major };
}

async function javaMajorVersion(bin: string): Promise<number> {
  // `java -version` prints to stderr, e.g. `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_x").
  const out = await $({ quiet: true })`${bin} -version`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(out.stderr);
  if (!match) throw new Error(`cannot read the Java version from \`${bin} -version\`:\n${out.stderr}`);
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

/**
 * Resolves a server's runtime classpath into `.services/lib/<folder>/` with Maven, once.
 * One folder per server keeps Kafka's log4j2 binding and Cassandra's logback apart. The folder
 * name carries the version, so bumping it in the caller resolves afresh; a marker file
 * written last means an interrupted download is redone rather than half-used.
 */
export async function resolveJars(
  pomFile: string,
  folder: string,
  properties: Record<string, string>,
): Promise<string> {
  const target = path.join(LIB_DIR, folder);
  const marker = path.join(target, ".complete");
  if (existsSync(marker)) return target;

  if (!(await which("mvn", { nothrow: true }))) {
    throw new Error(
      `the jars for ${folder} are not cached in ${target} and mvn is not installed ` +
        "(Debian: apt-get install maven); Maven fetches them from Maven Central once",
    );
  }
  const staging = `${target}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(LOGS_DIR, { recursive: true });
  const mvnLog = path.join(LOGS_DIR, `mvn-${folder}.log`);
  const args = [
    "-B",
    "-f",
    template(pomFile),
    "dependency:copy-dependencies",
    "-DincludeScope=runtime",
    `-DoutputDirectory=${staging}`,
    ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
  ];
  const result = await $({ quiet: true, nothrow: true })`mvn ${args}`;
  await writeFile(mvnLog, result.stdout + result.stderr);
  if (result.exitCode !== 0) {
    throw new Error(`Maven could not resolve ${pomFile} (exit ${result.exitCode}); see ${mvnLog}`);
  }
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return target;
}

/** The one jar in `dir` whose file name starts with `prefix` (e.g. the jamm agent). */
export async function findJar(dir: string, prefix: string): Promise<string> {
  const jars = (await readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith(".jar"));
  if (jars.length !== 1) {
    throw new Error(`expected one ${prefix}*.jar in ${dir}, found ${jars.length}`);
  }
  return path.join(dir, jars[0] as string);
}
