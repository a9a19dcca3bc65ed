// Time per output format: each clip-art image traced once (logo preset), its vector document encoded
// as stored, then every format written from it (median of `repeats`), with sizes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { RESULT_FORMATS, renderFormat } from "../../src/vectorize/formats/index";
import { decodeDoc, encodeDoc, fromTracerSvg } from "../../src/vectorize/vector/document";
import type { Tracer } from "../../src/wasm/shared";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export async function formatTimes(tracer: Tracer, dir: string, files: string[], repeats: number) {
  const rows = [];
  for (const f of files) {
    const traced = await tracer.traceImage(new Uint8Array(readFileSync(path.join(dir, f))), {
      preset: "logo",
    });
    const doc = fromTracerSvg(traced.svg);
    const row: Record<string, number | string> = {
      image: f.replace(/\.png$/, ""),
      mp: (traced.stats.width * traced.stats.height) / 1e6,
      svgBytes: traced.stats.bytes,
    };
    const stored = await encodeDoc(doc);
    row.storedBytes = stored.byteLength;
    const load: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await decodeDoc(stored);
      load.push(performance.now() - t0);
    }
    row.loadMs = median(load);
    for (const format of RESULT_FORMATS) {
      const times: number[] = [];
      let size = 0;
      for (let r = 0; r < repeats; r++) {
        const t0 = performance.now();
        size = (await renderFormat(doc, format)).body.byteLength;
        times.push(performance.now() - t0);
      }
      row[`${format}Ms`] = median(times);
      row[`${format}Bytes`] = size;
    }
    rows.push(row);
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  return rows;
}
