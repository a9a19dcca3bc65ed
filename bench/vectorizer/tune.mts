// Auto-tune over the clip-art corpus: the default trace, then `target: {minSSIM}` and
// `target: {maxBytes}` (half the default's size) with the job's own search (src/vectorize/trace.ts)
// and attempt budget; how many attempts, whether the target was met, what it cost in size or quality.
import { readFileSync } from "node:fs";
import path from "node:path";
import { traceBest } from "../../src/vectorize/trace";
import type { Tracer } from "../../src/wasm/shared";

export async function autoTune(
  tracer: Tracer,
  dir: string,
  files: string[],
  budget: number,
  minSSIM: number,
) {
  const rows = [];
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(path.join(dir, f)));
    const plain = await traceBest(tracer, bytes, {}, undefined, 1);
    const t0 = performance.now();
    const q = await traceBest(tracer, bytes, {}, { minSSIM }, budget);
    const qMs = performance.now() - t0;
    const maxBytes = Math.max(256, Math.round(plain.result.stats.bytes / 2));
    const t1 = performance.now();
    const b = await traceBest(tracer, bytes, {}, { maxBytes }, budget);
    const bMs = performance.now() - t1;
    rows.push({
      image: f.replace(/\.png$/, ""),
      plainBytes: plain.result.stats.bytes,
      plainSsim: plain.quality.ssim,
      ssimAttempts: q.tune!.attempts.length,
      ssimMet: q.tune!.met,
      ssimBytes: q.result.stats.bytes,
      ssimSsim: q.quality.ssim,
      ssimMs: qMs,
      maxBytes,
      bytesAttempts: b.tune!.attempts.length,
      bytesMet: b.tune!.met,
      bytesBytes: b.result.stats.bytes,
      bytesSsim: b.quality.ssim,
      bytesMs: bMs,
    });
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  return rows;
}
