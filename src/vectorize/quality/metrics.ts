/**
 * Image quality metrics of a trace against its source, both on white: Oklab ΔE ×100 (mean and 95th
 * percentile), SSIM (ssim.js's defaults, computed in ./ssim) and GMSD. Shared by the vectorize consumer (the job's quality
 * report, on a downscaled copy) and the tracer bench, so both count alike. Pure arithmetic: runs in
 * workerd and Node.
 */
export { meanSsim as ssim } from "./ssim";

export interface Rgba {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

export function compositeOn(src: Rgba, r: number, g: number, b: number): Rgba {
  const out = new Uint8Array(src.width * src.height * 4);
  const d = src.data;
  for (let i = 0; i < out.length; i += 4) {
    const a = d[i + 3]! / 255;
    out[i] = Math.round(d[i]! * a + r * (1 - a));
    out[i + 1] = Math.round(d[i + 1]! * a + g * (1 - a));
    out[i + 2] = Math.round(d[i + 2]! * a + b * (1 - a));
    out[i + 3] = 255;
  }
  return { data: out, width: src.width, height: src.height };
}

const lin = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  lin[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}
function oklab(r: number, g: number, b: number, out: Float64Array, o: number) {
  const R = lin[r]!;
  const G = lin[g]!;
  const B = lin[b]!;
  const l = Math.cbrt(0.4122214708 * R + 0.5363325363 * G + 0.0514459929 * B);
  const m = Math.cbrt(0.2119034982 * R + 0.6806995451 * G + 0.1073969566 * B);
  const s = Math.cbrt(0.0883024619 * R + 0.2817188376 * G + 0.6299787005 * B);
  out[o] = 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s;
  out[o + 1] = 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s;
  out[o + 2] = 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s;
}

/** Mean and 95th percentile of the Oklab distance x100. */
export function deltaE(a: Rgba, b: Rgba): { mean: number; p95: number } {
  const n = a.width * a.height;
  const hist = new Uint32Array(10001);
  const pa = new Float64Array(3);
  const pb = new Float64Array(3);
  let sum = 0;
  const cache = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const ka = (a.data[o]! << 16) | (a.data[o + 1]! << 8) | a.data[o + 2]!;
    const kb = (b.data[o]! << 16) | (b.data[o + 1]! << 8) | b.data[o + 2]!;
    let d = 0;
    if (ka !== kb) {
      const key = ka * 16777216 + kb;
      const c = cache.get(key);
      if (c !== undefined) d = c;
      else {
        oklab(a.data[o]!, a.data[o + 1]!, a.data[o + 2]!, pa, 0);
        oklab(b.data[o]!, b.data[o + 1]!, b.data[o + 2]!, pb, 0);
        d = Math.hypot(pa[0]! - pb[0]!, pa[1]! - pb[1]!, pa[2]! - pb[2]!) * 100;
        if (cache.size < 2_000_000) cache.set(key, d);
      }
    }
    sum += d;
    hist[Math.min(10000, Math.round(d * 100))]!++;
  }
  let acc = 0;
  let p95 = 0;
  const target = n * 0.95;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= target) {
      p95 = i / 100;
      break;
    }
  }
  return { mean: sum / n, p95 };
}

/**
 * GMSD (gradient magnitude similarity deviation, Xue, Zhang, Mou, Bovik 2014), lower is better:
 * luminance 0-255 (0.2989 R + 0.5870 G + 0.1140 B), 2x2 mean filter then every 2nd pixel, Prewitt
 * gradients (1/3 weights, zero padding as MATLAB's conv2 'same'), GMS = (2 m1 m2 + c) / (m1² + m2² + c)
 * with c = 170, GMSD = standard deviation of the GMS map.
 */
export function gmsd(a: Rgba, b: Rgba): number {
  const ga = gradientMagnitude(a);
  const gb = gradientMagnitude(b);
  const n = ga.length;
  const c = 170;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const m1 = ga[i]!;
    const m2 = gb[i]!;
    const s = (2 * m1 * m2 + c) / (m1 * m1 + m2 * m2 + c);
    sum += s;
    sq += s * s;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, (sq - n * mean * mean) / Math.max(1, n - 1)));
}

function gradientMagnitude(img: Rgba): Float64Array {
  const { width: w, height: h, data } = img;
  const y = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++)
    y[i] = 0.2989 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!;
  // 2x2 mean ('same': the window covers (x, y)..(x+1, y+1), zero outside), then the even pixels
  const dw = Math.ceil(w / 2);
  const dh = Math.ceil(h / 2);
  const d = new Float64Array(dw * dh);
  const at = (x: number, yy: number) => (x < w && yy < h ? y[yy * w + x]! : 0);
  for (let j = 0; j < dh; j++)
    for (let i = 0; i < dw; i++) {
      const x = 2 * i;
      const yy = 2 * j;
      d[j * dw + i] = (at(x, yy) + at(x + 1, yy) + at(x, yy + 1) + at(x + 1, yy + 1)) / 4;
    }
  const dat = (x: number, yy: number) => (x >= 0 && yy >= 0 && x < dw && yy < dh ? d[yy * dw + x]! : 0);
  const out = new Float64Array(dw * dh);
  for (let j = 0; j < dh; j++)
    for (let i = 0; i < dw; i++) {
      let gx = 0;
      let gy = 0;
      for (let k = -1; k <= 1; k++) {
        gx += dat(i + 1, j + k) - dat(i - 1, j + k);
        gy += dat(i + k, j + 1) - dat(i + k, j - 1);
      }
      out[j * dw + i] = Math.hypot(gx / 3, gy / 3);
    }
  return out;
}
