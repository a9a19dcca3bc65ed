// Stage 2, quantize: the palette (colour and posterize modes) or the threshold (binary mode), and a
// label per pixel.
// Palette: 15-bit histogram in which anti-aliasing pixels weigh 1/25, median cut in Oklab (largest-SSE
// box, SSE-optimal cut) until the error target (`detail`) or `colors` is reached, 6 k-means rounds,
// pixels mapped to the nearest entry through an 18-bit lookup table; final colours are the mean of
// interior pixels.
import { okA, okB, okL, rgbToOklab } from "./color";
import { pixelTick, progress, rowTick } from "./env";
import { MODE_COLOR, Options } from "./options";
import { Frame, inkStrokes, isStrokeCore, TRANSPARENT } from "./prepare";
import { keepFixedPalette, setFixedPalette, snapInk } from "./snap";
import { shellSort } from "./sort";

/** automatic palettes go up to this; an explicit `colors` is at most 64 */
export const MAX_COLORS: i32 = 160;
/** labels: the colours, then one per (colour, opacity level) of uniformly translucent pixels */
export const MAX_LABELS: i32 = 255;

export class Palette {
  k: i32 = 0;
  /** sRGB 0..255 (fractional) */
  r: StaticArray<f64> = new StaticArray<f64>(MAX_LABELS);
  g: StaticArray<f64> = new StaticArray<f64>(MAX_LABELS);
  b: StaticArray<f64> = new StaticArray<f64>(MAX_LABELS);
  /** opacity 0..255 (255 for every entry but the translucent ones) */
  a: StaticArray<f64> = new StaticArray<f64>(MAX_LABELS);
  /** Oklab */
  L: StaticArray<f64> = new StaticArray<f64>(MAX_LABELS);
  A: StaticArray<f64> = new StaticArray<f64>(MAX_LABELS);
  B: StaticArray<f64> = new StaticArray<f64>(MAX_LABELS);
}

/** colour and posterize modes: palette, then every pixel's label */
export function quantize(f: Frame, o: Options, pal: Palette): void {
  let lut = heap.alloc(1 << 18);
  // automatic palettes only: posterize, a fixed `colors` and a `palette` keep exactly those opaque fills
  let alphaLayers = o.mode == MODE_COLOR && o.colors <= 0 && o.paletteN == 0;
  if (o.paletteN > 0) setFixedPalette(o, pal);
  else buildPalette(f, o, pal, alphaLayers);
  progress(1, 0.6);
  mapPixels(f, pal, lut, alphaLayers);
  if (o.paletteN > 0) keepFixedPalette(f, o, pal);
  heap.free(lut);
}

// Histogram on 5 bits per channel; each occupied bin becomes a weighted sample in Oklab.
const HBINS: i32 = 32768;
const boxLo = new StaticArray<i32>(MAX_COLORS + 1);
const boxHi = new StaticArray<i32>(MAX_COLORS + 1);
const boxSse = new StaticArray<f64>(MAX_COLORS + 1);

function boxStats(sidx: usize, sw: usize, sl: usize, sa: usize, sb: usize, lo: i32, hi: i32): f64 {
  let w: f64 = 0;
  let l: f64 = 0;
  let a: f64 = 0;
  let b: f64 = 0;
  let q: f64 = 0;
  for (let i = lo; i < hi; i++) {
    let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
    let ww = load<f64>(sw + s);
    let ll = load<f64>(sl + s);
    let aa = load<f64>(sa + s);
    let bb = load<f64>(sb + s);
    w += ww;
    l += ww * ll;
    a += ww * aa;
    b += ww * bb;
    q += ww * (ll * ll + aa * aa + bb * bb);
  }
  if (w <= 0) return 0;
  let sse = q - (l * l + a * a + b * b) / w;
  return sse > 0 ? sse : 0;
}

function buildPalette(f: Frame, o: Options, pal: Palette, alphaLayers: bool): void {
  // 1. weighted histogram
  let hw = heap.alloc(<usize>HBINS * 8);
  let hr = heap.alloc(<usize>HBINS * 8);
  let hg = heap.alloc(<usize>HBINS * 8);
  let hb = heap.alloc(<usize>HBINS * 8);
  memory.fill(hw, 0, <usize>HBINS * 8);
  memory.fill(hr, 0, <usize>HBINS * 8);
  memory.fill(hg, 0, <usize>HBINS * 8);
  memory.fill(hb, 0, <usize>HBINS * 8);
  let flatW: f64 = o.mode == MODE_COLOR ? 1.0 : 1.0;
  let edgeW: f64 = o.mode == MODE_COLOR ? 0.04 : 1.0;
  let total: f64 = 0;
  for (let y = 0; y < f.h; y++) {
    rowTick(y);
    for (let x = 0; x < f.w; x++) {
      let p = <usize>(y * f.w + x) << 2;
      let a = <i32>load<u8>(f.rgba + p + 3);
      if (a < 128 && !(alphaLayers && f.translucent(x, y))) continue;
      let r = <i32>load<u8>(f.rgba + p);
      let g = <i32>load<u8>(f.rgba + p + 1);
      let b = <i32>load<u8>(f.rgba + p + 2);
      let wgt = flatW;
      if (edgeW != flatW) {
        let d = 0;
        if (x + 1 < f.w) {
          let q = p + 4;
          d = max(d, abs(r - <i32>load<u8>(f.rgba + q)));
          d = max(d, abs(g - <i32>load<u8>(f.rgba + q + 1)));
          d = max(d, abs(b - <i32>load<u8>(f.rgba + q + 2)));
        }
        if (y + 1 < f.h) {
          let q = p + (<usize>f.w << 2);
          d = max(d, abs(r - <i32>load<u8>(f.rgba + q)));
          d = max(d, abs(g - <i32>load<u8>(f.rgba + q + 1)));
          d = max(d, abs(b - <i32>load<u8>(f.rgba + q + 2)));
        }
        if (x > 0) {
          let q = p - 4;
          d = max(d, abs(r - <i32>load<u8>(f.rgba + q)));
          d = max(d, abs(g - <i32>load<u8>(f.rgba + q + 1)));
          d = max(d, abs(b - <i32>load<u8>(f.rgba + q + 2)));
        }
        if (y > 0) {
          let q = p - (<usize>f.w << 2);
          d = max(d, abs(r - <i32>load<u8>(f.rgba + q)));
          d = max(d, abs(g - <i32>load<u8>(f.rgba + q + 1)));
          d = max(d, abs(b - <i32>load<u8>(f.rgba + q + 2)));
        }
        // anti-aliasing pixels weigh little, but a stroke's core is the stroke's colour
        if (d > 10 && !isStrokeCore(f, x, y)) wgt = edgeW;
      }
      let k = <usize>(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3)) << 3;
      store<f64>(hw + k, load<f64>(hw + k) + wgt);
      store<f64>(hr + k, load<f64>(hr + k) + wgt * <f64>r);
      store<f64>(hg + k, load<f64>(hg + k) + wgt * <f64>g);
      store<f64>(hb + k, load<f64>(hb + k) + wgt * <f64>b);
      total += wgt;
    }
  }
  progress(1, 0.3);
  // 2. samples
  let ns = 0;
  for (let k = 0; k < HBINS; k++) if (load<f64>(hw + (<usize>k << 3)) > 0) ns++;
  pal.k = 0;
  if (ns == 0) {
    heap.free(hw);
    heap.free(hr);
    heap.free(hg);
    heap.free(hb);
    return;
  }
  let sidx = heap.alloc(<usize>ns * 4);
  let sw = heap.alloc(<usize>ns * 8);
  let sl = heap.alloc(<usize>ns * 8);
  let sa = heap.alloc(<usize>ns * 8);
  let sb = heap.alloc(<usize>ns * 8);
  let skey = heap.alloc(<usize>ns * 8);
  let sr = heap.alloc(<usize>ns * 8);
  let sg = heap.alloc(<usize>ns * 8);
  let sbl = heap.alloc(<usize>ns * 8);
  let j = 0;
  for (let k = 0; k < HBINS; k++) {
    let o = <usize>k << 3;
    let ww = load<f64>(hw + o);
    if (ww <= 0) continue;
    let r = load<f64>(hr + o) / ww;
    let g = load<f64>(hg + o) / ww;
    let b = load<f64>(hb + o) / ww;
    rgbToOklab(r, g, b);
    let s = <usize>j << 3;
    store<f64>(sw + s, ww);
    store<f64>(sl + s, okL);
    store<f64>(sa + s, okA);
    store<f64>(sb + s, okB);
    store<f64>(sr + s, r);
    store<f64>(sg + s, g);
    store<f64>(sbl + s, b);
    store<i32>(sidx + (<usize>j << 2), j);
    j++;
  }
  heap.free(hw);
  heap.free(hr);
  heap.free(hg);
  heap.free(hb);

  // 3. median cut in Oklab, splitting the box with the largest SSE at the SSE-optimal point
  let maxK = o.colors > 0 ? min(o.colors, MAX_COLORS) : MAX_COLORS;
  if (maxK > ns) maxK = ns;
  // error target (mean squared Oklab distance) for automatic palettes; o.detail 0..100
  let tgt = 0.045 * Math.pow(0.955, o.detail); // o.detail 50 -> ~0.0045
  let tgt2 = tgt * tgt * total;
  let nb = 1;
  unchecked((boxLo[0] = 0));
  unchecked((boxHi[0] = ns));
  unchecked((boxSse[0] = boxStats(sidx, sw, sl, sa, sb, 0, ns)));
  while (nb < maxK) {
    let sum: f64 = 0;
    let best = -1;
    let bestSse: f64 = 0;
    for (let i = 0; i < nb; i++) {
      let e = unchecked(boxSse[i]);
      sum += e;
      if (unchecked(boxHi[i]) - unchecked(boxLo[i]) >= 2 && e > bestSse) {
        bestSse = e;
        best = i;
      }
    }
    if (best < 0) break;
    if (o.colors <= 0 && sum <= tgt2 && nb >= 2) break;
    let lo = unchecked(boxLo[best]);
    let hi = unchecked(boxHi[best]);
    // axis of largest weighted variance
    let w: f64 = 0;
    let m0: f64 = 0;
    let m1: f64 = 0;
    let m2: f64 = 0;
    let q0: f64 = 0;
    let q1: f64 = 0;
    let q2: f64 = 0;
    for (let i = lo; i < hi; i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      let ww = load<f64>(sw + s);
      let v0 = load<f64>(sl + s);
      let v1 = load<f64>(sa + s);
      let v2 = load<f64>(sb + s);
      w += ww;
      m0 += ww * v0;
      m1 += ww * v1;
      m2 += ww * v2;
      q0 += ww * v0 * v0;
      q1 += ww * v1 * v1;
      q2 += ww * v2 * v2;
    }
    let var0 = q0 - (m0 * m0) / w;
    let var1 = q1 - (m1 * m1) / w;
    let var2 = q2 - (m2 * m2) / w;
    let axis = sl;
    if (var1 > var0 && var1 >= var2) axis = sa;
    else if (var2 > var0 && var2 > var1) axis = sb;
    for (let i = lo; i < hi; i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      store<f64>(skey + s, load<f64>(axis + s));
    }
    shellSort(sidx, skey, lo, hi);
    // best cut by SSE along the axis (1-D approximation using all three dims)
    let tw: f64 = 0;
    let tl: f64 = 0;
    let ta: f64 = 0;
    let tb: f64 = 0;
    let tq: f64 = 0;
    for (let i = lo; i < hi; i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      let ww = load<f64>(sw + s);
      let ll = load<f64>(sl + s);
      let aa = load<f64>(sa + s);
      let bb = load<f64>(sb + s);
      tw += ww;
      tl += ww * ll;
      ta += ww * aa;
      tb += ww * bb;
      tq += ww * (ll * ll + aa * aa + bb * bb);
    }
    let cw: f64 = 0;
    let cl: f64 = 0;
    let ca: f64 = 0;
    let cb: f64 = 0;
    let cq: f64 = 0;
    let cut = lo + 1;
    let bestCost = Infinity;
    for (let i = lo; i < hi - 1; i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      let ww = load<f64>(sw + s);
      let ll = load<f64>(sl + s);
      let aa = load<f64>(sa + s);
      let bb = load<f64>(sb + s);
      cw += ww;
      cl += ww * ll;
      ca += ww * aa;
      cb += ww * bb;
      cq += ww * (ll * ll + aa * aa + bb * bb);
      let rw = tw - cw;
      if (rw <= 0 || cw <= 0) continue;
      let e1 = cq - (cl * cl + ca * ca + cb * cb) / cw;
      let rl = tl - cl;
      let ra = ta - ca;
      let rb = tb - cb;
      let e2 = tq - cq - (rl * rl + ra * ra + rb * rb) / rw;
      let cost = e1 + e2;
      if (cost < bestCost) {
        bestCost = cost;
        cut = i + 1;
      }
    }
    unchecked((boxHi[best] = cut));
    unchecked((boxSse[best] = boxStats(sidx, sw, sl, sa, sb, lo, cut)));
    unchecked((boxLo[nb] = cut));
    unchecked((boxHi[nb] = hi));
    unchecked((boxSse[nb] = boxStats(sidx, sw, sl, sa, sb, cut, hi)));
    nb++;
  }
  pal.k = nb;
  // centroids
  for (let c = 0; c < pal.k; c++) {
    let w: f64 = 0;
    let l: f64 = 0;
    let a: f64 = 0;
    let b: f64 = 0;
    for (let i = unchecked(boxLo[c]); i < unchecked(boxHi[c]); i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      let ww = load<f64>(sw + s);
      w += ww;
      l += ww * load<f64>(sl + s);
      a += ww * load<f64>(sa + s);
      b += ww * load<f64>(sb + s);
    }
    if (w <= 0) w = 1;
    unchecked((pal.L[c] = l / w));
    unchecked((pal.A[c] = a / w));
    unchecked((pal.B[c] = b / w));
  }
  // 4. k-means refinement on samples
  let ac = new StaticArray<f64>(MAX_COLORS * 4);
  for (let it = 0; it < 6; it++) {
    for (let c = 0; c < pal.k * 4; c++) unchecked((ac[c] = 0));
    for (let i = 0; i < ns; i++) {
      let s = <usize>i << 3;
      let l = load<f64>(sl + s);
      let a = load<f64>(sa + s);
      let b = load<f64>(sb + s);
      let bc = 0;
      let bd = Infinity;
      for (let c = 0; c < pal.k; c++) {
        let dl = l - unchecked(pal.L[c]);
        let da = a - unchecked(pal.A[c]);
        let db = b - unchecked(pal.B[c]);
        let d = dl * dl + da * da + db * db;
        if (d < bd) {
          bd = d;
          bc = c;
        }
      }
      let ww = load<f64>(sw + s);
      unchecked((ac[bc * 4] += ww));
      unchecked((ac[bc * 4 + 1] += ww * l));
      unchecked((ac[bc * 4 + 2] += ww * a));
      unchecked((ac[bc * 4 + 3] += ww * b));
    }
    for (let c = 0; c < pal.k; c++) {
      let ww = unchecked(ac[c * 4]);
      if (ww > 0) {
        unchecked((pal.L[c] = ac[c * 4 + 1] / ww));
        unchecked((pal.A[c] = ac[c * 4 + 2] / ww));
        unchecked((pal.B[c] = ac[c * 4 + 3] / ww));
      }
    }
  }
  heap.free(sidx);
  heap.free(sw);
  heap.free(sl);
  heap.free(sa);
  heap.free(sb);
  heap.free(skey);
  heap.free(sr);
  heap.free(sg);
  heap.free(sbl);
}

// Maps pixels to the nearest palette entry (Oklab) through a 6-bit-per-channel lookup table
function mapPixels(f: Frame, pal: Palette, lut: usize, alphaLayers: bool): void {
  memory.fill(lut, 255, 1 << 18);
  for (let c = 0; c < pal.k; c++) {
    unchecked((pal.r[c] = 0));
    unchecked((pal.g[c] = 0));
    unchecked((pal.b[c] = 0));
  }
  let accW = new StaticArray<f64>(MAX_LABELS);
  let accA = new StaticArray<f64>(MAX_LABELS);
  // translucent labels by (colour, opacity level in 1/16 steps)
  let byAlpha = new StaticArray<i32>(MAX_COLORS * 17);
  for (let k = 0; k < MAX_COLORS * 17; k++) unchecked((byAlpha[k] = -1));
  let nk = pal.k;
  let nk0 = nk;
  for (let i = 0; i < f.n; i++) {
    pixelTick(i);
    let p = <usize>i << 2;
    let a = <i32>load<u8>(f.rgba + p + 3);
    let tr = alphaLayers && f.translucent(i % f.w, i / f.w);
    if ((a < 128 && !tr) || pal.k == 0) {
      store<u8>(f.lab + <usize>i, TRANSPARENT);
      continue;
    }
    let r = <i32>load<u8>(f.rgba + p);
    let g = <i32>load<u8>(f.rgba + p + 1);
    let b = <i32>load<u8>(f.rgba + p + 2);
    let key = ((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2);
    let c = <i32>load<u8>(lut + <usize>key);
    if (c == 255) {
      rgbToOklab(<f64>((r & 0xfc) | 2), <f64>((g & 0xfc) | 2), <f64>((b & 0xfc) | 2));
      let bd = Infinity;
      c = 0;
      for (let k = 0; k < pal.k; k++) {
        let dl = okL - unchecked(pal.L[k]);
        let da = okA - unchecked(pal.A[k]);
        let db = okB - unchecked(pal.B[k]);
        let d = dl * dl + da * da + db * db;
        if (d < bd) {
          bd = d;
          c = k;
        }
      }
      store<u8>(lut + <usize>key, <u8>c);
    }
    if (tr) {
      let slot = c * 17 + ((a + 8) >> 4);
      let l = unchecked(byAlpha[slot]);
      if (l < 0 && nk < MAX_LABELS) {
        l = nk++;
        unchecked((byAlpha[slot] = l));
        unchecked((pal.L[l] = pal.L[c]));
        unchecked((pal.A[l] = pal.A[c]));
        unchecked((pal.B[l] = pal.B[c]));
        unchecked((pal.r[l] = 0));
        unchecked((pal.g[l] = 0));
        unchecked((pal.b[l] = 0));
      }
      c = l >= 0 ? l : a >= 128 ? c : TRANSPARENT;
    }
    store<u8>(f.lab + <usize>i, <u8>c);
  }
  pal.k = nk;
  let firstTranslucent = nk0;
  inkStrokes(f);
  // final colors: mean of the pixels mapped to each entry, interior pixels weighted more
  for (let y = 0; y < f.h; y++) {
    rowTick(y);
    for (let x = 0; x < f.w; x++) {
      let i = y * f.w + x;
      let c = <i32>load<u8>(f.lab + <usize>i);
      if (c == TRANSPARENT) continue;
      let wgt: f64 = 0.05;
      if (
        x > 0 &&
        y > 0 &&
        x + 1 < f.w &&
        y + 1 < f.h &&
        <i32>load<u8>(f.lab + <usize>(i - 1)) == c &&
        <i32>load<u8>(f.lab + <usize>(i + 1)) == c &&
        <i32>load<u8>(f.lab + <usize>(i - f.w)) == c &&
        <i32>load<u8>(f.lab + <usize>(i + f.w)) == c
      )
        wgt = 1;
      else if (isStrokeCore(f, x, y)) wgt = 1; // a thin stroke has no interior: its core is its colour
      let p = <usize>i << 2;
      unchecked((pal.r[c] += wgt * <f64>load<u8>(f.rgba + p)));
      unchecked((pal.g[c] += wgt * <f64>load<u8>(f.rgba + p + 1)));
      unchecked((pal.b[c] += wgt * <f64>load<u8>(f.rgba + p + 2)));
      unchecked((accW[c] += wgt));
      unchecked((accA[c] += <f64>load<u8>(f.rgba + p + 3)));
    }
  }
  // opacity: 255 for the colours, the mean alpha for the translucent labels
  let counts = new StaticArray<i32>(MAX_LABELS);
  for (let i = 0; i < f.n; i++) {
    let c = <i32>load<u8>(f.lab + <usize>i);
    if (c != TRANSPARENT) unchecked((counts[c] += 1));
  }
  for (let c = 0; c < pal.k; c++) {
    let n = unchecked(counts[c]);
    unchecked((pal.a[c] = c < firstTranslucent || n == 0 ? 255 : accA[c] / <f64>n));
  }
  for (let c = 0; c < pal.k; c++) {
    let w = unchecked(accW[c]);
    if (w > 0) {
      unchecked((pal.r[c] = pal.r[c] / w));
      unchecked((pal.g[c] = pal.g[c] / w));
      unchecked((pal.b[c] = pal.b[c] / w));
    }
  }
}

export function binarize(f: Frame, o: Options, pal: Palette): void {
  pal.k = 2;
  unchecked((pal.a[0] = 255));
  unchecked((pal.a[1] = 255));
  unchecked((pal.r[0] = 0));
  unchecked((pal.g[0] = 0));
  unchecked((pal.b[0] = 0));
  unchecked((pal.r[1] = 255));
  unchecked((pal.g[1] = 255));
  unchecked((pal.b[1] = 255));
  for (let i = 0; i < f.n; i++) {
    pixelTick(i);
    let p = <usize>i << 2;
    let a = <i32>load<u8>(f.rgba + p + 3);
    let r = <i32>load<u8>(f.rgba + p);
    let g = <i32>load<u8>(f.rgba + p + 1);
    let b = <i32>load<u8>(f.rgba + p + 2);
    // luminance as seen on white: a faint or light anti-aliased pixel is not black
    let l = (54 * r + 183 * g + 19 * b) >> 8;
    let seen = (l * a + 255 * (255 - a) + 127) / 255;
    // black or not: white and transparent are one ground (never painted), so specks of either side
    // merge alike, as potrace's turdsize does
    store<u8>(f.lab + <usize>i, seen < o.threshold ? 0 : 1);
  }
  // (no stroke inking here: the threshold decides coverage, as in potrace; strokes still stay whole
  // through the speckle filter's 8-connectivity along them)
  if (o.paletteN > 0) snapInk(f, o, pal);
}
