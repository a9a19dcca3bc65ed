#!/usr/bin/env node
// Coverage per folder of src/ from the last `npm run test:coverage` (coverage/coverage-summary.json):
// lines and branches, covered/total, as a Markdown table.
import { readFileSync } from "node:fs";
import path from "node:path";

const summary = JSON.parse(readFileSync("coverage/coverage-summary.json", "utf8"));
const root = path.resolve("src");
const folders = new Map();
for (const [file, m] of Object.entries(summary)) {
  if (file === "total") continue;
  const rel = path.relative(root, file);
  const parts = rel.split(path.sep);
  // src/x.ts counts as "src/"; src/routes/a/b.ts as "src/routes" (one level deep).
  const key = parts.length > 1 ? `src/${parts[0]}` : "src/";
  const f = folders.get(key) ?? { lines: [0, 0], branches: [0, 0] };
  f.lines[0] += m.lines.covered;
  f.lines[1] += m.lines.total;
  f.branches[0] += m.branches.covered;
  f.branches[1] += m.branches.total;
  folders.set(key, f);
}
const pct = ([c, t]) => (t === 0 ? "—" : `${((100 * c) / t).toFixed(1)} %`);
console.log("| folder | lines | branches |\n|---|---:|---:|");
for (const [key, f] of [...folders].sort())
  console.log(
    `| ${key} | ${pct(f.lines)} (${f.lines[0]}/${f.lines[1]}) | ${pct(f.branches)} (${f.branches[0]}/${f.branches[1]}) |`,
  );
const t = summary.total;
console.log(
  `| **all of src/** | **${t.lines.pct} %** (${t.lines.covered}/${t.lines.total}) | **${t.branches.pct} %** (${t.branches.covered}/${t.branches.total}) |`,
);
