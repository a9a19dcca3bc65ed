// Builds the tracer (src/wasm/assembly, AssemblyScript) into src/wasm/build/tracer.wasm.
// Runs before dev, test, bench and deploy. The output is gitignored and never hand-edited.
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "src/wasm/build");
mkdirSync(outDir, { recursive: true });
const asc = path.join(root, "node_modules/assemblyscript/bin/asc.js");
const started = Date.now();
execFileSync(
  process.execPath,
  [
    asc,
    "src/wasm/assembly/index.ts",
    "--outFile",
    "src/wasm/build/tracer.wasm",
    "--runtime",
    "minimal",
    "-O3",
    "--noAssert",
    "--initialMemory",
    "1",
    "--maximumMemory",
    "16384",
    "--importMemory",
  ],
  { cwd: root, stdio: "inherit" },
);
const size = statSync(path.join(outDir, "tracer.wasm")).size;
console.log(
  `build:wasm: src/wasm/build/tracer.wasm ${(size / 1024).toFixed(1)} KiB in ${Date.now() - started} ms`,
);
