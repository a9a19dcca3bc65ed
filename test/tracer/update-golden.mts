// npm run golden:tracer — rewrites test/tracer/golden/*.svg from the current tracer. Run it when a
// change of output is intended, and review the diff of the SVGs (they are small and readable).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getNodeTracer } from "../../src/wasm/node";
import { goldenName, STAGE_FIXTURES, STAGES } from "./stage-fixtures";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "golden");
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith(".svg")) rmSync(path.join(dir, f));
const tracer = await getNodeTracer();
for (const fx of STAGE_FIXTURES) {
  const img = fx.build();
  for (const stage of STAGES) {
    const { svg } = tracer.traceRgba(img, fx.options, stage === "final" ? {} : { stopAfter: stage });
    writeFileSync(path.join(dir, goldenName(fx.name, stage)), `${svg}\n`);
  }
}
console.log(
  `golden:tracer: ${STAGE_FIXTURES.length * STAGES.length} files in ${path.relative(process.cwd(), dir)}`,
);
