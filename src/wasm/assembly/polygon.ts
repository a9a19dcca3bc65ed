// Stage 5 for binary mode, fit: the optimal-polygon method of Selinger's "Potrace: a polygon-based
// tracing algorithm" (2003), written from the paper.
// 1. The contour is walked one lattice step at a time. From each point, the longest "straight" run is
//    found: no four step directions, and one line passes within a unit square of every point
//    (kept as a cone of allowed directions, narrowed at every turn of the path). Unlike the paper, a
//    run (with the run arriving at its start) may not turn back on itself over 2+ px both ways: a
//    1-2 px stroke keeps its width instead of collapsing to a hairline.
// 2. The polygon with the fewest edges whose every edge spans a straight run (one point of overlap on
//    each side) is found by dynamic programming; ties go to the smallest penalty (length times the
//    RMS distance of the run's points from the edge).
// 3. Each vertex moves, within half a pixel of its lattice point, to where the least-squares lines of
//    its two runs meet.
// 4. Vertices far from the chord of their neighbours (measured in units of the vertex's own unit
//    square) are corners; the others become cubic curves between edge midpoints, rounder the closer
//    they sit to the chord (alphamax from `smoothness`: 50 -> 1.0, potrace's default).
import { Contour } from "./contour";
import { SvgWriter } from "./svg";

const NO_REACH: i32 = 0x3fffffff;

export class PolyFitter {
  out: SvgWriter;
  ct: Contour;
  alphaMax: f64;
  polygons: bool;
  cap: i32 = 0;
  // per lattice point (n) or twice that for the prefix sums over the unrolled cycle
  px: usize = 0; // i32
  py: usize = 0; // i32
  turn: usize = 0; // i32: index of the next turning point after i
  back: usize = 0; // i32: the run arriving at i: direction bit << 24 | length
  reach: usize = 0; // i32: straight run from i reaches i + reach
  sums: usize = 0; // f64 x5 per entry, 2n+1 entries: x, y, xx, xy, yy
  hiW: usize = 0; // i32 per polygon vertex: search windows
  loW: usize = 0;
  base: usize = 0;
  path: usize = 0; // i32 unrolled nodes of the last search
  verts: usize = 0; // i32 polygon vertex indices
  dpPen: usize = 0; // f64 per window node
  dpFrom: usize = 0; // i32 per window node: predecessor
  dpCap: i32 = 0;
  pathPen: f64 = 0;
  vx: usize = 0; // f64 adjusted vertex positions
  vy: usize = 0;
  ox: f64 = 0;
  oy: f64 = 0;

  constructor(smoothness: f64, polygons: bool, ct: Contour, out: SvgWriter) {
    this.alphaMax = smoothness / 50;
    this.polygons = polygons;
    this.ct = ct;
    this.out = out;
  }

  ensure(n: i32): void {
    if (n <= this.cap) return;
    let c = max(n, this.cap * 2 + 256);
    if (this.px != 0) {
      heap.free(this.px);
      heap.free(this.py);
      heap.free(this.turn);
      heap.free(this.back);
      heap.free(this.reach);
      heap.free(this.sums);
      heap.free(this.hiW);
      heap.free(this.loW);
      heap.free(this.base);
      heap.free(this.path);
      heap.free(this.verts);
      heap.free(this.vx);
      heap.free(this.vy);
    }
    let u = <usize>c;
    this.px = heap.alloc(u * 4);
    this.py = heap.alloc(u * 4);
    this.turn = heap.alloc(u * 4);
    this.back = heap.alloc(u * 4);
    this.reach = heap.alloc(u * 4);
    this.sums = heap.alloc((u * 2 + 1) * 40);
    this.hiW = heap.alloc((u + 2) * 4);
    this.loW = heap.alloc((u + 2) * 4);
    this.base = heap.alloc((u + 2) * 4);
    this.path = heap.alloc((u + 2) * 4);
    this.verts = heap.alloc((u + 1) * 4);
    this.vx = heap.alloc((u + 1) * 8);
    this.vy = heap.alloc((u + 1) * 8);
    this.cap = c;
  }

  @inline X(i: i32): i32 {
    return load<i32>(this.px + (<usize>i << 2));
  }
  @inline Y(i: i32): i32 {
    return load<i32>(this.py + (<usize>i << 2));
  }
  @inline S(i: i32, k: i32): f64 {
    return load<f64>(this.sums + <usize>(i * 5 + k) * 8);
  }

  /** fits the contour's m turning vertices; mask pixel (1, 1) is image pixel (bx0, by0) */
  fit(m: i32, bx0: i32, by0: i32): void {
    this.ox = <f64>(bx0 - 1);
    this.oy = <f64>(by0 - 1);
    // 1. every lattice point of the closed path, and the next turning point after each
    let n = 0;
    for (let i = 0; i < m; i++) {
      let j = i + 1 == m ? 0 : i + 1;
      n += abs(this.ct.x(j) - this.ct.x(i)) + abs(this.ct.y(j) - this.ct.y(i));
    }
    this.ensure(n + 2);
    let k = 0;
    let pm = m - 1;
    let prevLen = abs(this.ct.x(0) - this.ct.x(pm)) + abs(this.ct.y(0) - this.ct.y(pm));
    let prevBit = dirBit(sgn(this.ct.x(0) - this.ct.x(pm)), sgn(this.ct.y(0) - this.ct.y(pm)));
    for (let i = 0; i < m; i++) {
      let j = i + 1 == m ? 0 : i + 1;
      let x = this.ct.x(i);
      let y = this.ct.y(i);
      let sx = sgn(this.ct.x(j) - x);
      let sy = sgn(this.ct.y(j) - y);
      let len = abs(this.ct.x(j) - x) + abs(this.ct.y(j) - y);
      let next = k + len; // index of vertex j
      for (let t = 0; t < len; t++) {
        store<i32>(this.px + (<usize>k << 2), x + sx * t);
        store<i32>(this.py + (<usize>k << 2), y + sy * t);
        store<i32>(this.turn + (<usize>k << 2), next >= n ? next - n : next);
        let inBit = t == 0 ? prevBit : dirBit(sx, sy);
        store<i32>(this.back + (<usize>k << 2), (inBit << 24) | (t == 0 ? prevLen : t));
        k++;
      }
      prevLen = len;
      prevBit = dirBit(sx, sy);
    }
    this.prefixSums(n);
    this.straightRuns(n);
    let nv = this.bestPolygon(n);
    if (nv < 2) return;
    this.adjustVertices(n, nv);
    this.emit(nv);
  }

  prefixSums(n: i32): void {
    let x0 = <f64>this.X(0);
    let y0 = <f64>this.Y(0);
    let sx: f64 = 0;
    let sy: f64 = 0;
    let sxx: f64 = 0;
    let sxy: f64 = 0;
    let syy: f64 = 0;
    for (let i = 0; i <= 2 * n; i++) {
      let o = this.sums + <usize>(i * 5) * 8;
      store<f64>(o, sx);
      store<f64>(o + 8, sy);
      store<f64>(o + 16, sxx);
      store<f64>(o + 24, sxy);
      store<f64>(o + 32, syy);
      if (i == 2 * n) break;
      let j = i % n;
      let x = <f64>this.X(j) - x0;
      let y = <f64>this.Y(j) - y0;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      syy += y * y;
    }
  }

  // For each point i, how far the straight run starting there reaches (in steps).
  straightRuns(n: i32): void {
    for (let i = 0; i < n; i++) {
      let xi = this.X(i);
      let yi = this.Y(i);
      let dirs = dirBit(this.X((i + 1) % n) - xi, this.Y((i + 1) % n) - yi);
      // longest run per direction (bit index): a run may not turn back on itself over 2+ px both
      // ways, which is the end of a 1-2 px wide stroke (the paper's test flattens it to a hairline)
      // (the run arriving at i counts too: from the corner at the end of a 1 px stroke, the way
      // back up the other side is no straight continuation)
      let bk = load<i32>(this.back + (<usize>i << 2));
      let runs = setRun(0, bk >>> 24, bk & 0xffffff);
      runs = setRun(runs, dirs, dist(i, this.T(i), n));
      // cone of allowed directions for the line from point i: between c0 and c1 (zero = open)
      let c0x = 0;
      let c0y = 0;
      let c1x = 0;
      let c1y = 0;
      let k1 = i;
      let k = this.T(i);
      let walked = dist(i, k, n);
      let r = 0;
      let done = false;
      while (!done) {
        let dx = sgn(this.X(k) - this.X(k1));
        let dy = sgn(this.Y(k) - this.Y(k1));
        let bit = dirBit(dx, dy);
        dirs |= bit;
        if (dirs == 15) {
          r = dist(i, k1, n) + 1;
          break;
        }
        runs = setRun(runs, bit, dist(k1, k, n));
        if (foldsBack(runLen(runs, 1), runLen(runs, 2)) || foldsBack(runLen(runs, 4), runLen(runs, 8))) {
          r = dist(i, k1, n);
          break;
        }
        let cx = this.X(k) - xi;
        let cy = this.Y(k) - yi;
        let wrapped = walked >= n;
        if (wrapped || cross(c0x, c0y, cx, cy) < 0 || cross(c1x, c1y, cx, cy) > 0) {
          // the run leaves the cone between k1 and k: how many steps from k1 still fit
          let ax = this.X(k1) - xi;
          let ay = this.Y(k1) - yi;
          let t = dist(k1, k, n);
          let a = cross(c0x, c0y, ax, ay);
          let b = cross(c0x, c0y, dx, dy);
          if (b < 0) t = min(t, a / -b);
          let c = cross(c1x, c1y, ax, ay);
          let d = cross(c1x, c1y, dx, dy);
          if (d > 0) t = min(t, -c / d);
          r = min(dist(i, k1, n) + t, n - 1);
          done = true;
          break;
        }
        if (abs(cx) > 1 || abs(cy) > 1) {
          // the square of half-size 1 around the point, seen from i: its clockwise-most and
          // counter-clockwise-most corners bound the directions that pass through it
          let e0x = cx - 1;
          let e0y = cy - 1;
          let e1x = e0x;
          let e1y = e0y;
          for (let q = 1; q < 4; q++) {
            let qx = cx + (q & 1 ? 1 : -1);
            let qy = cy + (q & 2 ? 1 : -1);
            if (cross(e0x, e0y, qx, qy) < 0) {
              e0x = qx;
              e0y = qy;
            }
            if (cross(e1x, e1y, qx, qy) > 0) {
              e1x = qx;
              e1y = qy;
            }
          }
          if (cross(c0x, c0y, e0x, e0y) >= 0) {
            c0x = e0x;
            c0y = e0y;
          }
          if (cross(c1x, c1y, e1x, e1y) <= 0) {
            c1x = e1x;
            c1y = e1y;
          }
        }
        k1 = k;
        k = this.T(k1);
        walked += dist(k1, k, n);
      }
      store<i32>(this.reach + (<usize>i << 2), max(r, 1));
    }
    // a run from i may not reach past where the run from i + 1 ends
    for (let pass = 0; pass < 2; pass++) {
      for (let i = n - 1; i >= 0; i--) {
        let nx = (i + 1) % n;
        let r = min(this.R(i), this.R(nx) + 1);
        store<i32>(this.reach + (<usize>i << 2), r);
      }
    }
  }

  @inline T(i: i32): i32 {
    return load<i32>(this.turn + (<usize>i << 2));
  }
  @inline R(i: i32): i32 {
    return load<i32>(this.reach + (<usize>i << 2));
  }

  /** Edge i -> j (j > i, unrolled) is possible when the run from i - 1 reaches j + 1. */
  @inline maxEdge(i: i32, n: i32): i32 {
    return max(1, this.R((i - 1 + n) % n) - 2);
  }

  /** penalty of edge i -> j (unrolled indices, j - i < n): length x RMS distance of its points */
  penalty(i: i32, j: i32, n: i32): f64 {
    let x0 = <f64>this.X(0);
    let y0 = <f64>this.Y(0);
    let ax = <f64>this.X(i % n) - x0;
    let ay = <f64>this.Y(i % n) - y0;
    let ex = <f64>this.X(j % n) - x0 - ax;
    let ey = <f64>this.Y(j % n) - y0 - ay;
    let cnt = <f64>(j - i + 1);
    let sx = this.S(j + 1, 0) - this.S(i, 0);
    let sy = this.S(j + 1, 1) - this.S(i, 1);
    let sxx = this.S(j + 1, 2) - this.S(i, 2);
    let sxy = this.S(j + 1, 3) - this.S(i, 3);
    let syy = this.S(j + 1, 4) - this.S(i, 4);
    // sums of q = p - a
    let qxx = sxx - 2 * ax * sx + cnt * ax * ax;
    let qyy = syy - 2 * ay * sy + cnt * ay * ay;
    let qxy = sxy - ax * sy - ay * sx + cnt * ax * ay;
    let s = ey * ey * qxx - 2 * ex * ey * qxy + ex * ex * qyy; // sum of cross(q, e)^2
    return Math.sqrt(max(0, s) / cnt);
  }

  /** The optimal polygon; returns its vertex count (point indices in `verts`, in path order). */
  bestPolygon(n: i32): i32 {
    // the optimum passes through some point of the first edge of a greedy polygon from 0: try a few
    // of those starts, evenly spaced, and keep the best
    let first = min(this.maxEdge(0, n), n - 1);
    let tries = min(first, 3);
    let bestSegs = NO_REACH;
    let bestPen: f64 = Infinity;
    let nv = 0;
    for (let t = 0; t < tries; t++) {
      let s = (first * t) / tries;
      let segs = this.polygonFrom(s, n);
      if (segs < 0) continue;
      if (segs < bestSegs || (segs == bestSegs && this.pathPen < bestPen - 1e-9)) {
        bestSegs = segs;
        bestPen = this.pathPen;
        for (let k = 0; k < segs; k++) {
          store<i32>(this.verts + (<usize>k << 2), (s + load<i32>(this.path + (<usize>k << 2))) % n);
        }
        nv = segs;
      }
    }
    return nv;
  }

  /**
   * Shortest-then-cheapest polygon through point s; returns the edge count or -1 and leaves the
   * vertices (unrolled nodes) in `path`. Greedy walks forward (furthest reach) and backward (earliest
   * start that still reaches) bound where the k-th vertex of a shortest polygon can be, so the search
   * only looks inside those windows.
   */
  polygonFrom(s: i32, n: i32): i32 {
    let hi = this.hiW;
    let lo = this.loW;
    let edges = 0;
    store<i32>(hi, 0);
    while (load<i32>(hi + (<usize>edges << 2)) < n) {
      let u = load<i32>(hi + (<usize>edges << 2));
      edges++;
      if (edges > n) return -1;
      store<i32>(hi + (<usize>edges << 2), min(n, u + this.maxEdge((s + u) % n, n)));
    }
    store<i32>(lo + (<usize>edges << 2), n);
    for (let k = edges - 1; k >= 0; k--) {
      let target = load<i32>(lo + (<usize>(k + 1) << 2));
      let u = min(load<i32>(hi + (<usize>k << 2)), target - 1);
      while (u > 0 && u - 1 + this.maxEdge((s + u - 1) % n, n) >= target) u--;
      store<i32>(lo + (<usize>k << 2), u);
    }
    if (load<i32>(lo) != 0) return -1;
    store<i32>(hi + (<usize>edges << 2), n);
    // window k holds nodes lo[k]..hi[k] at dp offset base[k]
    let total = 0;
    for (let k = 0; k <= edges; k++) {
      store<i32>(this.base + (<usize>k << 2), total);
      total += load<i32>(hi + (<usize>k << 2)) - load<i32>(lo + (<usize>k << 2)) + 1;
    }
    this.ensureDp(total);
    for (let q = 0; q < total; q++) store<f64>(this.dpPen + (<usize>q << 3), Infinity);
    store<f64>(this.dpPen, 0);
    for (let k = 1; k <= edges; k++) {
      let a0 = load<i32>(lo + (<usize>(k - 1) << 2));
      let a1 = load<i32>(hi + (<usize>(k - 1) << 2));
      let ab = load<i32>(this.base + (<usize>(k - 1) << 2));
      let b0 = load<i32>(lo + (<usize>k << 2));
      let b1 = load<i32>(hi + (<usize>k << 2));
      let bb = load<i32>(this.base + (<usize>k << 2));
      for (let v = b0; v <= b1; v++) {
        let bp: f64 = Infinity;
        let bu = -1;
        for (let u = a0; u <= min(a1, v - 1); u++) {
          let pu = load<f64>(this.dpPen + (<usize>(ab + u - a0) << 3));
          if (pu == Infinity || u + this.maxEdge((s + u) % n, n) < v) continue;
          let p = pu + this.penalty(s + u, s + v, n);
          if (p < bp) {
            bp = p;
            bu = u;
          }
        }
        store<f64>(this.dpPen + (<usize>(bb + v - b0) << 3), bp);
        store<i32>(this.dpFrom + (<usize>(bb + v - b0) << 2), bu);
      }
    }
    let last = load<i32>(this.base + (<usize>edges << 2));
    this.pathPen = load<f64>(this.dpPen + (<usize>last << 3));
    if (this.pathPen == Infinity) return -1;
    // read back: node n at round `edges`, its predecessor at round edges - 1, ...
    let v = n;
    for (let k = edges; k > 0; k--) {
      store<i32>(this.path + (<usize>(k - 1) << 2), v);
      let b0 = load<i32>(lo + (<usize>k << 2));
      let bb = load<i32>(this.base + (<usize>k << 2));
      v = load<i32>(this.dpFrom + (<usize>(bb + v - b0) << 2));
    }
    return edges;
  }

  ensureDp(size: i32): void {
    if (size <= this.dpCap) return;
    let c = max(size, this.dpCap * 2 + 1024);
    if (this.dpPen != 0) {
      heap.free(this.dpPen);
      heap.free(this.dpFrom);
    }
    this.dpPen = heap.alloc(<usize>c * 8);
    this.dpFrom = heap.alloc(<usize>c * 4);
    this.dpCap = c;
  }

  // Vertex j moves to where the least-squares lines of its two runs meet, within half a pixel.
  adjustVertices(n: i32, nv: i32): void {
    let x0 = <f64>this.X(0);
    let y0 = <f64>this.Y(0);
    for (let j = 0; j < nv; j++) {
      let a = load<i32>(this.verts + (<usize>((j + nv - 1) % nv) << 2));
      let b = load<i32>(this.verts + (<usize>j << 2));
      let c = load<i32>(this.verts + (<usize>((j + 1) % nv) << 2));
      // quadratic form of the squared distance to both lines: Q(z) = z'Az - 2b'z + const
      let qa: f64 = 0;
      let qb: f64 = 0;
      let qc: f64 = 0;
      let qd: f64 = 0;
      let qe: f64 = 0;
      let qf: f64 = 0;
      for (let side = 0; side < 2; side++) {
        let i0 = side == 0 ? a : b;
        let i1 = side == 0 ? b : c;
        if (i1 <= i0) i1 += n;
        let cnt = <f64>(i1 - i0 + 1);
        let mx = (this.S(i1 + 1, 0) - this.S(i0, 0)) / cnt;
        let my = (this.S(i1 + 1, 1) - this.S(i0, 1)) / cnt;
        let vxx = (this.S(i1 + 1, 2) - this.S(i0, 2)) / cnt - mx * mx;
        let vxy = (this.S(i1 + 1, 3) - this.S(i0, 3)) / cnt - mx * my;
        let vyy = (this.S(i1 + 1, 4) - this.S(i0, 4)) / cnt - my * my;
        // direction: principal axis of the points
        let lambda = (vxx + vyy) / 2 + Math.sqrt(((vxx - vyy) * (vxx - vyy)) / 4 + vxy * vxy);
        let dx = vxy;
        let dy = lambda - vxx;
        if (Math.abs(dx) + Math.abs(dy) < 1e-12) {
          dx = lambda - vyy;
          dy = vxy;
        }
        if (Math.abs(dx) + Math.abs(dy) < 1e-12) {
          dx = <f64>(this.X(i1 % n) - this.X(i0 % n));
          dy = <f64>(this.Y(i1 % n) - this.Y(i0 % n));
        }
        let l = Math.sqrt(dx * dx + dy * dy);
        if (l < 1e-12) continue;
        // unit normal (nx, ny) and the line's offset: n . z = n . m
        let nx = -dy / l;
        let ny = dx / l;
        let off = nx * (mx + x0) + ny * (my + y0);
        qa += nx * nx;
        qb += nx * ny;
        qc += ny * ny;
        qd += nx * off;
        qe += ny * off;
        qf += off * off;
      }
      let cx = <f64>this.X(b);
      let cy = <f64>this.Y(b);
      let zx = cx;
      let zy = cy;
      let det = qa * qc - qb * qb;
      let inside = false;
      if (Math.abs(det) > 1e-9) {
        zx = (qd * qc - qb * qe) / det;
        zy = (qa * qe - qb * qd) / det;
        inside = Math.abs(zx - cx) <= 0.5 && Math.abs(zy - cy) <= 0.5;
      }
      if (!inside) {
        // the minimum on the square's border: each side (a 1-D quadratic), and the corners
        let bestQ: f64 = Infinity;
        for (let side = 0; side < 4; side++) {
          let fixX = side < 2;
          let fixed = side % 2 == 0 ? -0.5 : 0.5;
          let t: f64;
          if (fixX) {
            let x = cx + fixed;
            t = qc > 1e-12 ? (qe - qb * x) / qc : cy;
            t = Math.max(cy - 0.5, Math.min(cy + 0.5, t));
            let q = quad(qa, qb, qc, qd, qe, qf, x, t);
            if (q < bestQ) {
              bestQ = q;
              zx = x;
              zy = t;
            }
          } else {
            let y = cy + fixed;
            t = qa > 1e-12 ? (qd - qb * y) / qa : cx;
            t = Math.max(cx - 0.5, Math.min(cx + 0.5, t));
            let q = quad(qa, qb, qc, qd, qe, qf, t, y);
            if (q < bestQ) {
              bestQ = q;
              zx = t;
              zy = y;
            }
          }
        }
      }
      store<f64>(this.vx + (<usize>j << 3), zx);
      store<f64>(this.vy + (<usize>j << 3), zy);
    }
  }

  @inline VX(j: i32): f64 {
    return load<f64>(this.vx + (<usize>j << 3)) + this.ox;
  }
  @inline VY(j: i32): f64 {
    return load<f64>(this.vy + (<usize>j << 3)) + this.oy;
  }

  emit(nv: i32): void {
    let out = this.out;
    if (this.polygons) {
      out.move(this.VX(0), this.VY(0));
      for (let j = 1; j < nv; j++) out.line(this.VX(j), this.VY(j), j == nv - 1);
      out.close();
      return;
    }
    let l = nv - 1;
    out.move((this.VX(l) + this.VX(0)) / 2, (this.VY(l) + this.VY(0)) / 2);
    for (let j = 0; j < nv; j++) {
      let ax = this.VX((j + nv - 1) % nv);
      let ay = this.VY((j + nv - 1) % nv);
      let bx = this.VX(j);
      let by = this.VY(j);
      let cx = this.VX((j + 1) % nv);
      let cy = this.VY((j + 1) % nv);
      let m0x = (ax + bx) / 2;
      let m0y = (ay + by) / 2;
      let m1x = (bx + cx) / 2;
      let m1y = (by + cy) / 2;
      let last = j == nv - 1;
      // how far b sits from the chord a-c, in units of b's unit square measured across the chord
      let ex = cx - ax;
      let ey = cy - ay;
      let el = Math.sqrt(ex * ex + ey * ey);
      let alpha: f64 = 4.0 / 3.0;
      if (el > 1e-9) {
        let h = Math.abs((bx - ax) * ey - (by - ay) * ex) / el;
        let reach = (Math.abs(ex) + Math.abs(ey)) / el; // unit square extent across the chord
        let dd = h / reach;
        alpha = dd > 1 ? (1 - 1 / dd) / 0.75 : 0;
      }
      if (alpha > this.alphaMax) {
        out.line(bx, by, false);
        out.line(m1x, m1y, last);
        continue;
      }
      if (alpha < 0.55) alpha = 0.55;
      if (alpha > 1) alpha = 1;
      let f = 0.5 + 0.5 * alpha;
      out.cubic(m0x + (bx - m0x) * f, m0y + (by - m0y) * f, m1x + (bx - m1x) * f, m1y + (by - m1y) * f, m1x, m1y);
    }
    out.close();
  }
}

@inline function sgn(v: i32): i32 {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}
@inline function cross(ax: i32, ay: i32, bx: i32, by: i32): i32 {
  return ax * by - ay * bx;
}
/** longest run (capped at 255) per direction bit, packed 8 bits each */
@inline function setRun(runs: i32, bit: i32, len: i32): i32 {
  let sh = (31 - clz(bit)) * 8;
  let cur = (runs >> sh) & 255;
  let v = min(255, max(cur, len));
  return (runs & ~(255 << sh)) | (v << sh);
}
/** two opposite directions both run 2+ px */
@inline function foldsBack(a: i32, b: i32): bool {
  return min(a, b) >= 2;
}
@inline function runLen(runs: i32, bit: i32): i32 {
  return (runs >> ((31 - clz(bit)) * 8)) & 255;
}
@inline function dirBit(dx: i32, dy: i32): i32 {
  return dx > 0 ? 1 : dx < 0 ? 2 : dy > 0 ? 4 : 8;
}
/** steps from i forward to j on a cycle of n */
@inline function dist(i: i32, j: i32, n: i32): i32 {
  return j >= i ? j - i : j + n - i;
}
@inline function quad(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, x: f64, y: f64): f64 {
  return a * x * x + 2 * b * x * y + c * y * y - 2 * d * x - 2 * e * y + f;
}
