#!/usr/bin/env node
// Launcher: tradesim is TypeScript run directly by Node >= 22.18 (type stripping). The project
// installs Node 24 into node_modules/.bin, which npm scripts and npx put first on PATH.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `tradesim needs Node >= 22.18 (this is ${process.version}). Run it through npm (npm start, npm test) ` +
      "or npx tradesim, which use the Node 24 that `npm ci` installs into node_modules/.bin.",
  );
  process.exit(2);
}
await import("../cli/main.ts");
