// The tracer's own time for an image and options, in Node with the Worker's WASM module: what a
// vectorize job would cost if queueing, storage, D1 and progress cost nothing. bench:vectorize runs
// it beside each job (`tsx bench/vectorize/tracer-alone.mts <image> '<options json>' [repeats]`) and
// prints the median wall time of `traceImage` in ms.
import { readFileSync } from "node:fs";
import { getNodeTracer } from "../../src/wasm/node";

const [image, optionsJson, repeats = "3"] = process.argv.slice(2);
const bytes = new Uint8Array(readFileSync(image!));
const tracer = await getNodeTracer();
await tracer.traceImage(bytes, JSON.parse(optionsJson!)); // warm
const ms: number[] = [];
for (let i = 0; i < Number(repeats); i++) {
  const started = performance.now();
  await tracer.traceImage(bytes, JSON.parse(optionsJson!));
  ms.push(performance.now() - started);
}
ms.sort((a, b) => a - b);
console.log(JSON.stringify({ ms: ms[Math.floor(ms.length / 2)] }));
