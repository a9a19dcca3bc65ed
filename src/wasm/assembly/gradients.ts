// Stage 6, gradients: a smooth ramp that quantization cut into bands becomes one shape with a
// linearGradient or radialGradient fill.
// 1. Neighbouring labels whose shared boundary is no edge in the source (mean difference across it
//    under SMOOTH_STEP levels) are grouped: such a boundary is only where quantization cut a ramp.
// 2. A group becomes one shape with one ramp when a radial ramp (around the centre of a fitted
//    luminance paraboloid) or a linear one explains it: the linear region grows label by label
//    (largest first) while its estimated error stays small (per channel a least-squares plane from
//    additive moments; the common direction the principal one; the error that of the planes plus what
//    varies across that direction). A group no single ramp explains (a ramp in two directions) gets
//    one bilinear fill over its bounding box when that is within PART_TOL (about as close as a band's
//    own ramp comes); otherwise it is cut into regions that one ramp explains within PART_TOL, each
//    grown from the largest band left: fewer, larger shapes than one per band.
// 3. Stops are the mean colours of the pixels binned along the ramp; a gradient replaces flat colour
//    only where its per-pixel error clearly beats the flat colour's.
import { MODE_COLOR, Options } from "./options";
import { Frame, TRANSPARENT } from "./prepare";
import { Palette } from "./quantize";
import { rowTick } from "./env";

export const MAX_STOPS: i32 = 24;
const SMOOTH_STEP: f64 = 10;
/** levels per px beyond which a ramp's profile is an edge (twice what a smooth boundary may step) */
const EDGE_SLOPE: f64 = 2 * SMOOTH_STEP;
/** estimated RMS error (levels) up to which a linear ramp may grow */
const RAMP_TOL: f64 = 4.5;
/** estimated RMS error (levels) up to which a ramp grows where one ramp cannot explain a group */
const PART_TOL: f64 = 2.0;
const NONE: i32 = -1;

/**
 * A gradient fill: linear from (x1, y1) to (x2, y2), or radial around (x1, y1) with radius r, or
 * bilinear over the box (x1, y1)-(x2, y2): four corner colours (stops 0..3: top-left, top-right,
 * bottom-left, bottom-right) blended in both directions.
 */
export class Gradient {
  radial: bool = false;
  bilinear: bool = false;
  x1: f64 = 0;
  y1: f64 = 0;
  x2: f64 = 0;
  y2: f64 = 0;
  r: f64 = 0;
  n: i32 = 0;
  offset: StaticArray<f64> = new StaticArray<f64>(MAX_STOPS);
  sr: StaticArray<f64> = new StaticArray<f64>(MAX_STOPS);
  sg: StaticArray<f64> = new StaticArray<f64>(MAX_STOPS);
  sb: StaticArray<f64> = new StaticArray<f64>(MAX_STOPS);
  /** RMS error (levels) of the gradient over its pixels */
  err: f64 = 0;
}

/** gradient fills by label (null: flat) */
export class Fills {
  byLabel: StaticArray<Gradient | null> = new StaticArray<Gradient | null>(256);
}

/** the opaque pixels sorted by label (in the frame's queue scratch): block c is start(c)..start(c+1) */
class ByLabel {
  k: i32 = 0;
  starts: StaticArray<i32> = new StaticArray<i32>(257);
  order: usize = 0;
  @inline start(c: i32): i32 {
    return unchecked(this.starts[c]);
  }
  @inline pixel(q: i32): i32 {
    return load<i32>(this.order + (<usize>q << 2));
  }
  build(f: Frame, pal: Palette): void {
    let k = pal.k;
    this.k = k;
    this.order = f.queue;
    let counts = this.starts;
    for (let c = 0; c <= k; c++) unchecked((counts[c] = 0));
    for (let i = 0; i < f.n; i++) {
      let c = f.label(i);
      if (c != TRANSPARENT && unchecked(pal.a[c]) >= 250) unchecked((counts[c + 1] += 1));
    }
    for (let c = 0; c < k; c++) unchecked((counts[c + 1] += counts[c]));
    let fill = new StaticArray<i32>(k);
    for (let i = 0; i < f.n; i++) {
      let c = f.label(i);
      if (c == TRANSPARENT || unchecked(pal.a[c]) < 250) continue;
      store<i32>(this.order + (<usize>(unchecked(counts[c]) + unchecked(fill[c])) << 2), i);
      unchecked((fill[c] += 1));
    }
  }
}
const byLabel = new ByLabel();

// per-label moments: n, x, y, xx, xy, yy, then per channel v, xv, yv, vv
const MOM: i32 = 18;

export function findGradients(f: Frame, o: Options, pal: Palette, fills: Fills): void {
  if (o.mode != MODE_COLOR || o.colors > 0 || o.paletteN > 0) return;
  let k = pal.k;
  if (k < 2) return;
  let w = f.w;
  let h = f.h;
  // 1. moments and boundary statistics
  let mom = new StaticArray<f64>(k * MOM);
  let bCount = new StaticArray<i32>(k * k);
  let bDiff = new StaticArray<f64>(k * k);
  for (let y = 0; y < h; y++) {
    rowTick(y);
    for (let x = 0; x < w; x++) {
      let i = y * w + x;
      let c = f.label(i);
      if (c == TRANSPARENT || unchecked(pal.a[c]) < 250) continue;
      let o2 = c * MOM;
      let fx = <f64>x;
      let fy = <f64>y;
      unchecked((mom[o2] += 1));
      unchecked((mom[o2 + 1] += fx));
      unchecked((mom[o2 + 2] += fy));
      unchecked((mom[o2 + 3] += fx * fx));
      unchecked((mom[o2 + 4] += fx * fy));
      unchecked((mom[o2 + 5] += fy * fy));
      for (let ch = 0; ch < 3; ch++) {
        let v = <f64>load<u8>(f.rgba + (<usize>i << 2) + ch);
        let q = o2 + 6 + ch * 4;
        unchecked((mom[q] += v));
        unchecked((mom[q + 1] += fx * v));
        unchecked((mom[q + 2] += fy * v));
        unchecked((mom[q + 3] += v * v));
      }
      if (x + 1 < w) boundary(f, pal, bCount, bDiff, k, i, i + 1, c);
      if (y + 1 < h) boundary(f, pal, bCount, bDiff, k, i, i + w, c);
    }
  }
  byLabel.build(f, pal);
  // 2. groups of labels joined by smooth boundaries (union-find)
  let parent = new StaticArray<i32>(k);
  for (let c = 0; c < k; c++) unchecked((parent[c] = c));
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) if (smooth(bCount, bDiff, k, a, b)) union(parent, a, b);
  // 3. regions inside each group
  let region = new StaticArray<i32>(k);
  for (let c = 0; c < k; c++) unchecked((region[c] = NONE));
  let acc = new StaticArray<f64>(MOM);
  let near = new StaticArray<bool>(k);
  for (let root = 0; root < k; root++) {
    if (find(parent, root) != root) continue;
    let members = 0;
    for (let c = 0; c < k; c++) if (find(parent, c) == root && unchecked(mom[c * MOM]) > 0) members++;
    if (members < 2) continue;
    let whole = fitGroup(f, pal, mom, parent, root, k, fills);
    if (whole) continue;
    // one linear ramp for the whole group, grown from its largest label while it still fits
    let seed = largestLeft(parent, root, region, mom, k);
    let size = growRegion(parent, root, region, seed, mom, bCount, bDiff, k, acc, near, RAMP_TOL);
    if (size == members) {
      fitRegion(f, pal, region, seed, mom, fills, acc);
      continue;
    }
    // a ramp in two directions: one bilinear fill for the whole group when it is as close as the
    // parts' ramps would come
    if (fitBilinear(f, pal, parent, root, mom, fills)) continue;
    // no single fill explains it: the group is cut into regions
    // that each one ramp explains within PART_TOL (as close as the bands' own ramps come), each grown
    // from the largest band left
    for (let c = 0; c < k; c++) if (find(parent, c) == root) unchecked((region[c] = NONE));
    while (true) {
      seed = largestLeft(parent, root, region, mom, k);
      if (seed == NONE) break;
      growRegion(parent, root, region, seed, mom, bCount, bDiff, k, acc, near, PART_TOL);
      fitRegion(f, pal, region, seed, mom, fills, acc);
    }
  }
}

/** the group's largest label not yet in a region, or NONE */
function largestLeft(parent: StaticArray<i32>, root: i32, region: StaticArray<i32>, mom: StaticArray<f64>, k: i32): i32 {
  let seed = NONE;
  for (let c = 0; c < k; c++) {
    if (find(parent, c) != root || unchecked(region[c]) != NONE || unchecked(mom[c * MOM]) == 0) continue;
    if (seed == NONE || unchecked(mom[c * MOM]) > unchecked(mom[seed * MOM])) seed = c;
  }
  return seed;
}

/**
 * Grows the region of `seed` (region[c] = seed) over the group's labels not yet in a region that have
 * a smooth boundary to it, largest first, while one linear ramp explains it within `tol` levels; its
 * moments end in acc. Returns its number of labels.
 */
function growRegion(
  parent: StaticArray<i32>,
  root: i32,
  region: StaticArray<i32>,
  seed: i32,
  mom: StaticArray<f64>,
  bCount: StaticArray<i32>,
  bDiff: StaticArray<f64>,
  k: i32,
  acc: StaticArray<f64>,
  near: StaticArray<bool>,
  tol: f64,
): i32 {
  unchecked((region[seed] = seed));
  for (let q = 0; q < MOM; q++) unchecked((acc[q] = mom[seed * MOM + q]));
  // labels with a smooth boundary to the region so far
  for (let c = 0; c < k; c++) unchecked((near[c] = smooth(bCount, bDiff, k, c, seed)));
  let size = 1;
  while (true) {
    let best = NONE;
    for (let c = 0; c < k; c++) {
      if (find(parent, c) != root || unchecked(region[c]) != NONE || unchecked(mom[c * MOM]) == 0) continue;
      if (!unchecked(near[c])) continue;
      if (best != NONE && unchecked(mom[c * MOM]) <= unchecked(mom[best * MOM])) continue;
      if (rampError(acc, mom, c) <= tol) best = c;
    }
    if (best == NONE) return size;
    unchecked((region[best] = seed));
    for (let q = 0; q < MOM; q++) unchecked((acc[q] += mom[best * MOM + q]));
    for (let c = 0; c < k; c++) if (smooth(bCount, bDiff, k, c, best)) unchecked((near[c] = true));
    size++;
  }
  return size;
}

function boundary(
  f: Frame,
  pal: Palette,
  bCount: StaticArray<i32>,
  bDiff: StaticArray<f64>,
  k: i32,
  i: i32,
  j: i32,
  c: i32,
): void {
  let d = f.label(j);
  if (d == c || d == TRANSPARENT || unchecked(pal.a[d]) < 250) return;
  let a = min(c, d);
  let b = max(c, d);
  let u = load<u32>(f.rgba + (<usize>i << 2));
  let v = load<u32>(f.rgba + (<usize>j << 2));
  let diff = abs(<i32>(u & 255) - <i32>(v & 255));
  diff = max(diff, abs(<i32>((u >>> 8) & 255) - <i32>((v >>> 8) & 255)));
  diff = max(diff, abs(<i32>((u >>> 16) & 255) - <i32>((v >>> 16) & 255)));
  unchecked((bCount[a * k + b] += 1));
  unchecked((bDiff[a * k + b] += <f64>diff));
}

@inline function smooth(bCount: StaticArray<i32>, bDiff: StaticArray<f64>, k: i32, a: i32, b: i32): bool {
  let lo = min(a, b);
  let hi = max(a, b);
  let n = unchecked(bCount[lo * k + hi]);
  return n >= 8 && unchecked(bDiff[lo * k + hi]) / <f64>n <= SMOOTH_STEP;
}

function find(parent: StaticArray<i32>, c: i32): i32 {
  while (unchecked(parent[c]) != c) {
    unchecked((parent[c] = parent[parent[c]]));
    c = unchecked(parent[c]);
  }
  return c;
}
function union(parent: StaticArray<i32>, a: i32, b: i32): void {
  let ra = find(parent, a);
  let rb = find(parent, b);
  if (ra != rb) unchecked((parent[max(ra, rb)] = min(ra, rb)));
}

// plane fit results of the last planes() call: per channel v = a + gx x + gy y
const PA = new StaticArray<f64>(3);
const PGX = new StaticArray<f64>(3);
const PGY = new StaticArray<f64>(3);
let planeSse: f64 = 0;

/** least-squares planes for the moments in m (offset o); false when degenerate */
function planes(m: StaticArray<f64>, o: i32): bool {
  let n = unchecked(m[o]);
  if (n < 3) return false;
  let mx = unchecked(m[o + 1]) / n;
  let my = unchecked(m[o + 2]) / n;
  let sxx = unchecked(m[o + 3]) - n * mx * mx;
  let sxy = unchecked(m[o + 4]) - n * mx * my;
  let syy = unchecked(m[o + 5]) - n * my * my;
  let det = sxx * syy - sxy * sxy;
  planeSse = 0;
  for (let ch = 0; ch < 3; ch++) {
    let q = o + 6 + ch * 4;
    let mv = unchecked(m[q]) / n;
    let sxv = unchecked(m[q + 1]) - n * mx * mv;
    let syv = unchecked(m[q + 2]) - n * my * mv;
    let svv = unchecked(m[q + 3]) - n * mv * mv;
    let gx: f64 = 0;
    let gy: f64 = 0;
    if (Math.abs(det) > 1e-9 * (sxx * syy + 1)) {
      gx = (sxv * syy - syv * sxy) / det;
      gy = (syv * sxx - sxv * sxy) / det;
    } else if (sxx > 1e-9) gx = sxv / sxx;
    else if (syy > 1e-9) gy = syv / syy;
    unchecked((PGX[ch] = gx));
    unchecked((PGY[ch] = gy));
    unchecked((PA[ch] = mv - gx * mx - gy * my));
    planeSse += max(0, svv - gx * sxv - gy * syv);
  }
  return true;
}

/** principal direction of the three channel gradients (into dirX, dirY) */
let dirX: f64 = 1;
let dirY: f64 = 0;
function principal(): f64 {
  let a: f64 = 0;
  let b: f64 = 0;
  let c: f64 = 0;
  for (let ch = 0; ch < 3; ch++) {
    let gx = unchecked(PGX[ch]);
    let gy = unchecked(PGY[ch]);
    a += gx * gx;
    b += gx * gy;
    c += gy * gy;
  }
  let theta = 0.5 * Math.atan2(2 * b, a - c);
  dirX = Math.cos(theta);
  dirY = Math.sin(theta);
  return a + c;
}

/** estimated RMS error of one linear ramp over acc + the label c */
const T = new StaticArray<f64>(MOM);
function rampError(acc: StaticArray<f64>, mom: StaticArray<f64>, c: i32): f64 {
  let t = T;
  for (let q = 0; q < MOM; q++) unchecked((t[q] = acc[q] + mom[c * MOM + q]));
  if (!planes(t, 0)) return Infinity;
  principal();
  let n = unchecked(t[0]);
  let mx = unchecked(t[1]) / n;
  let my = unchecked(t[2]) / n;
  let sxx = unchecked(t[3]) - n * mx * mx;
  let sxy = unchecked(t[4]) - n * mx * my;
  let syy = unchecked(t[5]) - n * my * my;
  // spread across the ramp direction, and what the planes change along it
  let px = -dirY;
  let py = dirX;
  let across = px * px * sxx + 2 * px * py * sxy + py * py * syy;
  let lost: f64 = 0;
  for (let ch = 0; ch < 3; ch++) {
    let g = unchecked(PGX[ch]) * px + unchecked(PGY[ch]) * py;
    lost += g * g * across;
  }
  return Math.sqrt((planeSse + lost) / (3 * n));
}

/** one radial ramp for the whole group, when it beats its bands; true when taken */
function fitGroup(
  f: Frame,
  pal: Palette,
  mom: StaticArray<f64>,
  parent: StaticArray<i32>,
  root: i32,
  k: i32,
  fills: Fills,
): bool {
  // luminance ~ a + b x + c y + e (x^2 + y^2): the centre is (-b / 2e, -c / 2e)
  let ne = new StaticArray<f64>(20);
  let w = f.w;
  let step = sampleStep(parent, root, true);
  for (let c = 0; c < byLabel.k; c++) {
    if (find(parent, c) != root) continue;
    for (let q = byLabel.start(c); q < byLabel.start(c + 1); q += step) {
      let i = byLabel.pixel(q);
      let x = <f64>(i % w);
      let y = <f64>(i / w);
      let p = f.rgba + (<usize>i << 2);
      let l = 0.2126 * <f64>load<u8>(p) + 0.7152 * <f64>load<u8>(p + 1) + 0.0722 * <f64>load<u8>(p + 2);
      let r2 = x * x + y * y;
      let v0: f64 = 1;
      accumulate4(ne, v0, x, y, r2, l);
    }
  }
  let sol = solve4(ne);
  if (sol == null) return false;
  let e = unchecked(sol[3]);
  if (Math.abs(e) < 1e-7) return false;
  let cx = -unchecked(sol[1]) / (2 * e);
  let cy = -unchecked(sol[2]) / (2 * e);
  let g = new Gradient();
  g.radial = true;
  g.x1 = cx;
  g.y1 = cy;
  let flat = binRamp(f, pal, parent, root, true, g);
  if (flat < 0 || g.err >= flat || hasEdge(g, g.r)) return false;
  takeRamp(f, pal, parent, root, true, mom, g, fills);
  return true;
}

/**
 * One bilinear fill for the whole group (per channel v = a + b u + c v + d u v over its bounding box,
 * least squares), taken when its RMS error is within PART_TOL and clearly beats the flat bands.
 */
function fitBilinear(
  f: Frame,
  pal: Palette,
  parent: StaticArray<i32>,
  root: i32,
  mom: StaticArray<f64>,
  fills: Fills,
): bool {
  let w = f.w;
  let x0 = f.w;
  let y0 = f.h;
  let x1 = -1;
  let y1 = -1;
  // the box of all its pixels; the fit and its error look at an even sample
  let step = sampleStep(parent, root, true);
  let sampled = new Array<i32>();
  for (let c = 0; c < byLabel.k; c++) {
    if (find(parent, c) != root) continue;
    for (let q = byLabel.start(c); q < byLabel.start(c + 1); q++) {
      let i = byLabel.pixel(q);
      let x = i % w;
      let y = i / w;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if ((q - byLabel.start(c)) % step == 0) sampled.push(i);
    }
  }
  if (x1 - x0 < 2 || y1 - y0 < 2) return false;
  let g = new Gradient();
  g.bilinear = true;
  g.x1 = <f64>x0;
  g.y1 = <f64>y0;
  g.x2 = <f64>(x1 + 1);
  g.y2 = <f64>(y1 + 1);
  let bw = g.x2 - g.x1;
  let bh = g.y2 - g.y1;
  let ns = sampled.length;
  for (let ch = 0; ch < 3; ch++) {
    let ne = new StaticArray<f64>(20);
    for (let s = 0; s < ns; s++) {
      let i = unchecked(sampled[s]);
      let u = (<f64>(i % w) + 0.5 - g.x1) / bw;
      let v = (<f64>(i / w) + 0.5 - g.y1) / bh;
      accumulate4(ne, 1, u, v, u * v, <f64>load<u8>(f.rgba + (<usize>i << 2) + ch));
    }
    let sol = solve4(ne);
    if (sol == null) return false;
    let a = unchecked(sol[0]);
    let b = unchecked(sol[1]);
    let cc = unchecked(sol[2]);
    let d = unchecked(sol[3]);
    let corner = ch == 0 ? g.sr : ch == 1 ? g.sg : g.sb;
    // the fill shows corner colours as stops, clamped to 0..255
    unchecked((corner[0] = clampLevel(a)));
    unchecked((corner[1] = clampLevel(a + b)));
    unchecked((corner[2] = clampLevel(a + cc)));
    unchecked((corner[3] = clampLevel(a + b + cc + d)));
  }
  g.n = 4;
  // errors of the fill as drawn and of the flat bands
  let eg: f64 = 0;
  let ef: f64 = 0;
  let cnt: f64 = 0;
  for (let s = 0; s < ns; s++) {
    let i = unchecked(sampled[s]);
    let c = f.label(i);
    let u = (<f64>(i % w) + 0.5 - g.x1) / bw;
    let v = (<f64>(i / w) + 0.5 - g.y1) / bh;
    let p = f.rgba + (<usize>i << 2);
    for (let ch = 0; ch < 3; ch++) {
      let corner = ch == 0 ? g.sr : ch == 1 ? g.sg : g.sb;
      let top = unchecked(corner[0]) + (unchecked(corner[1]) - unchecked(corner[0])) * u;
      let bottom = unchecked(corner[2]) + (unchecked(corner[3]) - unchecked(corner[2])) * u;
      let val = <f64>load<u8>(p + ch);
      let e = val - (top + (bottom - top) * v);
      eg += e * e;
      let flat = ch == 0 ? unchecked(pal.r[c]) : ch == 1 ? unchecked(pal.g[c]) : unchecked(pal.b[c]);
      ef += (val - flat) * (val - flat);
    }
    cnt += 3;
  }
  g.err = Math.sqrt(eg / cnt);
  let flat = Math.sqrt(ef / cnt);
  if (g.err > PART_TOL || g.err > flat * 0.9 - 0.3) return false;
  takeRamp(f, pal, parent, root, true, mom, g, fills);
  return true;
}

@inline function clampLevel(v: f64): f64 {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function fitRegion(
  f: Frame,
  pal: Palette,
  region: StaticArray<i32>,
  seed: i32,
  mom: StaticArray<f64>,
  fills: Fills,
  acc: StaticArray<f64>,
): void {
  if (!planes(acc, 0)) return;
  if (principal() < 1e-6) return;
  let g = new Gradient();
  g.radial = false;
  g.x2 = dirX;
  g.y2 = dirY;
  let flat = binRamp(f, pal, region, seed, false, g);
  let span = Math.sqrt((g.x2 - g.x1) * (g.x2 - g.x1) + (g.y2 - g.y1) * (g.y2 - g.y1));
  if (flat < 0 || g.err > flat * 0.9 - 0.3 || hasEdge(g, span)) return;
  takeRamp(f, pal, region, seed, false, mom, g, fills);
}

const ROW = new StaticArray<f64>(4);
@inline function accumulate4(ne: StaticArray<f64>, a: f64, b: f64, c: f64, d: f64, v: f64): void {
  // normal equations of v ~ [a b c d] . s: 4x4 matrix + right side
  unchecked((ROW[0] = a));
  unchecked((ROW[1] = b));
  unchecked((ROW[2] = c));
  unchecked((ROW[3] = d));
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) unchecked((ne[i * 4 + j] += ROW[i] * ROW[j]));
    unchecked((ne[16 + i] += ROW[i] * v));
  }
}

const M4 = new StaticArray<f64>(20);
const S4 = new StaticArray<f64>(4);
function solve4(ne: StaticArray<f64>): StaticArray<f64> | null {
  let m = M4;
  for (let i = 0; i < 20; i++) unchecked((m[i] = ne[i]));
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(unchecked(m[r * 4 + col])) > Math.abs(unchecked(m[piv * 4 + col]))) piv = r;
    if (Math.abs(unchecked(m[piv * 4 + col])) < 1e-12) return null;
    if (piv != col) {
      for (let j = 0; j < 4; j++) {
        let t = unchecked(m[col * 4 + j]);
        unchecked((m[col * 4 + j] = m[piv * 4 + j]));
        unchecked((m[piv * 4 + j] = t));
      }
      let t = unchecked(m[16 + col]);
      unchecked((m[16 + col] = m[16 + piv]));
      unchecked((m[16 + piv] = t));
    }
    for (let r = 0; r < 4; r++) {
      if (r == col) continue;
      let fct = unchecked(m[r * 4 + col]) / unchecked(m[col * 4 + col]);
      for (let j = col; j < 4; j++) unchecked((m[r * 4 + j] -= fct * m[col * 4 + j]));
      unchecked((m[16 + r] -= fct * m[16 + col]));
    }
  }
  for (let i = 0; i < 4; i++) unchecked((S4[i] = m[16 + i] / m[i * 4 + i]));
  return S4;
}

/** fits look at every pixel of a set up to 32768 pixels, and at an even sample of larger ones */
function sampleStep(set: StaticArray<i32>, key: i32, isUnion: bool): i32 {
  let n = 0;
  for (let c = 0; c < byLabel.k; c++) if (member(set, c, key, isUnion)) n += byLabel.start(c + 1) - byLabel.start(c);
  return 1 + n / 32768;
}

// membership: pixels whose label's find/region equals `key`
@inline function member(set: StaticArray<i32>, c: i32, key: i32, isUnion: bool): bool {
  if (isUnion) return find(set, c) == key;
  return unchecked(set[c]) == key;
}

/**
 * Stops along the ramp (position: projection on (x2, y2) for linear, distance from (x1, y1) for
 * radial) as mean colours of MAX_STOPS bins; sets the geometry and g.err (RMS error of the gradient
 * over the pixels) and returns the RMS error of the flat bands there, or -1.
 */
function binRamp(
  f: Frame,
  pal: Palette,
  set: StaticArray<i32>,
  key: i32,
  radial: bool,
  g: Gradient,
): f64 {
  let w = f.w;
  let isUnion = radial;
  let step = sampleStep(set, key, isUnion);
  let lo: f64 = Infinity;
  let hi: f64 = -Infinity;
  for (let c = 0; c < byLabel.k; c++) {
    if (!member(set, c, key, isUnion)) continue;
    for (let q = byLabel.start(c); q < byLabel.start(c + 1); q += step) {
      let i = byLabel.pixel(q);
      let t = position(g, <f64>(i % w) + 0.5, <f64>(i / w) + 0.5);
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
  }
  if (!(hi - lo > 2)) return -1;
  let bins = MAX_STOPS;
  let sum = new StaticArray<f64>(bins * 5);
  for (let c = 0; c < byLabel.k; c++) {
    if (!member(set, c, key, isUnion)) continue;
    for (let q = byLabel.start(c); q < byLabel.start(c + 1); q += step) {
      let i = byLabel.pixel(q);
      let t = position(g, <f64>(i % w) + 0.5, <f64>(i / w) + 0.5);
      let b = min(bins - 1, <i32>(((t - lo) / (hi - lo)) * <f64>bins));
      let p = f.rgba + (<usize>i << 2);
      unchecked((sum[b * 5] += 1));
      unchecked((sum[b * 5 + 1] += t));
      unchecked((sum[b * 5 + 2] += <f64>load<u8>(p)));
      unchecked((sum[b * 5 + 3] += <f64>load<u8>(p + 1)));
      unchecked((sum[b * 5 + 4] += <f64>load<u8>(p + 2)));
    }
  }
  g.n = 0;
  for (let b = 0; b < bins; b++) {
    let n = unchecked(sum[b * 5]);
    if (n < 1) continue;
    let s = g.n;
    unchecked((g.offset[s] = (sum[b * 5 + 1] / n - lo) / (hi - lo)));
    unchecked((g.sr[s] = sum[b * 5 + 2] / n));
    unchecked((g.sg[s] = sum[b * 5 + 3] / n));
    unchecked((g.sb[s] = sum[b * 5 + 4] / n));
    g.n++;
  }
  if (g.n < 2) return -1;
  dropStraightStops(g);
  // geometry in pixel coordinates
  if (radial) {
    g.r = hi;
    // offsets are fractions of the radius, from the centre
    for (let s = 0; s < g.n; s++) unchecked((g.offset[s] = (lo + g.offset[s] * (hi - lo)) / hi));
  } else {
    let dx = g.x2;
    let dy = g.y2;
    g.x1 = dx * lo;
    g.y1 = dy * lo;
    g.x2 = dx * hi;
    g.y2 = dy * hi;
  }
  // errors: the gradient's and the flat bands'
  let eg: f64 = 0;
  let ef: f64 = 0;
  let cnt: f64 = 0;
  for (let c = 0; c < byLabel.k; c++) {
    if (!member(set, c, key, isUnion)) continue;
    for (let q = byLabel.start(c); q < byLabel.start(c + 1); q += step) {
      let i = byLabel.pixel(q);
      let px = <f64>(i % w) + 0.5;
      let py = <f64>(i / w) + 0.5;
      let u = radial ? Math.sqrt((px - g.x1) * (px - g.x1) + (py - g.y1) * (py - g.y1)) / g.r : projectUnit(g, px, py);
      let p = f.rgba + (<usize>i << 2);
      let vr = <f64>load<u8>(p);
      let vg = <f64>load<u8>(p + 1);
      let vb = <f64>load<u8>(p + 2);
      sample(g, u);
      eg += (vr - sR) * (vr - sR) + (vg - sG) * (vg - sG) + (vb - sB) * (vb - sB);
      let fr = unchecked(pal.r[c]);
      let fg = unchecked(pal.g[c]);
      let fb = unchecked(pal.b[c]);
      ef += (vr - fr) * (vr - fr) + (vg - fg) * (vg - fg) + (vb - fb) * (vb - fb);
      cnt += 3;
    }
  }
  g.err = Math.sqrt(eg / cnt);
  return Math.sqrt(ef / cnt);
}

/**
 * Whether the stops (offsets times `scale` = px) change by more than EDGE_SLOPE levels per px over some
 * stretch of at least 1 px: an edge, not a ramp. A flat ring with anti-aliased sides is explained by
 * circles as well as a real radial ramp is (its colour depends on the radius only), and a piece of it
 * by a line, but its profile jumps across each side within a pixel or two, where a ramp changes a few
 * levels per pixel.
 */
function hasEdge(g: Gradient, scale: f64): bool {
  for (let s = 0; s < g.n; s++) {
    let t = s + 1;
    while (t < g.n && (unchecked(g.offset[t]) - unchecked(g.offset[s])) * scale < 1) t++;
    if (t >= g.n) break;
    let d = max(
      Math.abs(unchecked(g.sr[t]) - unchecked(g.sr[s])),
      max(Math.abs(unchecked(g.sg[t]) - unchecked(g.sg[s])), Math.abs(unchecked(g.sb[t]) - unchecked(g.sb[s]))),
    );
    if (d > EDGE_SLOPE * (unchecked(g.offset[t]) - unchecked(g.offset[s])) * scale) return true;
  }
  return false;
}

/** drops inner stops that the line through their neighbours already gives (within 1.5 levels) */
function dropStraightStops(g: Gradient): void {
  let s = 1;
  while (s < g.n - 1) {
    let o0 = unchecked(g.offset[s - 1]);
    let o2 = unchecked(g.offset[s + 1]);
    let t = o2 > o0 ? (unchecked(g.offset[s]) - o0) / (o2 - o0) : 0;
    let er = Math.abs(unchecked(g.sr[s - 1]) + (unchecked(g.sr[s + 1]) - unchecked(g.sr[s - 1])) * t - unchecked(g.sr[s]));
    let eg = Math.abs(unchecked(g.sg[s - 1]) + (unchecked(g.sg[s + 1]) - unchecked(g.sg[s - 1])) * t - unchecked(g.sg[s]));
    let eb = Math.abs(unchecked(g.sb[s - 1]) + (unchecked(g.sb[s + 1]) - unchecked(g.sb[s - 1])) * t - unchecked(g.sb[s]));
    if (max(er, max(eg, eb)) > 1.5) {
      s++;
      continue;
    }
    for (let j = s; j < g.n - 1; j++) {
      unchecked((g.offset[j] = g.offset[j + 1]));
      unchecked((g.sr[j] = g.sr[j + 1]));
      unchecked((g.sg[j] = g.sg[j + 1]));
      unchecked((g.sb[j] = g.sb[j + 1]));
    }
    g.n--;
  }
}

@inline function position(g: Gradient, x: f64, y: f64): f64 {
  if (g.radial) return Math.sqrt((x - g.x1) * (x - g.x1) + (y - g.y1) * (y - g.y1));
  return x * g.x2 + y * g.y2;
}

/** 0..1 along a linear gradient */
@inline function projectUnit(g: Gradient, x: f64, y: f64): f64 {
  let dx = g.x2 - g.x1;
  let dy = g.y2 - g.y1;
  let l2 = dx * dx + dy * dy;
  return l2 > 0 ? ((x - g.x1) * dx + (y - g.y1) * dy) / l2 : 0;
}

let sR: f64 = 0;
let sG: f64 = 0;
let sB: f64 = 0;
/** the gradient's colour at u (0..1), stops interpolated as SVG does (pad beyond the ends) */
function sample(g: Gradient, u: f64): void {
  let n = g.n;
  if (u <= unchecked(g.offset[0])) {
    sR = unchecked(g.sr[0]);
    sG = unchecked(g.sg[0]);
    sB = unchecked(g.sb[0]);
    return;
  }
  for (let s = 1; s < n; s++) {
    let o1 = unchecked(g.offset[s]);
    if (u <= o1) {
      let o0 = unchecked(g.offset[s - 1]);
      let t = o1 > o0 ? (u - o0) / (o1 - o0) : 1;
      sR = unchecked(g.sr[s - 1]) + (unchecked(g.sr[s]) - unchecked(g.sr[s - 1])) * t;
      sG = unchecked(g.sg[s - 1]) + (unchecked(g.sg[s]) - unchecked(g.sg[s - 1])) * t;
      sB = unchecked(g.sb[s - 1]) + (unchecked(g.sb[s]) - unchecked(g.sb[s - 1])) * t;
      return;
    }
  }
  sR = unchecked(g.sr[n - 1]);
  sG = unchecked(g.sg[n - 1]);
  sB = unchecked(g.sb[n - 1]);
}

/** relabels the set's pixels to its largest label, which gets the gradient fill */
function takeRamp(
  f: Frame,
  pal: Palette,
  set: StaticArray<i32>,
  key: i32,
  isUnion: bool,
  mom: StaticArray<f64>,
  g: Gradient,
  fills: Fills,
): void {
  let big = NONE;
  for (let c = 0; c < pal.k; c++) {
    if (!member(set, c, key, isUnion) || unchecked(pal.a[c]) < 250) continue;
    let n = isUnion ? unchecked(mom[c * MOM]) : unchecked(mom[c * MOM]);
    if (n == 0) continue;
    if (big == NONE || n > unchecked(mom[big * MOM])) big = c;
  }
  if (big == NONE) return;
  for (let c = 0; c < byLabel.k; c++) {
    if (!member(set, c, key, isUnion)) continue;
    for (let q = byLabel.start(c); q < byLabel.start(c + 1); q++) {
      let i = byLabel.pixel(q);
      f.setLabel(i, big);
    }
  }
  // the flat colour (used where a fill must be one colour) is the middle stop, or the corners' mean
  if (g.bilinear) {
    unchecked((pal.r[big] = (g.sr[0] + g.sr[1] + g.sr[2] + g.sr[3]) / 4));
    unchecked((pal.g[big] = (g.sg[0] + g.sg[1] + g.sg[2] + g.sg[3]) / 4));
    unchecked((pal.b[big] = (g.sb[0] + g.sb[1] + g.sb[2] + g.sb[3]) / 4));
  } else {
    let mid = g.n >> 1;
    unchecked((pal.r[big] = g.sr[mid]));
    unchecked((pal.g[big] = g.sg[mid]));
    unchecked((pal.b[big] = g.sb[mid]));
  }
  unchecked((fills.byLabel[big] = g));
}
