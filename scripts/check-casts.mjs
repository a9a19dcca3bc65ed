#!/usr/bin/env node
// `npm run lint` (after biome): no double casts (`as unknown as …`) in TypeScript the repo writes by
// hand. A double cast tells the compiler to stop checking; type the boundary instead (a guard, a
// checked reader, a declaration). Generated files and the test helpers (which build deliberately
// malformed inputs) are not checked.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const EXEMPT = [/^worker-configuration\.d\.ts$/, /^web\/src\/api-schema\.d\.ts$/, /^test\/helpers\//];
const files = execFileSync(
  "git",
  ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.tsx", "*.mts", "*.cts"],
  {
    encoding: "utf8",
  },
)
  .split("\n")
  .filter((f) => f && !EXEMPT.some((re) => re.test(f)));

const found = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  text.split("\n").forEach((line, i) => {
    if (/\bas\s+unknown\s+as\b/.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
  });
}
if (found.length > 0) {
  console.error(`Double casts (as unknown as) in ${found.length} place(s):\n${found.join("\n")}`);
  process.exit(1);
}
console.log(`No double casts in ${files.length} TypeScript files.`);
