/**
 * Mean SSIM exactly as ssim.js 3.5 computes it with its defaults (integer grey, its "original"
 * downsampling, its "weber" SSIM: 11 × 11 box windows from summed-area tables), in typed arrays. The
 * job's quality report measures every trace with it, and ssim.js's own code — a summed-area table
 * built through closures and per-pixel objects, plain arrays — cost 50–140 ms of a job's CPU for a
 * 512 px comparison; this does the same arithmetic in a few ms and gives the same number (tested
 * against ssim.js), so figures stay comparable with earlier results and the tracer bench.
 */
import type { Rgba } from "./metrics";

const WINDOW = 11;
const MAX_SIZE = 256;
const L = 255;
const C1 = 0.01 * L * (0.01 * L);
const C2 = 0.03 * L * (0.03 * L);

/** Grey as ssim.js's rgb2grayInteger: (77 R + 150 G + 29 B + 128) >> 8; alpha is ignored. */
function grey(img: Rgba): Float64Array {
  const n = img.width * img.height;
  const out = new Float64Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    out[i] = (77 * d[o]! + 150 * d[o + 1]! + 29 * d[o + 2]! + 128) >> 8;
  }
  return out;
}

/** Matlab's 'symmetric' padding: -1 → 0, -2 → 1, n → n − 1. */
const mirror = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i);

/**
 * ssim.js's "original" downsampling by `f`: an f × f mean filter (imfilter, 'symmetric', 'same', so
 * rows i − ⌊f/2⌋ … i − ⌊f/2⌋ + f − 1 for output row i), then every f-th row and column from the first.
 */
function downsample(g: Float64Array, w: number, h: number, f: number) {
  const ow = Math.ceil(w / f);
  const oh = Math.ceil(h / f);
  const out = new Float64Array(ow * oh);
  const half = Math.floor(f / 2);
  const weight = 1 / (f * f);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sum = 0;
      for (let dy = 0; dy < f; dy++) {
        const row = mirror(y * f - half + dy, h) * w;
        for (let dx = 0; dx < f; dx++) sum += g[row + mirror(x * f - half + dx, w)]! * weight;
      }
      out[y * ow + x] = sum;
    }
  }
  return { data: out, width: ow, height: oh };
}

/**
 * Summed-area tables of a, b, a², b² and a·b with one extra row and column of zeros at the start:
 * `t[y * (w + 1) + x]` sums rows < y and columns < x. Float64 holds these sums exactly (< 2^53).
 */
function tables(ra: Float64Array, rb: Float64Array, w: number, h: number) {
  const tw = w + 1;
  const size = tw * (h + 1);
  const [sa, sb, qa, qb, pab] = [0, 0, 0, 0, 0].map(() => new Float64Array(size)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  for (let y = 0; y < h; y++) {
    let ra0 = 0;
    let rb0 = 0;
    let qa0 = 0;
    let qb0 = 0;
    let p0 = 0;
    for (let x = 0; x < w; x++) {
      const va = ra[y * w + x]!;
      const vb = rb[y * w + x]!;
      ra0 += va;
      rb0 += vb;
      qa0 += va * va;
      qb0 += vb * vb;
      p0 += va * vb;
      const above = y * tw + x + 1;
      const here = above + tw;
      sa[here] = sa[above]! + ra0;
      sb[here] = sb[above]! + rb0;
      qa[here] = qa[above]! + qa0;
      qb[here] = qb[above]! + qb0;
      pab[here] = pab[above]! + p0;
    }
  }
  return { sa, sb, qa, qb, pab };
}

/** Mean SSIM of two images of equal size (RGBA, as ssim.js reads an ImageData). */
export function meanSsim(a: Rgba, b: Rgba): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error("Image dimensions do not match");
  let w = a.width;
  let h = a.height;
  let ga = grey(a);
  let gb = grey(b);
  // ssim.js's factor reads the first image's width and the second's height (equal sizes here)
  const f = Math.round(Math.min(a.width, b.height) / MAX_SIZE);
  if (f > 1) {
    const da = downsample(ga, w, h, f);
    gb = downsample(gb, w, h, f).data;
    ga = da.data;
    w = da.width;
    h = da.height;
  }
  // weber rounds its input to integers first (Int32Array.from(v + 0.5))
  const ra = new Float64Array(w * h);
  const rb = new Float64Array(w * h);
  for (let i = 0; i < ra.length; i++) {
    ra[i] = Math.trunc(ga[i]! + 0.5);
    rb[i] = Math.trunc(gb[i]! + 0.5);
  }
  // An image narrower or lower than the window is measured with a window that fits (ssim.js throws
  // for one such side, which failed the job, and answers 1 whatever the pixels for two).
  const win = Math.min(WINDOW, w, h);
  const ww = w - win + 1;
  const wh = h - win + 1;
  const { sa, sb, qa, qb, pab } = tables(ra, rb, w, h);
  const tw = w + 1;
  const sq = win * win;
  const box = (t: Float64Array, x: number, y: number) =>
    t[(y + win) * tw + x + win]! - t[y * tw + x + win]! - t[(y + win) * tw + x]! + t[y * tw + x]!;
  let mssim = 0;
  let i = 0;
  for (let y = 0; y < wh; y++) {
    for (let x = 0; x < ww; x++, i++) {
      const sumA = box(sa, x, y);
      const sumB = box(sb, x, y);
      const meanx = sumA / sq;
      const meany = sumB / sq;
      // ssim.js stores 1024 × (co)variance in an Int32Array: truncated toward zero
      const varx = Math.trunc(1024 * (box(qa, x, y) / sq - meanx * meanx)) / 1024;
      const vary = Math.trunc(1024 * (box(qb, x, y) / sq - meany * meany)) / 1024;
      const cov = Math.trunc(1024 * (box(pab, x, y) / sq - (sumA / sq) * (sumB / sq))) / 1024;
      const na = 2 * meanx * meany + C1;
      const nb = 2 * cov + C2;
      const da = meanx * meanx + meany * meany + C1;
      const db = varx + vary + C2;
      const s = (na * nb) / da / db;
      // the running mean ssim.js keeps (same rounding as its loop)
      mssim = i === 0 ? s : mssim + (s - mssim) / (i + 1);
    }
  }
  return mssim;
}
