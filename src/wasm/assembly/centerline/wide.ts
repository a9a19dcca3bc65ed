// Centerline, wide areas (`fillWide`): ink thicker than `maxStrokeWidth` is not a line but a shape (a
// filled dot, a solid logo part). Its core is where the distance to the ground exceeds half the widest
// stroke; the area is that core grown back by the same distance (the union of the inscribed discs),
// taken out of the ink before skeletonizing and traced as filled outlines with the colour pipeline's
// contour follower and fitter. Lines attached to it end at its edge, under their round caps.
import { Contour, isContourStart, traceContour } from "../contour";
import { Fitter } from "../fit";
import { Options } from "../options";
import { Frame, TRANSPARENT } from "../prepare";
import { LayerMask } from "../segment";
import { SvgWriter } from "../svg";
import { distanceTransform } from "./distance";
import { Ink, onWhite } from "./ink";
import { pixelTick } from "../env";

/**
 * Marks the wide areas in `f.thin` (1 = wide) and removes them from the ink; false when there are
 * none. `dt` is the distance to the ground per pixel.
 */
export function findWideAreas(f: Frame, o: Options, ink: Ink, dt: usize): bool {
  let n = f.n;
  let half = o.maxStrokeWidth / 2;
  let core = false;
  for (let i = 0; i < n; i++) {
    pixelTick(i);
    // a pixel centre in a line w px wide is about w/2 + 0.5 from the nearest ground centre
    let c = ink.isInk(i) && <f64>load<f32>(dt + (<usize>i << 2)) > half + 1;
    store<u8>(f.thin + <usize>i, c ? 1 : 0);
    if (c) core = true;
  }
  if (!core) return false;
  let grow = heap.alloc(<usize>n << 2);
  distanceTransform(f.thin, 1, f.w, f.h, false, grow);
  for (let i = 0; i < n; i++) {
    let wide = ink.isInk(i) && <f64>load<f32>(grow + (<usize>i << 2)) <= half + 1.5;
    store<u8>(f.thin + <usize>i, wide ? 1 : 0);
    if (wide) store<u8>(ink.mask + <usize>i, 0);
  }
  heap.free(grow);
  return true;
}

/** mean colour (seen on white) of the wide areas' solid pixels, as [r, g, b, weight] */
export function wideColour(f: Frame, ink: Ink): StaticArray<f64> {
  let sum = new StaticArray<f64>(4);
  for (let pass = 0; pass < 2 && sum[3] == 0; pass++) {
    for (let i = 0; i < f.n; i++) {
      if (load<u8>(f.thin + <usize>i) == 0 || (pass == 0 && ink.at(i) < 0.9)) continue;
      sum[0] += onWhite(f, i, 0);
      sum[1] += onWhite(f, i, 1);
      sum[2] += onWhite(f, i, 2);
      sum[3] += 1;
    }
  }
  if (sum[3] > 0) {
    sum[0] /= sum[3];
    sum[1] /= sum[3];
    sum[2] /= sum[3];
  }
  return sum;
}

/** writes the wide areas of `f.thin` as one filled path of colour rgb (0xRRGGBB) */
export function writeWideAreas(f: Frame, o: Options, rgb: i32, out: SvgWriter): void {
  let w = f.w;
  let x0 = w;
  let y0 = f.h;
  let x1 = -1;
  let y1 = -1;
  // labels: the fitter moves outlines out only against transparency
  for (let i = 0; i < f.n; i++) {
    f.setLabel(i, f.alpha(i) < 128 ? TRANSPARENT : 0);
    if (load<u8>(f.thin + <usize>i) == 0) continue;
    let x = i % w;
    let y = i / w;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x1 < 0) return;
  let m = new LayerMask();
  m.bx0 = x0;
  m.by0 = y0;
  m.mw = x1 - x0 + 3;
  m.mh = y1 - y0 + 3;
  m.buf = f.mark;
  memory.fill(f.mark, 0, <usize>(m.mw * m.mh));
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++)
      if (load<u8>(f.thin + <usize>(y * w + x)) != 0) store<u8>(f.mark + <usize>((y - y0 + 1) * m.mw + x - x0 + 1), 1);
  let ct = new Contour();
  // one opaque label (0) under it all
  let solid = new StaticArray<i32>(256);
  solid[0] = 1;
  let fitter = new Fitter(o, f, solid, ct, out);
  out.beginPath(<f64>((rgb >> 16) & 255), <f64>((rgb >> 8) & 255), <f64>(rgb & 255), 255);
  for (let y = 1; y < m.mh - 1; y++) {
    for (let x = 1; x < m.mw - 1; x++) {
      if (!isContourStart(m, x, y)) continue;
      let n = traceContour(m, ct, x, y);
      if (n >= 4) fitter.fit(n, m);
    }
  }
  out.endPath();
}
