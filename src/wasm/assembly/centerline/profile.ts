// Centerline stage 5, profile: at each skeleton point the ink coverage is sampled across the line
// (along the normal of the local direction, bilinear, every quarter pixel) out to where the ground
// starts on both sides. The profile's centroid moves the point to the line's middle at sub-pixel
// precision (a thinned skeleton can sit half a pixel off), and its integral is the line's width
// (for an anti-aliased line, the coverage summed across it is exactly how wide it is). The stroke
// takes the median width and the mean ink colour unmixed from the ground.
import { Frame } from "../prepare";
import { Ink, onWhite } from "./ink";
import { PT_LINE, PT_NEAR_JUNCTION, Stroke } from "./strokes";

const STEP: f64 = 0.25;
/** coverage below this is ground */
const GROUND: f64 = 0.02;
/** a rise by this much after a dip below half is the next line, not this one */
const RISE: f64 = 0.15;
/** most samples on one side (the reach is at most half of a 64 px line + 2) */
const MAX_SAMPLES: i32 = 160;

class Side {
  sum: f64 = 0;
  moment: f64 = 0;
  closed: bool = false;
}

const samples = new StaticArray<f64>(MAX_SAMPLES + 1);

/**
 * Integrates one side of the profile from the middle outward (sign = +1 or -1) until the ground: no
 * coverage, or a level well under the line's that it stays at for a pixel (a lighter area beside
 * the line, e.g. a colour fill an outline runs around: the line is what rises above that level), or
 * the rise of the next line.
 */
function side(ink: Ink, x: f64, y: f64, nx: f64, ny: f64, sign: f64, reach: f64, out: Side): void {
  out.sum = 0;
  out.moment = 0;
  out.closed = false;
  let low: f64 = 1;
  let high: f64 = 0;
  let ground: f64 = 0;
  let end = -1;
  samples[0] = ink.sample(x, y);
  high = samples[0];
  let k = 1;
  for (; k <= MAX_SAMPLES && <f64>k * STEP <= reach; k++) {
    let s = <f64>k * STEP;
    let c = ink.sample(x + sign * s * nx, y + sign * s * ny);
    samples[k] = c;
    if (c < GROUND) {
      end = k;
      break;
    }
    if (low < 0.5 && c > low + RISE) {
      end = k - 1;
      ground = low;
      break;
    }
    if (c > high) high = c;
    if (k >= 4 && c < high - 0.3 && Math.abs(c - samples[k - 4]) < 0.03) {
      end = k - 4;
      ground = c;
      break;
    }
    if (c < low) low = c;
  }
  if (end < 0) return;
  out.closed = true;
  let scale = 1 / (1 - ground);
  for (let j = 0; j < end; j++) {
    let a = max(0.0, samples[j] - ground) * scale;
    let b = max(0.0, samples[j + 1] - ground) * scale;
    let area = (a + b) * 0.5 * STEP;
    out.sum += area;
    out.moment += sign * (<f64>j + 0.5) * STEP * area;
  }
}

const plus = new Side();
const minus = new Side();

/**
 * Moves the stroke's PT_LINE points to the middle of the ink and sets its width and colour. Points
 * whose profile does not reach the ground on both sides within `maxHalf` + 2 px (a junction, a
 * blob) become PT_NEAR_JUNCTION and are not fitted. `dt` is the distance to the ground per pixel.
 */
export function refineStroke(s: Stroke, ink: Ink, f: Frame, dt: usize, maxHalf: f64): void {
  let n = s.xs.length;
  let widths = new Array<f64>();
  let cr: f64 = 0;
  let cg: f64 = 0;
  let cb: f64 = 0;
  let cw: f64 = 0;
  let maxDt: f64 = 0;
  let nx0 = new Array<f64>(n);
  let ny0 = new Array<f64>(n);
  // directions from the skeleton as found (before any point moves)
  for (let i = 0; i < n; i++) {
    let a = i - 3;
    let b = i + 3;
    if (s.closed) {
      a = (a + n) % n;
      b = b % n;
    } else {
      if (a < 0) a = 0;
      if (b > n - 1) b = n - 1;
    }
    let tx = s.xs[b] - s.xs[a];
    let ty = s.ys[b] - s.ys[a];
    let l = Math.sqrt(tx * tx + ty * ty);
    if (l > 0) {
      nx0[i] = -ty / l;
      ny0[i] = tx / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let x = s.xs[i];
    let y = s.ys[i];
    let px = <i32>Math.floor(x);
    let py = <i32>Math.floor(y);
    let d: f64 = 0;
    if (px >= 0 && py >= 0 && px < f.w && py < f.h) d = <f64>load<f32>(dt + (<usize>(py * f.w + px) << 2));
    if (d > maxDt && d < 1e9) maxDt = d;
    if (s.flags[i] != PT_LINE) continue;
    let nx = nx0[i];
    let ny = ny0[i];
    if (nx == 0 && ny == 0) continue;
    let reach = min(maxHalf + 2, d + 2.5);
    side(ink, x, y, nx, ny, 1, reach, plus);
    side(ink, x, y, nx, ny, -1, reach, minus);
    let c0 = ink.sample(x, y);
    // the centre sample counts once: half of each side's first trapezoid already holds it
    let sum = plus.sum + minus.sum;
    if (!plus.closed || !minus.closed || sum <= 0.2 || c0 < 0.25) {
      s.flags[i] = PT_NEAR_JUNCTION;
      continue;
    }
    let offset = (plus.moment + minus.moment) / sum;
    if (Math.abs(offset) > 1.5) {
      s.flags[i] = PT_NEAR_JUNCTION;
      continue;
    }
    x += offset * nx;
    y += offset * ny;
    s.xs[i] = x;
    s.ys[i] = y;
    widths.push(sum);
    // colour: the pixel under the middle, unmixed from the ground by its coverage
    let qx = <i32>Math.floor(x);
    let qy = <i32>Math.floor(y);
    if (qx < 0 || qy < 0 || qx >= f.w || qy >= f.h) continue;
    let q = qy * f.w + qx;
    let c = ink.at(q);
    if (c < 0.3) continue;
    let wgt = c * c;
    cr += wgt * (ink.groundR + (onWhite(f, q, 0) - ink.groundR) / c);
    cg += wgt * (ink.groundG + (onWhite(f, q, 1) - ink.groundG) / c);
    cb += wgt * (ink.groundB + (onWhite(f, q, 2) - ink.groundB) / c);
    cw += wgt;
  }
  if (widths.length > 0) {
    widths.sort();
    s.width = widths[widths.length >> 1];
  } else {
    s.width = max(1.0, 2 * maxDt - 1);
  }
  if (cw > 0) {
    s.r = cr / cw;
    s.g = cg / cw;
    s.b = cb / cw;
  } else {
    // no clear middle pixel: the darkest ink seen is the ground's opposite
    s.r = 0;
    s.g = 0;
    s.b = 0;
  }
}
