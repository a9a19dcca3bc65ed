// bench/results/tracer.md: targets per corpus, a summary per corpus and tracer, the five worst images,
// and every image with its SSIM/GMSD gap to VTracer.
import type { Corpus } from "./corpora.mts";
import { fx, OURS, type Row, type Target, type worstFive } from "./targets.mts";

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function summaries(rows: Row[], corpora: Corpus[]) {
  const out = [];
  for (const corpus of corpora)
    for (const run of ["color", "binary"] as const)
      for (const tracer of [...new Set(rows.map((r) => r.tracer))]) {
        const all = rows.filter((r) => r.corpus === corpus && r.run === run && r.tracer === tracer);
        const rs = all.filter((r) => !r.error);
        if (!all.length) continue;
        const opaque = sum(rs.map((r) => r.opaque));
        out.push({
          corpus,
          run,
          tracer,
          images: rs.length,
          errors: all.length - rs.length,
          deMean: mean(rs.map((r) => r.deMean)),
          ssim: mean(rs.map((r) => r.ssim)),
          gmsd: mean(rs.map((r) => r.gmsd)),
          uncoveredPct: opaque ? (sum(rs.map((r) => r.uncovered)) / opaque) * 100 : Number.NaN,
          gzip: sum(rs.map((r) => r.gzip)),
          msTrace: sum(rs.map((r) => r.msTrace)),
          msPerMP: sum(rs.map((r) => r.msTrace)) / sum(rs.map((r) => r.megapixels)),
          memMax: Math.max(...rs.map((r) => r.memMBperMP).filter(Number.isFinite), Number.NEGATIVE_INFINITY),
        });
      }
  return out;
}

/** One image's row; ours carries its gaps to the reference peer (VTracer in colour, potrace in binary). */
function imageRow(r: Row, rows: Row[]): string {
  const ref = r.run === "binary" ? "potrace" : "vtracer";
  const p =
    r.tracer === OURS
      ? rows.find((x) => x.image === r.image && x.run === r.run && x.tracer === ref && !x.error)
      : undefined;
  const gap = (ours: number, peer: number | undefined) => (peer === undefined ? "" : fx(ours - peer, 4));
  return `| ${r.image} | ${r.corpus} | ${r.run} | ${r.tracer} | ${fx(r.deMean, 2)} | ${fx(r.ssim, 4)} | ${fx(r.gmsd, 4)} | ${gap(r.ssim, p?.ssim)} | ${gap(r.gmsd, p?.gmsd)} | ${r.uncovered} / ${r.opaque} | ${r.gzip} | ${r.paths} | ${fx(r.msTrace, 0)} | ${fx(r.memMBperMP, 1)} |${r.error ? ` error: ${r.error}` : ""}`;
}

export function writeReport(
  machine: { cpu: string; cores: number; node: string; date: string; repeats: number; seconds: number },
  corpora: Corpus[],
  rows: Row[],
  targets: Target[],
  worst: ReturnType<typeof worstFive>,
): string {
  const md: string[] = ["# Tracer bench", ""];
  md.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}; median of ${machine.repeats} runs (at least 5 below 1 MP, 1 above 8 MP); total ${machine.seconds} s.`,
    "",
    "Uncovered = source alpha > 250 and the renders on white and on magenta differ by > 8 in green, pixel-weighted over the corpus. GMSD: Xue et al. 2014 (lower is better).",
    "",
    "## Targets",
    "",
    "| corpus | target | measured | met |",
    "|---|---|---|---|",
  );
  for (const t of targets)
    md.push(`| ${t.corpus} | ${t.target} | ${t.value} | ${t.met ? "yes" : "**no**"} |`);
  md.push("", "## Per corpus (means per image; gzip and time are totals)", "");
  md.push(
    "| corpus | mode | tracer | images | ΔE | SSIM | GMSD | uncovered % | gzip | ms trace | ms/MP | MB/MP max |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const s of summaries(rows, corpora))
    md.push(
      `| ${s.corpus} | ${s.run} | ${s.tracer} | ${s.images}${s.errors ? ` (+${s.errors} errors)` : ""} | ${fx(s.deMean, 2)} | ${fx(s.ssim, 4)} | ${fx(s.gmsd, 4)} | ${fx(s.uncoveredPct, 4)} | ${s.gzip} | ${fx(s.msTrace, 0)} | ${fx(s.msPerMP, 0)} | ${fx(s.memMax, 1)} |`,
    );
  md.push(
    "",
    "## Five worst images (SSIM gap to VTracer)",
    "",
    "| image | corpus | SSIM | VTracer | gap | GMSD gap |",
    "|---|---|---|---|---|---|",
  );
  for (const w of worst)
    md.push(
      `| ${w.image} | ${w.corpus} | ${fx(w.ssim, 4)} | ${fx(w.vt, 4)} | ${fx(w.ssimGap, 4)} | ${fx(w.gmsdGap, 4)} |`,
    );
  md.push(
    "",
    "## Per image",
    "",
    "Gaps: ours minus the reference peer (VTracer in colour mode, potrace in binary mode): SSIM gap < 0 and GMSD gap > 0 are losses.",
    "",
    "| image | corpus | mode | tracer | ΔE | SSIM | GMSD | SSIM gap | GMSD gap | uncovered px | gzip | paths | ms | MB/MP |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of rows) md.push(imageRow(r, rows));
  return `${md.join("\n")}\n`;
}
