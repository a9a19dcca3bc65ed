// Stage 5, fit: a contour's lattice polygon becomes cubic Beziers and lines (or a polygon).
// Edge midpoints remove the staircase; lattice corners are kept when both edges are long; corners are
// detected on the turn measured 2 px away; Schneider least-squares cubics between corners, lines where
// the points are within 0.5 px of the chord; polygons via Douglas-Peucker. Output goes to the writer.
import { Contour } from "./contour";
import { MODE_BINARY, Options } from "./options";
import { Frame, TRANSPARENT } from "./prepare";
import { LayerMask } from "./segment";
import { SvgWriter } from "./svg";

/** least outward move of a boundary against transparency (covers a staircase corner cut, 0.35 px) */
const OUTSET_MIN: f64 = 0.3;
/** convex corners of opaque pixels against transparency: how far out their constraint point sits */
const CORNER_OUTSET: f64 = 0.2;
/**
 * cutout layering: how far an outline moves out over the seam with another opaque region (a trap).
 * Both sides do, so the exact regions overlap by 1 px along their seams instead of leaving slivers
 * where two independent fits part (and the background bleeding through anti-aliased seams).
 */
const CUTOUT_TRAP: f64 = 0.5;
/** how far the fitted outline may pass inside a boundary point that faces transparency */
const INSIDE_TOL: f64 = 0.15;
/**
 * the tolerance of a point that only constrains (the fit may not pass inside it) and is not fitted: it
 * neither pulls the least-squares curve nor counts as an error, so it changes no fit that keeps out of it
 */
const PIN: f64 = Infinity;
/** points within this of a chord make a line */
const LINE_TOL: f64 = 0.5;

export class Fitter {
  out: SvgWriter;
  ct: Contour;
  /** image position of contour vertex (0, 0) minus 1 (vertices are in padded mask coordinates) */
  ox: i32 = 0;
  oy: i32 = 0;
  fitTol: f64;
  cornerCos: f64;
  polygons: bool;
  frame: Frame;
  /** cover every opaque pixel (colour modes; binary mode paints black only, on nothing) */
  cover: bool;
  cutout: bool;
  /** by label: 1 when opaque (Layers.solid) */
  solid: StaticArray<i32>;
  mask: LayerMask = new LayerMask();
  ptX: usize = 0; // f64 points
  ptY: usize = 0;
  ptCap: i32 = 0;
  ptFlag: usize = 0; // u8: 1 = corner
  // f64: outward normal of points facing transparency (0, 0 elsewhere): the fit may not pass inside them
  ptNX: usize = 0;
  ptNY: usize = 0;
  runNX: usize = 0;
  runNY: usize = 0;
  // f64: fitting tolerance per point, smaller where the shape is thin (its two sides must not cross)
  ptTol: usize = 0;
  runTol: usize = 0;
  ptU: usize = 0; // f64 parameters for fitting
  runX: usize = 0;
  runY: usize = 0;
  runCap: i32 = 0;
  stk: usize = 0; // fitting stack: i32 first,last + f64 tangents -> 48 bytes per entry
  stkCap: i32 = 0;
  // unit tangent (runTangentRange) and Bezier point (bez) results
  tgX: f64 = 0;
  tgY: f64 = 0;
  ptCountCur: i32 = 0;
  bzX: StaticArray<f64> = new StaticArray<f64>(4);
  bzY: StaticArray<f64> = new StaticArray<f64>(4);
  qx: f64 = 0;
  qy: f64 = 0;

  constructor(o: Options, frame: Frame, solid: StaticArray<i32>, ct: Contour, out: SvgWriter) {
    this.frame = frame;
    this.solid = solid;
    this.cover = o.mode != MODE_BINARY;
    this.cutout = o.cutout;
    this.fitTol = o.fitTol;
    this.cornerCos = o.cornerCos;
    this.polygons = o.polygons;
    this.ct = ct;
    this.out = out;
  }

  /**
   * How far a boundary point at (x, y) on a lattice edge moves along the outward normal (nx, ny): where
   * the pixel outside is transparent, out to the edge's sub-pixel position (that pixel's alpha as
   * coverage), at least 0.3 px, so every opaque pixel stays fully covered after fitting; 0.3 px against
   * a translucent layer; 1 px past the image border; against another opaque layer it stays on the
   * lattice (the layers below reach under it), or in cutout layering moves CUTOUT_TRAP out, negative:
   * a move that is no coverage constraint (the other region's outline covers its own pixels).
   */
  outset(x: f64, y: f64, nx: f64, ny: f64): f64 {
    if (!this.cover) return 0;
    let f = this.frame;
    let px = <i32>Math.floor(x + nx * 0.5);
    let py = <i32>Math.floor(y + ny * 0.5);
    // past the image border nothing shows (the viewBox clips): move out a whole pixel
    if (px < 0 || py < 0 || px >= f.w || py >= f.h) return 1;
    let i = py * f.w + px;
    let l = f.label(i);
    // a translucent layer is no cover: nothing extends under it
    if (l != TRANSPARENT) {
      if (unchecked(this.solid[l]) == 0) return OUTSET_MIN;
      return this.cutout ? -CUTOUT_TRAP : 0;
    }
    let a = <f64>f.alpha(i) / 255;
    return a > OUTSET_MIN ? a : OUTSET_MIN;
  }

  /**
   * Fitting tolerance at a boundary point (x, y) on a lattice edge with outward normal (nx, ny): the
   * global one where the shape is at least 4 px thick inward, 0.2 px per pixel of thickness below that,
   * so both sides of a 1-3 px stroke stay within its width and it never pinches into dashes.
   */
  thinTol(x: f64, y: f64, nx: f64, ny: f64): f64 {
    let m = this.mask;
    let ix = <i32>Math.floor(x - nx * 0.5) - m.bx0 + 1;
    let iy = <i32>Math.floor(y - ny * 0.5) - m.by0 + 1;
    let sx = -<i32>nx;
    let sy = -<i32>ny;
    let t = 0;
    while (t < 4) {
      let px = ix + sx * t;
      let py = iy + sy * t;
      if (px < 0 || py < 0 || px >= m.mw || py >= m.mh || (m.at(px, py) & 1) == 0) break;
      t++;
    }
    if (t >= 4) return this.fitTol;
    let tol = 0.2 * <f64>max(t, 1);
    return tol < this.fitTol ? tol : this.fitTol;
  }

  /** whether the image pixel containing (x, y) is opaque (alpha > 250) */
  opaqueAt(x: f64, y: f64): bool {
    if (!this.cover) return false;
    let f = this.frame;
    let px = <i32>Math.floor(x);
    let py = <i32>Math.floor(y);
    if (px < 0 || py < 0 || px >= f.w || py >= f.h) return false;
    return f.alpha(py * f.w + px) > 250;
  }

  /** fits the contour's first m vertices of the given layer mask */
  fit(m: i32, mask: LayerMask): void {
    this.mask = mask;
    this.ox = mask.bx0;
    this.oy = mask.by0;
    this.fitContour(m);
  }

  ensurePts(n: i32): void {
    if (n <= this.ptCap) return;
    let nc = max(n, this.ptCap * 2 + 1024);
    if (this.ptX == 0) {
      this.ptX = heap.alloc(<usize>nc * 8);
      this.ptY = heap.alloc(<usize>nc * 8);
      this.ptFlag = heap.alloc(<usize>nc);
      this.ptNX = heap.alloc(<usize>nc * 8);
      this.ptNY = heap.alloc(<usize>nc * 8);
      this.ptTol = heap.alloc(<usize>nc * 8);
    } else {
      this.ptTol = heap.realloc(this.ptTol, <usize>nc * 8);
      this.ptNX = heap.realloc(this.ptNX, <usize>nc * 8);
      this.ptNY = heap.realloc(this.ptNY, <usize>nc * 8);
      this.ptX = heap.realloc(this.ptX, <usize>nc * 8);
      this.ptY = heap.realloc(this.ptY, <usize>nc * 8);
      this.ptFlag = heap.realloc(this.ptFlag, <usize>nc);
    }
    this.ptCap = nc;
  }
  ensureRun(n: i32): void {
    if (n <= this.runCap) return;
    let nc = max(n, this.runCap * 2 + 1024);
    if (this.runX == 0) {
      this.runX = heap.alloc(<usize>nc * 8);
      this.runY = heap.alloc(<usize>nc * 8);
      this.ptU = heap.alloc(<usize>nc * 8);
      this.runNX = heap.alloc(<usize>nc * 8);
      this.runNY = heap.alloc(<usize>nc * 8);
      this.runTol = heap.alloc(<usize>nc * 8);
    } else {
      this.runTol = heap.realloc(this.runTol, <usize>nc * 8);
      this.runNX = heap.realloc(this.runNX, <usize>nc * 8);
      this.runNY = heap.realloc(this.runNY, <usize>nc * 8);
      this.runX = heap.realloc(this.runX, <usize>nc * 8);
      this.runY = heap.realloc(this.runY, <usize>nc * 8);
      this.ptU = heap.realloc(this.ptU, <usize>nc * 8);
    }
    this.runCap = nc;
  }
  ensureStk(n: i32): void {
    if (n <= this.stkCap) return;
    let nc = max(n, this.stkCap * 2 + 256);
    this.stk = this.stk == 0 ? heap.alloc(<usize>nc * 48) : heap.realloc(this.stk, <usize>nc * 48);
    this.stkCap = nc;
  }

  @inline PX(i: i32): f64 {
    return load<f64>(this.ptX + (<usize>i << 3));
  }
  @inline PY(i: i32): f64 {
    return load<f64>(this.ptY + (<usize>i << 3));
  }
  @inline TOL(i: i32): f64 {
    return load<f64>(this.runTol + (<usize>i << 3));
  }
  @inline RX(i: i32): f64 {
    return load<f64>(this.runX + (<usize>i << 3));
  }
  @inline RY(i: i32): f64 {
    return load<f64>(this.runY + (<usize>i << 3));
  }

  fitContour(m: i32): void {
    // 1. points: edge midpoints (staircase removal), real corners kept, samples along straight edges
    let n = 0;
    this.ensurePts(m * 4 + 16);
    for (let i = 0; i < m; i++) {
      let inx = i + 1 == m ? 0 : i + 1;
      let bx = this.VX(i);
      let by = this.VY(i);
      let cx = this.VX(inx);
      let cy = this.VY(inx);
      let l1 = Math.abs(cx - bx) + Math.abs(cy - by);
      let kb = this.keptAt(i, m);
      let kc = this.keptAt(inx, m);
      let ux = (cx - bx) / l1;
      let uy = (cy - by) / l1;
      // outward normal (the inside is on the right): points move out where the edge faces transparency
      let nx = uy;
      let ny = -ux;
      let ip = i == 0 ? m - 1 : i - 1;
      let ax = this.VX(ip);
      let ay = this.VY(ip);
      let l0 = Math.abs(bx - ax) + Math.abs(by - ay);
      let pnx = (by - ay) / l0;
      let pny = -(bx - ax) / l0;
      let d0 = this.outset(bx - ((bx - ax) / l0) * 0.5, by - ((by - ay) / l0) * 0.5, pnx, pny);
      let d1 = this.outset(bx + ux * 0.5, by + uy * 0.5, nx, ny);
      let cnx = (d0 > 0 ? pnx : 0) + (d1 > 0 ? nx : 0);
      let cny = (d0 > 0 ? pny : 0) + (d1 > 0 ? ny : 0);
      // a cutout trap moves the point but constrains nothing
      d0 = Math.abs(d0);
      d1 = Math.abs(d1);
      let cl = Math.sqrt(cnx * cnx + cny * cny);
      if (cl > 0) {
        cnx /= cl;
        cny /= cl;
      }
      if (kb) {
        let tol = min(
          this.thinTol(bx + ux * 0.5, by + uy * 0.5, nx, ny),
          this.thinTol(bx - ((bx - ax) / l0) * 0.5, by - ((by - ay) / l0) * 0.5, pnx, pny),
        );
        this.addPt(n++, bx + pnx * d0 + nx * d1, by + pny * d0 + ny * d1, 1, cnx, cny, tol);
      } else if (cl > 0 && (bx - ax) * (cy - by) - (by - ay) * (cx - bx) > 0 && this.opaqueAt(bx - (pnx + nx) * 0.5, by - (pny + ny) * 0.5)) {
        // a convex staircase corner of an opaque pixel facing transparency: a point the outline must
        // enclose (edge midpoints alone let the fit cut such corners by up to 0.45 px)
        this.addPt(n++, bx + cnx * CORNER_OUTSET, by + cny * CORNER_OUTSET, 0, cnx, cny, this.thinTol(bx + ux * 0.5, by + uy * 0.5, nx, ny));
      }
      this.ensurePts(n + <i32>l1 + 8);
      let prev: f64 = 0;
      if (l1 >= 6) {
        // long edges are sampled (sparse points let a cubic swing between them); near a soft end
        // (a staircase step) samples stay 2.5 px away, where the staircase bias is small
        let t0: f64 = kb ? 1 : 2.5;
        let t1: f64 = kc ? l1 - 1 : l1 - 2.5;
        let k = <i32>Math.floor((t1 - t0) / 3);
        if (k < 1) k = 1;
        for (let j = 0; j <= k; j++) {
          let t = t0 + ((t1 - t0) * <f64>j) / <f64>k;
          n = this.addOpaqueEnds(n, bx, by, ux, uy, prev, t);
          n = this.addSample(n, bx + ux * t, by + uy * t, nx, ny);
          prev = t;
        }
      } else {
        let t = l1 * 0.5;
        n = this.addOpaqueEnds(n, bx, by, ux, uy, prev, t);
        n = this.addSample(n, bx + ux * t, by + uy * t, nx, ny);
        prev = t;
      }
      n = this.addOpaqueEnds(n, bx, by, ux, uy, prev, l1);
      this.ensurePts(n + 8);
    }
    this.ptCountCur = n;
    if (n < 3) return;
    // 2. corners: turning angle measured between neighbours ~2.5 px away
    let rad = 2.0;
    this.ensureRun(n + 2);
    // pins take no part: never corners, never the neighbours a turn is measured to
    for (let i = 0; i < n; i++) {
      let f = <i32>load<u8>(this.ptFlag + <usize>i);
      if (this.pinned(i)) {
        store<f64>(this.runX + (<usize>i << 3), 1);
        continue;
      }
      let a = i;
      let steps = 0;
      while (steps < n - 1) {
        a = a == 0 ? n - 1 : a - 1;
        steps++;
        if (!this.pinned(a) && this.dist(a, i) >= rad) break;
      }
      let b = i;
      steps = 0;
      while (steps < n - 1) {
        b = b + 1 == n ? 0 : b + 1;
        steps++;
        if (!this.pinned(b) && this.dist(b, i) >= rad) break;
      }
      let ux = this.PX(i) - this.PX(a);
      let uy = this.PY(i) - this.PY(a);
      let vx = this.PX(b) - this.PX(i);
      let vy = this.PY(b) - this.PY(i);
      let lu = Math.sqrt(ux * ux + uy * uy);
      let lv = Math.sqrt(vx * vx + vy * vy);
      let cs: f64 = 1;
      if (lu > 0 && lv > 0) cs = (ux * vx + uy * vy) / (lu * lv);
      // store cos of turning angle in this.runX temporarily (as f64 per point)
      store<f64>(this.runX + (<usize>i << 3), cs);
      store<u8>(this.ptFlag + <usize>i, <u8>(f & 1));
    }
    let nc = 0;
    for (let i = 0; i < n; i++) {
      let cs = load<f64>(this.runX + (<usize>i << 3));
      let f = <i32>load<u8>(this.ptFlag + <usize>i);
      let isCorner = false;
      if (f == 1) {
        // a kept lattice corner: corner if the local turn is sharp enough
        isCorner = cs < this.cornerCos + 1e-9;
      } else if (cs < this.cornerCos) {
        // non-maximum suppression among neighbours within the radius
        let prev = i;
        do prev = prev == 0 ? n - 1 : prev - 1;
        while (this.pinned(prev) && prev != i);
        let next = i;
        do next = next + 1 == n ? 0 : next + 1;
        while (this.pinned(next) && next != i);
        let cp = load<f64>(this.runX + (<usize>prev << 3));
        let cn = load<f64>(this.runX + (<usize>next << 3));
        isCorner = cs <= cp && cs < cn;
        if (<i32>load<u8>(this.ptFlag + <usize>prev) == 1 || <i32>load<u8>(this.ptFlag + <usize>next) == 1) isCorner = false;
      }
      store<u8>(this.ptFlag + <usize>i, isCorner ? 3 : f);
      if (isCorner) nc++;
    }
    // 3. emit
    let first = 0;
    if (nc == 0) {
      this.out.move(this.PX(0), this.PY(0));
      let half = n / 2;
      if (half < 1) half = 1;
      while (half + 1 < n && this.pinned(half)) half++;
      this.fitRun(0, half, false, false, false);
      this.fitRun(half, n, false, false, true);
    } else {
      while ((<i32>load<u8>(this.ptFlag + <usize>first) & 2) == 0) first++;
      this.out.move(this.PX(first), this.PY(first));
      let s = first;
      let k = 0;
      while (k < nc) {
        let e = s + 1;
        while ((<i32>load<u8>(this.ptFlag + <usize>(e % n)) & 2) == 0) e++;
        k++;
        this.fitRun(s, e, true, true, k == nc);
        s = e;
      }
    }
    this.out.close();
  }
  @inline VX(i: i32): f64 {
    return <f64>(load<i32>(this.ct.vtx + (<usize>i << 3)) - 1 + this.ox);
  }
  @inline VY(i: i32): f64 {
    return <f64>(load<i32>(this.ct.vtx + (<usize>i << 3) + 4) - 1 + this.oy);
  }
  // a lattice vertex is kept as a real corner when both adjacent edges are long enough
  keptAt(i: i32, m: i32): bool {
    let ip = i == 0 ? m - 1 : i - 1;
    let inx = i + 1 == m ? 0 : i + 1;
    let l0 = Math.abs(this.VX(i) - this.VX(ip)) + Math.abs(this.VY(i) - this.VY(ip));
    let l1 = Math.abs(this.VX(inx) - this.VX(i)) + Math.abs(this.VY(inx) - this.VY(i));
    return min(l0, l1) >= 2 && max(l0, l1) >= 3;
  }
  /** a sample on a lattice edge, moved out as `outset` says; a constraint where it faces transparency */
  addSample(n: i32, px: f64, py: f64, nx: f64, ny: f64): i32 {
    let d = this.outset(px, py, nx, ny);
    let dm = Math.abs(d);
    this.addPt(n, px + nx * dm, py + ny * dm, 0, d > 0 ? nx : 0, d > 0 ? ny : 0, this.thinTol(px, py, nx, ny));
    return n + 1;
  }

  /**
   * Along the edge from (bx, by) in direction (ux, uy) (inside on the right), between the samples at t0
   * and t1: wherever the inside pixel changes between opaque and not while the edge faces transparency,
   * the lattice point there is the corner of an opaque pixel that no sample holds (samples sit at edge
   * midpoints or 3 px apart, and the partly transparent neighbour lets the outline come in). It becomes
   * a pin INSIDE_TOL out: the outline may reach that corner, never pass inside it.
   */
  addOpaqueEnds(n: i32, bx: f64, by: f64, ux: f64, uy: f64, t0: f64, t1: f64): i32 {
    if (!this.cover) return n;
    let nx = uy;
    let ny = -ux;
    // a lattice point within 0.25 px of a sample is pinned by that sample
    let k = <i32>Math.floor(t0 + 0.25) + 1;
    while (<f64>k < t1 - 0.25) {
      let t = <f64>k;
      let before = this.opaqueAt(bx + ux * (t - 0.5) - nx * 0.5, by + uy * (t - 0.5) - ny * 0.5);
      let after = this.opaqueAt(bx + ux * (t + 0.5) - nx * 0.5, by + uy * (t + 0.5) - ny * 0.5);
      if (before != after) {
        // the outside pixel beside the opaque one says whether the edge faces transparency there
        let s: f64 = before ? -0.5 : 0.5;
        let px = bx + ux * t;
        let py = by + uy * t;
        let d = this.outset(px + ux * s, py + uy * s, nx, ny);
        if (d > 0) this.addPt(n++, px + nx * INSIDE_TOL, py + ny * INSIDE_TOL, 0, nx, ny, PIN);
      }
      k++;
    }
    return n;
  }

  /** whether point i is a pin (constrains, is not fitted) */
  @inline pinned(i: i32): bool {
    return load<f64>(this.ptTol + (<usize>i << 3)) == PIN;
  }

  @inline addPt(i: i32, x: f64, y: f64, f: i32, nx: f64, ny: f64, tol: f64): void {
    store<f64>(this.ptTol + (<usize>i << 3), tol);
    store<f64>(this.ptNX + (<usize>i << 3), nx);
    store<f64>(this.ptNY + (<usize>i << 3), ny);
    store<f64>(this.ptX + (<usize>i << 3), x);
    store<f64>(this.ptY + (<usize>i << 3), y);
    store<u8>(this.ptFlag + <usize>i, <u8>f);
  }
  @inline dist(a: i32, b: i32): f64 {
    let dx = this.PX(a) - this.PX(b);
    let dy = this.PY(a) - this.PY(b);
    return Math.sqrt(dx * dx + dy * dy);
  }

  // fits points [s, e] (indices modulo n into the point list, e may be >= n) as one run.
  // cornerStart/cornerEnd: whether the ends are corners (one-sided tangents) or smooth joints.
  fitRun(s: i32, e: i32, cornerStart: bool, cornerEnd: bool, isLast: bool): void {
    let n = this.ptCountCur;
    let len = e - s + 1;
    // copy into run arrays with a margin of up to 8 points on each side for smooth joints
    let margin = 8;
    if (margin > n) margin = n;
    let total = len + 2 * margin;
    this.ensureRun(total + 2);
    for (let j = 0; j < total; j++) {
      let src = (((s - margin + j) % n) + n) % n;
      store<f64>(this.runX + (<usize>j << 3), this.PX(src));
      store<f64>(this.runY + (<usize>j << 3), this.PY(src));
      store<f64>(this.runNX + (<usize>j << 3), load<f64>(this.ptNX + (<usize>src << 3)));
      store<f64>(this.runNY + (<usize>j << 3), load<f64>(this.ptNY + (<usize>src << 3)));
      store<f64>(this.runTol + (<usize>j << 3), load<f64>(this.ptTol + (<usize>src << 3)));
    }
    let f = margin;
    let l = margin + len - 1;
    // end tangents
    let t1x: f64;
    let t1y: f64;
    let t2x: f64;
    let t2y: f64;
    if (cornerStart) {
      this.runTangentRange(f, f, l, 1);
    } else {
      this.runTangentRange(f, 0, total - 1, 0);
    }
    t1x = this.tgX;
    t1y = this.tgY;
    if (cornerEnd) {
      this.runTangentRange(l, f, l, -1);
      t2x = this.tgX;
      t2y = this.tgY;
    } else {
      this.runTangentRange(l, 0, total - 1, 0);
      t2x = -this.tgX;
      t2y = -this.tgY;
    }
    if (this.polygons) {
      this.fitPolyline(f, l, isLast);
      return;
    }
    // iterative Schneider fitting
    this.ensureStk(16);
    let sp = 0;
    this.pushSeg(sp++, f, l, t1x, t1y, t2x, t2y);
    while (sp > 0) {
      sp--;
      let o = this.stk + <usize>sp * 48;
      let a = load<i32>(o);
      let b = load<i32>(o + 4);
      let ax = load<f64>(o + 8);
      let ay = load<f64>(o + 16);
      let bxv = load<f64>(o + 24);
      let byv = load<f64>(o + 32);
      let last = isLast && b == l;
      let split = this.fitSegment(a, b, ax, ay, bxv, byv, last);
      if (split < 0) continue;
      // center tangent at split
      // the neighbours the tangent is measured between are fitted points (a pin sits off their line)
      let sa = split - 1;
      while (sa > a && this.TOL(sa) == PIN) sa--;
      let sb = split + 1;
      while (sb < b && this.TOL(sb) == PIN) sb++;
      let cx = this.RX(sa) - this.RX(sb);
      let cy = this.RY(sa) - this.RY(sb);
      let cl = Math.sqrt(cx * cx + cy * cy);
      if (cl < 1e-12) {
        cx = this.RX(a) - this.RX(b);
        cy = this.RY(a) - this.RY(b);
        cl = Math.sqrt(cx * cx + cy * cy);
        if (cl < 1e-12) cl = 1;
      }
      cx /= cl;
      cy /= cl;
      this.ensureStk(sp + 2);
      this.pushSeg(sp++, split, b, -cx, -cy, bxv, byv);
      this.pushSeg(sp++, a, split, ax, ay, cx, cy);
    }
  }
  runTangentRange(i: i32, lo: i32, hi: i32, dirSign: i32): void {
    let a = i;
    let b = i;
    if (dirSign <= 0) {
      while (a > lo) {
        a--;
        if (this.TOL(a) == PIN) continue;
        let dx = this.RX(a) - this.RX(i);
        let dy = this.RY(a) - this.RY(i);
        if (dx * dx + dy * dy >= 6.25) break;
      }
    }
    if (dirSign >= 0) {
      while (b < hi) {
        b++;
        if (this.TOL(b) == PIN) continue;
        let dx = this.RX(b) - this.RX(i);
        let dy = this.RY(b) - this.RY(i);
        if (dx * dx + dy * dy >= 6.25) break;
      }
    }
    let tx: f64;
    let ty: f64;
    if (dirSign < 0) {
      tx = this.RX(a) - this.RX(i);
      ty = this.RY(a) - this.RY(i);
    } else if (dirSign > 0) {
      tx = this.RX(b) - this.RX(i);
      ty = this.RY(b) - this.RY(i);
    } else {
      tx = this.RX(b) - this.RX(a);
      ty = this.RY(b) - this.RY(a);
    }
    let l = Math.sqrt(tx * tx + ty * ty);
    if (l < 1e-12) {
      this.tgX = 1;
      this.tgY = 0;
      return;
    }
    this.tgX = tx / l;
    this.tgY = ty / l;
  }
  @inline pushSeg(i: i32, a: i32, b: i32, ax: f64, ay: f64, bx: f64, by: f64): void {
    let o = this.stk + <usize>i * 48;
    store<i32>(o, a);
    store<i32>(o + 4, b);
    store<f64>(o + 8, ax);
    store<f64>(o + 16, ay);
    store<f64>(o + 24, bx);
    store<f64>(o + 32, by);
  }

  // Douglas-Peucker for the polygon output
  fitPolyline(f: i32, l: i32, isLast: bool): void {
    this.ensureStk(16);
    let sp = 0;
    this.pushSeg(sp++, f, l, 0, 0, 0, 0);
    while (sp > 0) {
      sp--;
      let o = this.stk + <usize>sp * 48;
      let a = load<i32>(o);
      let b = load<i32>(o + 4);
      let x0 = this.RX(a);
      let y0 = this.RY(a);
      let dx = this.RX(b) - x0;
      let dy = this.RY(b) - y0;
      let dl = Math.sqrt(dx * dx + dy * dy);
      let worst = -1;
      let wd: f64 = 0;
      for (let i = a + 1; i < b; i++) {
        let px = this.RX(i) - x0;
        let py = this.RY(i) - y0;
        let d = dl > 1e-9 ? Math.abs(px * dy - py * dx) / dl : Math.sqrt(px * px + py * py);
        d /= this.TOL(i);
        if (d > wd) {
          wd = d;
          worst = i;
        }
      }
      let cut = this.cutsInside(a, b);
      if (cut >= 0) worst = cut;
      if (worst < 0 || (wd <= 1 && cut < 0)) {
        this.out.line(this.RX(b), this.RY(b), isLast && b == l);
        continue;
      }
      this.ensureStk(sp + 2);
      this.pushSeg(sp++, worst, b, 0, 0, 0, 0);
      this.pushSeg(sp++, a, worst, 0, 0, 0, 0);
    }
  }

  // Bezier helpers
  @inline bez(t: f64): void {
    let mt = 1 - t;
    let b0 = mt * mt * mt;
    let b1 = 3 * mt * mt * t;
    let b2 = 3 * mt * t * t;
    let b3 = t * t * t;
    this.qx = b0 * unchecked(this.bzX[0]) + b1 * unchecked(this.bzX[1]) + b2 * unchecked(this.bzX[2]) + b3 * unchecked(this.bzX[3]);
    this.qy = b0 * unchecked(this.bzY[0]) + b1 * unchecked(this.bzY[1]) + b2 * unchecked(this.bzY[2]) + b3 * unchecked(this.bzY[3]);
  }

  /** the point the chord a-b passes most inside of (beyond INSIDE_TOL), or -1 */
  cutsInside(a: i32, b: i32): i32 {
    let x0 = this.RX(a);
    let y0 = this.RY(a);
    let dx = this.RX(b) - x0;
    let dy = this.RY(b) - y0;
    let l2 = dx * dx + dy * dy;
    let worst = -1;
    let wv = -INSIDE_TOL;
    for (let i = a + 1; i < b; i++) {
      let nx = load<f64>(this.runNX + (<usize>i << 3));
      let ny = load<f64>(this.runNY + (<usize>i << 3));
      if (nx == 0 && ny == 0) continue;
      let t = l2 > 1e-12 ? ((this.RX(i) - x0) * dx + (this.RY(i) - y0) * dy) / l2 : 0;
      let v = (x0 + t * dx - this.RX(i)) * nx + (y0 + t * dy - this.RY(i)) * ny;
      if (v < wv) {
        wv = v;
        worst = i;
      }
    }
    return worst;
  }

  // returns -1 when the segment [a,b] was emitted, else the split index
  fitSegment(a: i32, b: i32, t1x: f64, t1y: f64, t2x: f64, t2y: f64, isLast: bool): i32 {
    let x0 = this.RX(a);
    let y0 = this.RY(a);
    let x3 = this.RX(b);
    let y3 = this.RY(b);
    let dx = x3 - x0;
    let dy = y3 - y0;
    let chord = Math.sqrt(dx * dx + dy * dy);
    if (b - a <= 1) {
      this.out.line(x3, y3, isLast);
      return -1;
    }
    // straight?
    let worst = a + 1;
    let wd: f64 = 0;
    for (let i = a + 1; i < b; i++) {
      if (this.TOL(i) == PIN) continue;
      let px = this.RX(i) - x0;
      let py = this.RY(i) - y0;
      let d = chord > 1e-9 ? Math.abs(px * dy - py * dx) / chord : Math.sqrt(px * px + py * py);
      d /= min(this.TOL(i), LINE_TOL);
      if (d > wd) {
        wd = d;
        worst = i;
      }
    }
    let cut = this.cutsInside(a, b);
    if (cut >= 0) worst = cut;
    if (wd <= 1 && cut < 0) {
      this.out.line(x3, y3, isLast);
      return -1;
    }
    if (chord < 1e-9) {
      return worst > a && worst < b ? worst : -1;
    }
    // chord-length parameterisation
    store<f64>(this.ptU + (<usize>a << 3), 0);
    // pins take no part in the lengths (they sit off the fitted points' line): a pin's parameter is its
    // fitted predecessor's plus its distance from it, a start for the nearest-point search
    let acc: f64 = 0;
    let j = a;
    for (let i = a + 1; i <= b; i++) {
      let ex = this.RX(i) - this.RX(j);
      let ey = this.RY(i) - this.RY(j);
      let l = Math.sqrt(ex * ex + ey * ey);
      if (this.TOL(i) == PIN && i < b) {
        store<f64>(this.ptU + (<usize>i << 3), acc + l);
        continue;
      }
      acc += l;
      j = i;
      store<f64>(this.ptU + (<usize>i << 3), acc);
    }
    if (acc <= 1e-12) acc = 1;
    for (let i = a + 1; i <= b; i++) store<f64>(this.ptU + (<usize>i << 3), load<f64>(this.ptU + (<usize>i << 3)) / acc);
    let splitAt = worst;
    for (let iter = 0; iter < 5; iter++) {
      this.generateBezier(a, b, t1x, t1y, t2x, t2y, chord);
      // max error
      let me: f64 = 0;
      let mi = (a + b) >> 1;
      for (let i = a + 1; i < b; i++) {
        let u = load<f64>(this.ptU + (<usize>i << 3));
        // a pin is not fitted, so its parameter may be off along the curve: measure at the nearest point
        if (this.TOL(i) == PIN) for (let k = 0; k < 3; k++) u = this.newton(u, this.RX(i), this.RY(i));
        this.bez(u);
        let ex = this.qx - this.RX(i);
        let ey = this.qy - this.RY(i);
        let tol = this.TOL(i);
        let e = (ex * ex + ey * ey) / (tol * tol);
        // passing inside a point that faces transparency would uncover opaque pixels: not a fit
        let inward = ex * load<f64>(this.runNX + (<usize>i << 3)) + ey * load<f64>(this.runNY + (<usize>i << 3));
        if (inward < -INSIDE_TOL) e = max(e, 1 + inward * inward);
        if (e > me) {
          me = e;
          mi = i;
        }
      }
      if (me <= 1) {
        this.out.cubic(
          unchecked(this.bzX[1]),
          unchecked(this.bzY[1]),
          unchecked(this.bzX[2]),
          unchecked(this.bzY[2]),
          unchecked(this.bzX[3]),
          unchecked(this.bzY[3]),
        );
        return -1;
      }
      splitAt = mi;
      if (me > 16) break;
      this.reparameterize(a, b);
    }
    if (splitAt <= a || splitAt >= b) splitAt = (a + b) >> 1;
    if (splitAt <= a || splitAt >= b) {
      this.out.line(x3, y3, isLast);
      return -1;
    }
    return splitAt;
  }

  generateBezier(a: i32, b: i32, t1x: f64, t1y: f64, t2x: f64, t2y: f64, chord: f64): void {
    let x0 = this.RX(a);
    let y0 = this.RY(a);
    let x3 = this.RX(b);
    let y3 = this.RY(b);
    let c00: f64 = 0;
    let c01: f64 = 0;
    let c11: f64 = 0;
    let X0: f64 = 0;
    let X1: f64 = 0;
    for (let i = a; i <= b; i++) {
      if (this.TOL(i) == PIN) continue;
      let u = load<f64>(this.ptU + (<usize>i << 3));
      let mu = 1 - u;
      let b0 = mu * mu * mu;
      let b1 = 3 * mu * mu * u;
      let b2 = 3 * mu * u * u;
      let b3 = u * u * u;
      let a1x = t1x * b1;
      let a1y = t1y * b1;
      let a2x = t2x * b2;
      let a2y = t2y * b2;
      c00 += a1x * a1x + a1y * a1y;
      c01 += a1x * a2x + a1y * a2y;
      c11 += a2x * a2x + a2y * a2y;
      let tx = this.RX(i) - (x0 * (b0 + b1) + x3 * (b2 + b3));
      let ty = this.RY(i) - (y0 * (b0 + b1) + y3 * (b2 + b3));
      X0 += a1x * tx + a1y * ty;
      X1 += a2x * tx + a2y * ty;
    }
    let det = c00 * c11 - c01 * c01;
    let al: f64 = 0;
    let ar: f64 = 0;
    if (Math.abs(det) > 1e-12) {
      al = (X0 * c11 - X1 * c01) / det;
      ar = (c00 * X1 - c01 * X0) / det;
    }
    let eps = 1e-6 * chord;
    if (!(al > eps) || !(ar > eps) || al > chord || ar > chord) {
      al = chord / 3;
      ar = chord / 3;
    }
    unchecked((this.bzX[0] = x0));
    unchecked((this.bzY[0] = y0));
    unchecked((this.bzX[1] = x0 + t1x * al));
    unchecked((this.bzY[1] = y0 + t1y * al));
    unchecked((this.bzX[2] = x3 + t2x * ar));
    unchecked((this.bzY[2] = y3 + t2y * ar));
    unchecked((this.bzX[3] = x3));
    unchecked((this.bzY[3] = y3));
  }

  reparameterize(a: i32, b: i32): void {
    for (let i = a + 1; i < b; i++) {
      let o = this.ptU + (<usize>i << 3);
      store<f64>(o, this.newton(load<f64>(o), this.RX(i), this.RY(i)));
    }
  }

  /** one Newton step from parameter u towards the point of the current cubic nearest (px, py) */
  newton(u: f64, px: f64, py: f64): f64 {
    let x0 = unchecked(this.bzX[0]);
    let y0 = unchecked(this.bzY[0]);
    let x1 = unchecked(this.bzX[1]);
    let y1 = unchecked(this.bzY[1]);
    let x2 = unchecked(this.bzX[2]);
    let y2 = unchecked(this.bzY[2]);
    let x3 = unchecked(this.bzX[3]);
    let y3 = unchecked(this.bzY[3]);
    this.bez(u);
    let mu = 1 - u;
    // first derivative
    let d1x = 3 * (mu * mu * (x1 - x0) + 2 * mu * u * (x2 - x1) + u * u * (x3 - x2));
    let d1y = 3 * (mu * mu * (y1 - y0) + 2 * mu * u * (y2 - y1) + u * u * (y3 - y2));
    // second derivative
    let d2x = 6 * (mu * (x2 - 2 * x1 + x0) + u * (x3 - 2 * x2 + x1));
    let d2y = 6 * (mu * (y2 - 2 * y1 + y0) + u * (y3 - 2 * y2 + y1));
    let ex = this.qx - px;
    let ey = this.qy - py;
    let num = ex * d1x + ey * d1y;
    let den = d1x * d1x + d1y * d1y + ex * d2x + ey * d2y;
    if (Math.abs(den) <= 1e-12) return u;
    let nu = u - num / den;
    if (nu < 0) nu = 0;
    if (nu > 1) nu = 1;
    return nu == nu ? nu : u;
  }
}
