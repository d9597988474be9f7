/**
 * The determinism firewall: a static check that nothing in engine/ (real adapters aside) or in
 * sim/ (the kernel aside) reaches the wall clock, ambient randomness, timers or the network
 * directly. Those must go through a port (engine) or the scheduler (sim). Runs in `npm run lint`.
 *
 *   node scripts/firewall.ts [root]     exit 1 and a list of violations if any
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";

export interface FirewallViolation {
  file: string;
  line: number;
  column: number;
  rule: string;
  text: string;
}

/** Folders checked, and the places inside them that may touch the real world. */
const CHECKED = ["engine", "sim"];
const EXEMPT = [
  "engine/adapters/real/",
  "sim/kernel/",
  // Orchestrates many runs over worker processes; never runs inside a simulated world.
  "sim/campaign/",
];

const FORBIDDEN_GLOBALS: Record<string, string> = {
  Date: "wall clock: use the Clock port",
  setTimeout: "real timer: use Clock.sleep / the scheduler",
  setInterval: "real timer: use Clock.sleep / the scheduler",
  setImmediate: "real macrotask: only the kernel may drain the event loop",
  clearTimeout: "real timer",
  clearInterval: "real timer",
  clearImmediate: "real macrotask",
  performance: "wall clock: use the Clock port",
  fetch: "network: use a port",
  WebSocket: "network: use a port",
  XMLHttpRequest: "network: use a port",
};

const FORBIDDEN_MEMBERS: Record<string, string> = {
  "Math.random": "ambient randomness: use the Random port / a seeded stream",
  "process.hrtime": "wall clock: use the Clock port",
  "process.nextTick": "real scheduling outside the kernel",
  "process.uptime": "wall clock",
  "crypto.randomUUID": "ambient randomness",
  "crypto.getRandomValues": "ambient randomness",
  "crypto.randomBytes": "ambient randomness",
  "crypto.randomInt": "ambient randomness",
  "globalThis.Date": "wall clock",
};

const FORBIDDEN_MODULES: Record<string, string> = {
  net: "network",
  http: "network",
  https: "network",
  http2: "network",
  dgram: "network",
  dns: "network",
  tls: "network",
  child_process: "processes",
  worker_threads: "threads",
  timers: "real timers",
  "timers/promises": "real timers",
  perf_hooks: "wall clock",
  fs: "file I/O: go through a port",
  "fs/promises": "file I/O: go through a port",
  kafkajs: "real Kafka client: only engine/adapters/real may use it",
  "cassandra-driver": "real Cassandra client: only engine/adapters/real may use it",
  undici: "network",
};

const FORBIDDEN_CRYPTO_IMPORTS = new Set([
  "randomBytes",
  "randomUUID",
  "randomInt",
  "randomFill",
  "randomFillSync",
  "getRandomValues",
  "webcrypto",
]);

function moduleName(spec: string): string {
  return spec.startsWith("node:") ? spec.slice(5) : spec;
}

/** True if `id` is used as a value (not a property name, declaration name or type). */
function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (
    (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) &&
    p.name === id
  )
    return false;
  if (ts.isPropertySignature(p) || ts.isMethodSignature(p)) return false;
  if (ts.isTypeReferenceNode(p) || ts.isExpressionWithTypeArguments(p) || ts.isTypeQueryNode(p)) return false;
  if (ts.isQualifiedName(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p)) && p.name === id)
    return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  return true;
}

export function checkSource(file: string, text: string): FirewallViolation[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: FirewallViolation[] = [];
  const report = (node: ts.Node, rule: string) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    out.push({ file, line: line + 1, column: character + 1, rule, text: node.getText(sf).slice(0, 80) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      const spec = node.moduleSpecifier;
      if (spec && ts.isStringLiteral(spec)) {
        const name = moduleName(spec.text);
        const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly : node.isTypeOnly;
        if (FORBIDDEN_MODULES[name] && !typeOnly)
          report(node, `import ${spec.text}: ${FORBIDDEN_MODULES[name]}`);
        const bindings = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : undefined;
        if (name === "crypto" && bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) {
            const imported = (el.propertyName ?? el.name).text;
            if (FORBIDDEN_CRYPTO_IMPORTS.has(imported)) report(el, `crypto.${imported}: ambient randomness`);
          }
        }
      }
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg) && FORBIDDEN_MODULES[moduleName(arg.text)])
        report(node, `import(${arg.text}): ${FORBIDDEN_MODULES[moduleName(arg.text)]}`);
    } else if (ts.isPropertyAccessExpression(node)) {
      const key = `${node.expression.getText(sf)}.${node.name.text}`;
      if (FORBIDDEN_MEMBERS[key]) report(node, `${key}: ${FORBIDDEN_MEMBERS[key]}`);
    } else if (ts.isIdentifier(node)) {
      const why = Object.hasOwn(FORBIDDEN_GLOBALS, node.text) ? FORBIDDEN_GLOBALS[node.text] : undefined;
      if (why && isValueReference(node)) report(node, `${node.text}: ${why}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (e.endsWith(".ts") && !e.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Checks every file the firewall covers under `root`. */
export function checkTree(root: string): FirewallViolation[] {
  const out: FirewallViolation[] = [];
  for (const top of CHECKED) {
    for (const path of listTs(join(root, top))) {
      const rel = relative(root, path).split(sep).join("/");
      if (EXEMPT.some((e) => rel.startsWith(e))) continue;
      out.push(...checkSource(rel, readFileSync(path, "utf8")));
    }
  }
  return out;
}

if (import.meta.main) {
  const root = process.argv[2] ?? process.cwd();
  const violations = checkTree(root);
  for (const v of violations) console.error(`${v.file}:${v.line}:${v.column}  ${v.rule}  (${v.text})`);
  if (violations.length > 0) {
    console.error(`determinism firewall: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log("determinism firewall: clean");
}
