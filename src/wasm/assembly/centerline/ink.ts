// Centerline stage 1, binarize: how much of each pixel is ink (coverage 0..1, from the luminance seen
// on white between the ground's and the solid ink's) and which pixels are ink at all. A pixel is ink
// when darker than `threshold` and at least half covered; a lighter pixel joins the ink it touches
// when it lies on a thin line (the tracer's stroke map: a 1-3 px run that differs from both flanks)
// and is over a third covered, so a 1 px line running along a pixel boundary (two rows at 50%) stays
// whole while a mid-grey area beside a black outline stays out. Coverage, not
// the binary mask, later measures where a line's middle is and how wide it is.
import { Options } from "../options";
import { Frame, markThin, RING_X, RING_Y, ringPieces } from "../prepare";
import { pixelTick } from "../env";

export class Ink {
  w: i32;
  h: i32;
  n: i32;
  /** f32 per pixel: ink coverage 0..1 */
  cov: usize;
  /** u8 per pixel: 1 = ink */
  mask: usize;
  /** the ground's colour (median of non-ink pixels seen on white) */
  groundR: f64 = 255;
  groundG: f64 = 255;
  groundB: f64 = 255;

  constructor(w: i32, h: i32) {
    this.w = w;
    this.h = h;
    this.n = w * h;
    this.cov = heap.alloc(<usize>this.n << 2);
    this.mask = heap.alloc(<usize>this.n);
  }

  @inline at(i: i32): f64 {
    return <f64>load<f32>(this.cov + (<usize>i << 2));
  }
  @inline isInk(i: i32): bool {
    return load<u8>(this.mask + <usize>i) != 0;
  }

  /** coverage at (x, y) in pixel units (pixel centres at +0.5), bilinear; 0 outside the image */
  sample(x: f64, y: f64): f64 {
    let fx = x - 0.5;
    let fy = y - 0.5;
    let x0 = <i32>Math.floor(fx);
    let y0 = <i32>Math.floor(fy);
    let tx = fx - <f64>x0;
    let ty = fy - <f64>y0;
    let a = this.px(x0, y0);
    let b = this.px(x0 + 1, y0);
    let c = this.px(x0, y0 + 1);
    let d = this.px(x0 + 1, y0 + 1);
    return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
  }
  @inline px(x: i32, y: i32): f64 {
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return 0;
    return this.at(y * this.w + x);
  }

  dispose(): void {
    heap.free(this.cov);
    heap.free(this.mask);
  }
}

/** luminance of pixel i composited on white, 0..255 (binary mode's weights) */
@inline function lumOnWhite(f: Frame, i: i32): i32 {
  let p = f.rgba + (<usize>i << 2);
  let a = <i32>load<u8>(p + 3);
  let l = (54 * <i32>load<u8>(p) + 183 * <i32>load<u8>(p + 1) + 19 * <i32>load<u8>(p + 2)) >> 8;
  return (l * a + 255 * (255 - a) + 127) / 255;
}

/** the median of a 256-bin histogram, or `fallback` when it is empty */
function median(hist: StaticArray<i32>, fallback: i32): i32 {
  let total = 0;
  for (let i = 0; i < 256; i++) total += unchecked(hist[i]);
  if (total == 0) return fallback;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += unchecked(hist[i]);
    if (acc * 2 >= total) return i;
  }
  return fallback;
}

export function binarizeInk(f: Frame, o: Options, ink: Ink): void {
  let n = f.n;
  let w = f.w;
  let h = f.h;
  // darkness (255 - luminance on white) of the ground and of solid ink: the ground is the median of
  // the pixels above the threshold; solid ink the median of dark pixels whose 4 neighbours are dark
  // too (inside a line, not on its anti-aliased side)
  let ground = new StaticArray<i32>(256);
  let solid = new StaticArray<i32>(256);
  let darkest = 0;
  for (let i = 0; i < n; i++) {
    pixelTick(i);
    let l = lumOnWhite(f, i);
    let d = 255 - l;
    if (d > darkest) darkest = d;
    if (l >= o.threshold) {
      unchecked((ground[d] += 1));
      continue;
    }
    let x = i % w;
    let y = i / w;
    if (x == 0 || y == 0 || x == w - 1 || y == h - 1) continue;
    if (
      lumOnWhite(f, i - 1) < o.threshold &&
      lumOnWhite(f, i + 1) < o.threshold &&
      lumOnWhite(f, i - w) < o.threshold &&
      lumOnWhite(f, i + w) < o.threshold
    )
      unchecked((solid[d] += 1));
  }
  let dGround = <f64>median(ground, 0);
  let dInk = <f64>median(solid, darkest);
  if (dInk - dGround < 16) dInk = dGround + 16;
  for (let i = 0; i < n; i++) {
    pixelTick(i);
    let c = (<f64>(255 - lumOnWhite(f, i)) - dGround) / (dInk - dGround);
    store<f32>(ink.cov + (<usize>i << 2), <f32>(c < 0 ? 0 : c > 1 ? 1 : c));
  }
  groundColour(f, o, ink);

  // ink: under the threshold and half covered, then (hysteresis) thin-line pixels over WEAK covered
  // 8-connected to it
  markThin(f);
  memory.fill(ink.mask, 0, <usize>n);
  let queue = f.queue;
  let qt = 0;
  for (let i = 0; i < n; i++) {
    if (lumOnWhite(f, i) < o.threshold && ink.at(i) >= 0.5) {
      store<u8>(ink.mask + <usize>i, 1);
      store<i32>(queue + (<usize>qt << 2), i);
      qt++;
    }
  }
  let qh = 0;
  while (qh < qt) {
    pixelTick(qh);
    let p = load<i32>(queue + (<usize>qh << 2));
    qh++;
    let x = p % w;
    let y = p / w;
    for (let yy = max(0, y - 1); yy <= min(h - 1, y + 1); yy++) {
      for (let xx = max(0, x - 1); xx <= min(w - 1, x + 1); xx++) {
        let j = yy * w + xx;
        if (load<u8>(ink.mask + <usize>j) != 0 || ink.at(j) < WEAK || f.thinAt(j) == 0) continue;
        store<u8>(ink.mask + <usize>j, 1);
        store<i32>(queue + (<usize>qt << 2), j);
        qt++;
      }
    }
  }
  // where a thin line crosses from one pixel row (or column) to the next, neither pixel may be half
  // covered: a faint pixel that joins two pieces of ink is ink
  for (let i = 0; i < n; i++) {
    if (load<u8>(ink.mask + <usize>i) != 0 || ink.at(i) < FAINT) continue;
    if (joinsPieces(ink, i % w, i / w)) store<u8>(ink.mask + <usize>i, 1);
  }
}

/**
 * coverage from which a pixel next to ink is ink: under half, so a 1 px line that runs along a pixel
 * boundary (two rows at 50% each) stays one line
 */
const WEAK: f64 = 0.35;
/** coverage from which a pixel that bridges two pieces of ink counts as ink */
const FAINT: f64 = 0.2;

/** whether the ink pixels around (x, y) form two or more 8-connected pieces */
function joinsPieces(ink: Ink, x: i32, y: i32): bool {
  let bits = 0;
  for (let k = 0; k < 8; k++) {
    let xx = x + unchecked(RING_X[k]);
    let yy = y + unchecked(RING_Y[k]);
    if (xx >= 0 && yy >= 0 && xx < ink.w && yy < ink.h && ink.isInk(yy * ink.w + xx)) bits |= 1 << k;
  }
  return ringPieces(bits) >= 2;
}

/** the ground's colour: per channel median of the pixels above the threshold, seen on white */
function groundColour(f: Frame, o: Options, ink: Ink): void {
  let hr = new StaticArray<i32>(256);
  let hg = new StaticArray<i32>(256);
  let hb = new StaticArray<i32>(256);
  for (let i = 0; i < f.n; i++) {
    if (lumOnWhite(f, i) < o.threshold) continue;
    let p = f.rgba + (<usize>i << 2);
    let a = <i32>load<u8>(p + 3);
    unchecked((hr[(<i32>load<u8>(p) * a + 255 * (255 - a) + 127) / 255] += 1));
    unchecked((hg[(<i32>load<u8>(p + 1) * a + 255 * (255 - a) + 127) / 255] += 1));
    unchecked((hb[(<i32>load<u8>(p + 2) * a + 255 * (255 - a) + 127) / 255] += 1));
  }
  ink.groundR = <f64>median(hr, 255);
  ink.groundG = <f64>median(hg, 255);
  ink.groundB = <f64>median(hb, 255);
}

/** pixel i's colour seen on white, channel c */
@inline export function onWhite(f: Frame, i: i32, c: i32): f64 {
  let p = f.rgba + (<usize>i << 2);
  let a = <f64>load<u8>(p + 3);
  return (<f64>load<u8>(p + <usize>c) * a + 255 * (255 - a)) / 255;
}
