// The clip-art corpus the tracer benchmark measures: 48 PNGs from the openclipart collection (public
// domain), kept outside the repository in the `shared/corpus/clipart` folder beside it (the team's
// machines and CI have it there). Set CLIPART_CORPUS to use a copy somewhere else. Tests never need
// it: they use the few images in test/fixtures/.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../..");
export const CORPUS_SIZE = 48;

/**
 * The corpus folder, or a clear message and a non-zero exit: a benchmark over fewer images than
 * its published results would not be comparable, so it never shrinks silently.
 */
export function clipartCorpus(bench) {
  const dir = path.resolve(process.env.CLIPART_CORPUS ?? path.join(repoRoot, "../shared/corpus/clipart"));
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".png")).length : 0;
  if (found < CORPUS_SIZE) {
    console.error(
      [
        `${bench}: needs the clip-art corpus (${CORPUS_SIZE} openclipart PNGs, public domain), but ${dir} ${
          existsSync(dir) ? `holds only ${found}` : "does not exist"
        }.`,
        "It lives in shared/corpus/clipart beside the repository; point CLIPART_CORPUS at a copy",
        "elsewhere, e.g. CLIPART_CORPUS=/path/to/shared/corpus/clipart npm run bench:tracer",
      ].join("\n"),
    );
    process.exit(1);
  }
  return dir;
}
