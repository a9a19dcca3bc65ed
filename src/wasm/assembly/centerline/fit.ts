// Centerline stage 6, fit: a stroke's middle points become one open path of cubic Béziers and lines
// (closed when the stroke is a loop). Corners (a turn sharper than `cornerThreshold` measured three
// points away, at its local maximum) split the stroke; between corners, Schneider's least-squares
// cubics with Newton reparameterisation, split at the worst point until every point is within the
// tolerance; a run whose points all lie within it of the chord is a line. Explicit stack, no recursion.
import { SvgWriter } from "../svg";

/** corners are looked for this many points either side */
const SPAN: i32 = 3;

export class CurveFitter {
  tol: f64;
  cornerCos: f64;
  out: SvgWriter;
  xs: Array<f64> = new Array<f64>();
  ys: Array<f64> = new Array<f64>();
  u: Array<f64> = new Array<f64>();
  // the last generated Bézier
  c1x: f64 = 0;
  c1y: f64 = 0;
  c2x: f64 = 0;
  c2y: f64 = 0;
  err: f64 = 0;
  worst: i32 = 0;

  constructor(tol: f64, cornerCos: f64, out: SvgWriter) {
    this.tol = tol;
    this.cornerCos = cornerCos;
    this.out = out;
  }

  /** fits and writes one stroke; a single point (a dot) becomes a line the length of one grid step */
  fit(px: Array<f64>, py: Array<f64>, closed: bool): void {
    let xs = new Array<f64>();
    let ys = new Array<f64>();
    for (let i = 0; i < px.length; i++) {
      let n = xs.length;
      if (n > 0 && Math.abs(px[i] - xs[n - 1]) < 0.01 && Math.abs(py[i] - ys[n - 1]) < 0.01) continue;
      xs.push(px[i]);
      ys.push(py[i]);
    }
    let out = this.out;
    if (xs.length == 0) return;
    if (xs.length == 1) {
      out.move(xs[0], ys[0]);
      out.line(xs[0] + 1 / (out.pscale * out.scaleX), ys[0], false);
      return;
    }
    if (closed && xs.length >= 4) {
      // start at the sharpest turn, so a loop's seam is a corner if it has one
      let start = 0;
      let worst: f64 = 2;
      for (let i = 0; i < xs.length; i++) {
        let c = turnCos(xs, ys, i, true);
        if (c < worst) {
          worst = c;
          start = i;
        }
      }
      let rx = new Array<f64>();
      let ry = new Array<f64>();
      for (let k = 0; k <= xs.length; k++) {
        rx.push(xs[(start + k) % xs.length]);
        ry.push(ys[(start + k) % xs.length]);
      }
      xs = rx;
      ys = ry;
    } else closed = false;
    this.xs = xs;
    this.ys = ys;
    let n = xs.length;
    // corners: local maxima of the turn sharper than the threshold
    let cuts = new Array<i32>();
    cuts.push(0);
    for (let i = SPAN; i < n - SPAN; i++) {
      let c = turnCos(xs, ys, i, false);
      if (c >= this.cornerCos) continue;
      let isMax = true;
      for (let j = i - SPAN; j <= i + SPAN && isMax; j++) {
        if (j == i || j < 0 || j >= n) continue;
        let cj = turnCos(xs, ys, j, false);
        if (cj < c || (cj == c && j < i)) isMax = false;
      }
      if (isMax && i - cuts[cuts.length - 1] >= 2) cuts.push(i);
    }
    if (n - 1 - cuts[cuts.length - 1] < 2 && cuts.length > 1) cuts.pop();
    cuts.push(n - 1);
    out.move(xs[0], ys[0]);
    for (let c = 0; c + 1 < cuts.length; c++) this.fitRun(cuts[c], cuts[c + 1], closed && c + 2 == cuts.length);
    if (closed) out.close();
  }

  fitRun(s0: i32, e0: i32, lastOfLoop: bool): void {
    let xs = this.xs;
    let ys = this.ys;
    let t = tangentAt(xs, ys, s0, min(e0, s0 + SPAN));
    let t1x = t[0];
    let t1y = t[1];
    t = tangentAt(xs, ys, e0, max(s0, e0 - SPAN));
    // explicit stack of runs: first, last, and their tangents
    let stS = new Array<i32>();
    let stE = new Array<i32>();
    let stT = new Array<f64>();
    stS.push(s0);
    stE.push(e0);
    stT.push(t1x);
    stT.push(t1y);
    stT.push(t[0]);
    stT.push(t[1]);
    while (stS.length > 0) {
      let s = stS.pop();
      let e = stE.pop();
      let b2y = stT.pop();
      let b2x = stT.pop();
      let a1y = stT.pop();
      let a1x = stT.pop();
      let isLast = lastOfLoop && e == e0;
      if (e - s <= 1 || this.chordFits(s, e)) {
        this.out.line(xs[e], ys[e], isLast);
        continue;
      }
      this.parameterize(s, e);
      this.bezier(s, e, a1x, a1y, b2x, b2y);
      for (let it = 0; it < 4 && this.err > this.tol && this.err < 4 * this.tol; it++) {
        this.reparameterize(s, e);
        this.bezier(s, e, a1x, a1y, b2x, b2y);
      }
      if (this.err <= this.tol) {
        this.out.cubic(this.c1x, this.c1y, this.c2x, this.c2y, xs[e], ys[e]);
        continue;
      }
      let m = this.worst;
      if (m <= s) m = s + 1;
      if (m >= e) m = e - 1;
      // the tangent through the split point, from its neighbours
      let tx = xs[m - 1] - xs[m + 1];
      let ty = ys[m - 1] - ys[m + 1];
      let l = Math.sqrt(tx * tx + ty * ty);
      if (l > 0) {
        tx /= l;
        ty /= l;
      }
      // right half first onto the stack: the left half is written first
      stS.push(m);
      stE.push(e);
      stT.push(-tx);
      stT.push(-ty);
      stT.push(b2x);
      stT.push(b2y);
      stS.push(s);
      stE.push(m);
      stT.push(a1x);
      stT.push(a1y);
      stT.push(tx);
      stT.push(ty);
    }
  }

  /** every point of s..e within the tolerance of the chord */
  chordFits(s: i32, e: i32): bool {
    let xs = this.xs;
    let ys = this.ys;
    let dx = xs[e] - xs[s];
    let dy = ys[e] - ys[s];
    let l2 = dx * dx + dy * dy;
    for (let i = s + 1; i < e; i++) {
      let px = xs[i] - xs[s];
      let py = ys[i] - ys[s];
      let t = l2 > 0 ? (px * dx + py * dy) / l2 : 0;
      if (t < 0) t = 0;
      if (t > 1) t = 1;
      let ex = px - t * dx;
      let ey = py - t * dy;
      if (ex * ex + ey * ey > this.tol * this.tol) return false;
    }
    return true;
  }

  parameterize(s: i32, e: i32): void {
    let xs = this.xs;
    let ys = this.ys;
    let u = this.u;
    u.length = 0;
    for (let i = s; i <= e; i++) u.push(0);
    let acc: f64 = 0;
    for (let i = s + 1; i <= e; i++) {
      let dx = xs[i] - xs[i - 1];
      let dy = ys[i] - ys[i - 1];
      acc += Math.sqrt(dx * dx + dy * dy);
      u[i - s] = acc;
    }
    if (acc > 0) for (let i = 0; i < u.length; i++) u[i] = u[i] / acc;
  }

  /** least-squares control points for the tangents (t1 at s, t2 at e pointing back), then the error */
  bezier(s: i32, e: i32, t1x: f64, t1y: f64, t2x: f64, t2y: f64): void {
    let xs = this.xs;
    let ys = this.ys;
    let u = this.u;
    let p0x = xs[s];
    let p0y = ys[s];
    let p3x = xs[e];
    let p3y = ys[e];
    let c00: f64 = 0;
    let c01: f64 = 0;
    let c11: f64 = 0;
    let x0: f64 = 0;
    let x1: f64 = 0;
    for (let i = s; i <= e; i++) {
      let t = u[i - s];
      let mt = 1 - t;
      let b0 = mt * mt * mt;
      let b1 = 3 * t * mt * mt;
      let b2 = 3 * t * t * mt;
      let b3 = t * t * t;
      let a0x = t1x * b1;
      let a0y = t1y * b1;
      let a1x = t2x * b2;
      let a1y = t2y * b2;
      c00 += a0x * a0x + a0y * a0y;
      c01 += a0x * a1x + a0y * a1y;
      c11 += a1x * a1x + a1y * a1y;
      let rx = xs[i] - (p0x * (b0 + b1) + p3x * (b2 + b3));
      let ry = ys[i] - (p0y * (b0 + b1) + p3y * (b2 + b3));
      x0 += a0x * rx + a0y * ry;
      x1 += a1x * rx + a1y * ry;
    }
    let det = c00 * c11 - c01 * c01;
    let seg = Math.sqrt((p3x - p0x) * (p3x - p0x) + (p3y - p0y) * (p3y - p0y));
    let al: f64 = 0;
    let ar: f64 = 0;
    if (Math.abs(det) > 1e-12) {
      al = (x0 * c11 - x1 * c01) / det;
      ar = (c00 * x1 - c01 * x0) / det;
    }
    if (al < 1e-6 * seg || ar < 1e-6 * seg || al > 2 * seg + 2 || ar > 2 * seg + 2) {
      al = seg / 3;
      ar = seg / 3;
    }
    this.c1x = p0x + t1x * al;
    this.c1y = p0y + t1y * al;
    this.c2x = p3x + t2x * ar;
    this.c2y = p3y + t2y * ar;
    // worst point
    this.err = 0;
    this.worst = (s + e) >> 1;
    for (let i = s + 1; i < e; i++) {
      let t = u[i - s];
      let dx = bez(p0x, this.c1x, this.c2x, p3x, t) - xs[i];
      let dy = bez(p0y, this.c1y, this.c2y, p3y, t) - ys[i];
      let d = Math.sqrt(dx * dx + dy * dy);
      if (d > this.err) {
        this.err = d;
        this.worst = i;
      }
    }
  }

  /** one Newton step per point towards its nearest parameter on the current Bézier */
  reparameterize(s: i32, e: i32): void {
    let xs = this.xs;
    let ys = this.ys;
    let u = this.u;
    let p0x = xs[s];
    let p0y = ys[s];
    let p3x = xs[e];
    let p3y = ys[e];
    for (let i = s + 1; i < e; i++) {
      let t = u[i - s];
      let qx = bez(p0x, this.c1x, this.c2x, p3x, t) - xs[i];
      let qy = bez(p0y, this.c1y, this.c2y, p3y, t) - ys[i];
      let d1x = bezD1(p0x, this.c1x, this.c2x, p3x, t);
      let d1y = bezD1(p0y, this.c1y, this.c2y, p3y, t);
      let d2x = bezD2(p0x, this.c1x, this.c2x, p3x, t);
      let d2y = bezD2(p0y, this.c1y, this.c2y, p3y, t);
      let num = qx * d1x + qy * d1y;
      let den = d1x * d1x + d1y * d1y + qx * d2x + qy * d2y;
      if (Math.abs(den) < 1e-12) continue;
      let nt = t - num / den;
      if (nt < 0) nt = 0;
      if (nt > 1) nt = 1;
      u[i - s] = nt;
    }
  }
}

@inline function bez(a: f64, b: f64, c: f64, d: f64, t: f64): f64 {
  let mt = 1 - t;
  return mt * mt * mt * a + 3 * mt * mt * t * b + 3 * mt * t * t * c + t * t * t * d;
}
@inline function bezD1(a: f64, b: f64, c: f64, d: f64, t: f64): f64 {
  let mt = 1 - t;
  return 3 * mt * mt * (b - a) + 6 * mt * t * (c - b) + 3 * t * t * (d - c);
}
@inline function bezD2(a: f64, b: f64, c: f64, d: f64, t: f64): f64 {
  return 6 * (1 - t) * (c - 2 * b + a) + 6 * t * (d - 2 * c + b);
}

/** cosine of the turn at point i (between the chords SPAN points back and ahead) */
function turnCos(xs: Array<f64>, ys: Array<f64>, i: i32, wrap: bool): f64 {
  let n = xs.length;
  let a = i - SPAN;
  let b = i + SPAN;
  if (wrap) {
    a = (a + n) % n;
    b = b % n;
  } else if (a < 0 || b >= n) return 1;
  let ax = xs[i] - xs[a];
  let ay = ys[i] - ys[a];
  let bx = xs[b] - xs[i];
  let by = ys[b] - ys[i];
  let la = Math.sqrt(ax * ax + ay * ay);
  let lb = Math.sqrt(bx * bx + by * by);
  if (la == 0 || lb == 0) return 1;
  return (ax * bx + ay * by) / (la * lb);
}

/** unit tangent at point i towards point j (zero when they coincide) */
function tangentAt(xs: Array<f64>, ys: Array<f64>, i: i32, j: i32): StaticArray<f64> {
  let r = new StaticArray<f64>(2);
  let dx = xs[j] - xs[i];
  let dy = ys[j] - ys[i];
  let l = Math.sqrt(dx * dx + dy * dy);
  if (l > 0) {
    r[0] = dx / l;
    r[1] = dy / l;
  }
  return r;
}
