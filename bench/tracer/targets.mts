// The targets, evaluated per corpus as ratios against the peers measured in the same run.
import type { Corpus } from "./corpora.mts";

export interface Row {
  image: string;
  corpus: Corpus;
  run: "color" | "binary";
  tracer: string;
  megapixels: number;
  deMean: number;
  deP95: number;
  ssim: number;
  gmsd: number;
  opaque: number;
  uncovered: number;
  bytes: number;
  gzip: number;
  paths: number;
  points: number;
  msTrace: number;
  msPerMP: number;
  memMBperMP: number;
  gradientFills?: boolean;
  deterministic?: boolean;
  error?: string;
}

export interface Target {
  corpus: string;
  target: string;
  value: string;
  met: boolean;
}

export const OURS = "edgecraft";
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const fx = (x: number | undefined, d = 3) =>
  x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(d);

/** pairs of (ours, peer) rows of the same image, both without error */
export function pairs(rows: Row[], corpus: Corpus, run: Row["run"], peer: string) {
  const ours = rows.filter((r) => r.corpus === corpus && r.run === run && r.tracer === OURS && !r.error);
  const out: Array<{ o: Row; p: Row }> = [];
  for (const o of ours) {
    const p = rows.find((r) => r.image === o.image && r.run === run && r.tracer === peer && !r.error);
    if (p) out.push({ o, p });
  }
  return out;
}

type Add = (corpus: string, target: string, value: string, met: boolean) => void;

/** A corpus's colour targets against VTracer on the images both traced. */
function vtracerTargets(c: Corpus, ps: Array<{ o: Row; p: Row }>, add: Add) {
  const oDe = mean(ps.map((x) => x.o.deMean));
  const vDe = mean(ps.map((x) => x.p.deMean));
  add(c, "mean ΔE ≤ VTracer", `${fx(oDe)} vs ${fx(vDe)}`, oDe <= vDe);
  const oS = mean(ps.map((x) => x.o.ssim));
  const vS = mean(ps.map((x) => x.p.ssim));
  add(c, "mean SSIM ≥ VTracer", `${fx(oS, 4)} vs ${fx(vS, 4)}`, oS >= vS);
  const oG = mean(ps.map((x) => x.o.gmsd));
  const vG = mean(ps.map((x) => x.p.gmsd));
  add(c, "mean GMSD ≤ VTracer", `${fx(oG, 4)} vs ${fx(vG, 4)}`, oG <= vG);
  const worst = ps.reduce((a, b) => (b.o.ssim - b.p.ssim < a.o.ssim - a.p.ssim ? b : a));
  const below = ps.filter((x) => x.o.ssim < x.p.ssim - 0.02).length;
  add(
    c,
    "no image SSIM > 0.02 below VTracer",
    `${below} of ${ps.length} images; worst ${fx(worst.o.ssim - worst.p.ssim, 4)} (${worst.o.image})`,
    below === 0,
  );
  const gz = sum(ps.map((x) => x.o.gzip)) / sum(ps.map((x) => x.p.gzip));
  add(c, "gzip ≤ 0.8× VTracer", `×${fx(gz, 2)}`, gz <= 0.8);
  const tm = sum(ps.map((x) => x.o.msTrace)) / sum(ps.map((x) => x.p.msTrace));
  add(c, "trace time ≤ 0.5× vtracer-wasm", `×${fx(tm, 2)}`, tm <= 0.5);
}

/** A corpus's coverage (pixel-weighted, VTracer beside it) and failures. */
function coverageTargets(rows: Row[], c: Corpus, ours: Row[], add: Add) {
  const ok = ours.filter((r) => !r.error);
  const opaque = sum(ok.map((r) => r.opaque));
  const unc = opaque ? (sum(ok.map((r) => r.uncovered)) / opaque) * 100 : 0;
  const vt = rows.filter((r) => r.corpus === c && r.run === "color" && r.tracer === "vtracer" && !r.error);
  const vOpaque = sum(vt.map((r) => r.opaque));
  const vUnc = vOpaque ? (sum(vt.map((r) => r.uncovered)) / vOpaque) * 100 : Number.NaN;
  add(c, "uncovered ≤ 0.05 % (pixel-weighted)", `${fx(unc, 4)} % (VTracer ${fx(vUnc, 4)} %)`, unc <= 0.05);
  const failed = ours.filter((r) => r.error);
  add(
    c,
    "no failure",
    failed.length
      ? `${failed.length} failed: ${failed.map((r) => r.image).join(", ")}`
      : `0 of ${ours.length}`,
    failed.length === 0,
  );
}

/** gradients: each image at least the best peer, with gradient fills */
function gradientTargets(rows: Row[], add: Add) {
  for (const o of rows.filter((r) => r.corpus === "gradients" && r.run === "color" && r.tracer === OURS)) {
    const peers = rows.filter(
      (p) => p.image === o.image && p.run === "color" && p.tracer !== OURS && !p.error,
    );
    if (!peers.length || o.error) continue;
    const bestDe = Math.min(...peers.map((p) => p.deMean));
    const bestS = Math.max(...peers.map((p) => p.ssim));
    add("gradients", `${o.image}: ΔE ≤ best peer`, `${fx(o.deMean)} vs ${fx(bestDe)}`, o.deMean <= bestDe);
    add("gradients", `${o.image}: SSIM ≥ best peer`, `${fx(o.ssim, 4)} vs ${fx(bestS, 4)}`, o.ssim >= bestS);
    add("gradients", `${o.image}: gradient fills`, o.gradientFills ? "yes" : "no", o.gradientFills === true);
  }
}

/** binary: every glyph and line-art image at least potrace's SSIM; time */
function binaryTargets(rows: Row[], add: Add) {
  for (const c of ["glyphs", "lineart"] as Corpus[]) {
    const ps = pairs(rows, c, "binary", "potrace");
    if (!ps.length) continue;
    const below = ps.filter((x) => x.o.ssim < x.p.ssim);
    const worst = ps.reduce((a, b) => (b.o.ssim - b.p.ssim < a.o.ssim - a.p.ssim ? b : a));
    add(
      c,
      "binary: SSIM ≥ potrace on every image",
      `${below.length} of ${ps.length} below; worst ${fx(worst.o.ssim - worst.p.ssim, 4)} (${worst.o.image})`,
      below.length === 0,
    );
    const tm = sum(ps.map((x) => x.o.msTrace)) / sum(ps.map((x) => x.p.msTrace));
    add(c, "binary: time ≤ 1.5× esm-potrace", `×${fx(tm, 2)}`, tm <= 1.5);
  }
}

/** memory per megapixel and determinism over all images */
function overallTargets(rows: Row[], add: Add) {
  const big = rows.filter((r) => r.tracer === OURS && !r.error && r.megapixels >= 0.5 && r.run === "color");
  if (big.length) {
    const m = Math.max(...big.map((r) => r.memMBperMP));
    add("all", "memory ≤ 25 MB/MP (images ≥ 0.5 MP)", `max ${fx(m, 1)} MB/MP`, m <= 25);
  }
  const ours = rows.filter((r) => r.tracer === OURS && !r.error);
  const nondet = ours.filter((r) => r.deterministic === false);
  add(
    "all",
    "deterministic (same SVG on every repeat)",
    `${nondet.length} of ${ours.length} differ`,
    !nondet.length,
  );
}

export function evaluate(rows: Row[], corpora: Corpus[]): Target[] {
  const t: Target[] = [];
  const add: Add = (corpus, target, value, met) => t.push({ corpus, target, value, met });
  for (const c of corpora) {
    const ours = rows.filter((r) => r.corpus === c && r.run === "color" && r.tracer === OURS);
    if (!ours.length) continue;
    const ps = pairs(rows, c, "color", "vtracer");
    if (ps.length) vtracerTargets(c, ps, add);
    coverageTargets(rows, c, ours, add);
  }
  gradientTargets(rows, add);
  binaryTargets(rows, add);
  overallTargets(rows, add);
  return t;
}

/** the five images with the largest SSIM loss against VTracer (colour runs) */
export function worstFive(rows: Row[]) {
  const out: Array<{
    image: string;
    corpus: string;
    ssimGap: number;
    gmsdGap: number;
    ssim: number;
    vt: number;
  }> = [];
  for (const o of rows.filter((r) => r.tracer === OURS && r.run === "color" && !r.error)) {
    const p = rows.find(
      (r) => r.image === o.image && r.run === "color" && r.tracer === "vtracer" && !r.error,
    );
    if (p)
      out.push({
        image: o.image,
        corpus: o.corpus,
        ssimGap: o.ssim - p.ssim,
        gmsdGap: o.gmsd - p.gmsd,
        ssim: o.ssim,
        vt: p.ssim,
      });
  }
  return out.sort((a, b) => a.ssimGap - b.ssimGap).slice(0, 5);
}
