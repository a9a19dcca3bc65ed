#!/usr/bin/env node
// The README's duplication figure: the share of hand-written source lines that lie in a pair the team's
// `duplicates` tool lists (six or more same or same-shape lines; route and schema boilerplate
// included). The tool lists each pair's longest run and at most 200 pairs a call, so it is asked for
// the whole tree and for each main folder (default), or with `--fine` for every folder that holds
// source, which finds more of the pairs past a call's 200 (a higher, fuller figure). Generated files
// (the Worker's and the web app's API types) and the pairs they take part in are left out.
// Run from the repository root: `node scripts/duplication-share.mjs [--fine]`.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const GENERATED = new Set(["worker-configuration.d.ts", "web/src/api-schema.d.ts"]);
const SOURCE = /\.(ts|tsx|mts|mjs|sql|html|css)$/;
const MAIN_FOLDERS = [".", "src", "web/src", "test", "bench", "migrations", "scripts"];

const tracked = execFileSync("git", ["ls-files"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => SOURCE.test(f));
const files = tracked.filter((f) => !GENERATED.has(f));
const everyFolder = () => {
  const folders = new Set(["."]);
  for (const f of tracked) {
    const parts = f.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(parts.slice(0, i).join("/"));
  }
  return [...folders];
};
const folders = process.argv.includes("--fine") ? everyFolder() : MAIN_FOLDERS;

/** file → the line numbers that lie in a listed pair */
const inPairs = new Map();
const mark = (file, from, to) => {
  const lines = inPairs.get(file) ?? new Set();
  for (let l = Number(from); l <= Number(to); l++) lines.add(l);
  inPairs.set(file, lines);
};
for (const folder of folders) {
  const out = execFileSync("duplicates", ["--repo", folder, "--most", "200", "--seconds", "120"], {
    encoding: "utf8",
  });
  for (const m of out.matchAll(/^D\d+ (\S+):(\d+)-(\d+) ~ (\S+):(\d+)-(\d+)/gm)) {
    const a = path.join(folder, m[1]);
    const b = path.join(folder, m[4]);
    if (GENERATED.has(a) || GENERATED.has(b)) continue;
    mark(a, m[2], m[3]);
    mark(b, m[5], m[6]);
  }
}

const byFolder = new Map();
let total = 0;
let duplicated = 0;
for (const f of files) {
  const lines = readFileSync(f, "utf8").split("\n").length;
  const d = inPairs.get(f)?.size ?? 0;
  total += lines;
  duplicated += d;
  const top = f.startsWith("web/src/") ? "web/src" : f.includes("/") ? f.split("/")[0] : "(root)";
  const [fd, ft] = byFolder.get(top) ?? [0, 0];
  byFolder.set(top, [fd + d, ft + lines]);
}
const pct = (d, t) => `${((100 * d) / t).toFixed(2)} %`;
console.log(`all: ${pct(duplicated, total)} (${duplicated} of ${total} lines in ${files.length} files)`);
for (const [folder, [d, t]] of [...byFolder].sort()) console.log(`${folder}: ${pct(d, t)} (${d} / ${t})`);
