/**
 * SVG path data ↔ absolute segments. The tracer writes relative `m l h v c s z` with minimal
 * separators; every other writer (PDF, EPS, DXF) and the quality checks want absolute moves, lines
 * and cubics. Arcs and quadratics are read too, so any SVG path a caller might hand over parses.
 */

export type Segment =
  | { op: "M"; x: number; y: number }
  | { op: "L"; x: number; y: number }
  | { op: "C"; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { op: "Z" };

const ARITY: Record<string, number> = { m: 2, l: 2, h: 1, v: 1, c: 6, s: 4, q: 4, t: 2, a: 7, z: 0 };
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;

export class PathDataError extends Error {}

/** Parses path data into absolute M/L/C/Z segments (quadratics and arcs become cubics). */
export function parsePathData(d: string): Segment[] {
  return new PathReader(d).read();
}

/** Reads path data left to right: the position in the text, the pen, and what s and t mirror. */
class PathReader {
  private readonly out: Segment[] = [];
  private i = 0;
  private cmd = "";
  private prev = "";
  private x = 0;
  private y = 0;
  // the current subpath's start, where z returns
  private sx = 0;
  private sy = 0;
  // the previous cubic's / quadratic's control point, for s and t
  private cx = 0;
  private cy = 0;
  private qx = 0;
  private qy = 0;

  constructor(private readonly d: string) {}

  read(): Segment[] {
    for (this.skip(); this.i < this.d.length; this.skip()) this.command();
    return this.out;
  }

  private skip(): void {
    while (this.i < this.d.length && /[\s,]/.test(this.d[this.i]!)) this.i++;
  }

  private num(): number {
    this.skip();
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.d);
    if (!m) throw new PathDataError(`path data: number expected at ${this.i}`);
    this.i = NUMBER.lastIndex;
    return Number(m[0]);
  }

  private flag(): number {
    this.skip();
    const c = this.d[this.i];
    if (c !== "0" && c !== "1") throw new PathDataError(`path data: arc flag expected at ${this.i}`);
    this.i++;
    return c === "1" ? 1 : 0;
  }

  /** One command letter and its numbers, or one more set of numbers for the current command. */
  private command(): void {
    const c = this.d[this.i]!;
    if (/[a-zA-Z]/.test(c)) {
      if (!(c.toLowerCase() in ARITY)) throw new PathDataError(`path data: unknown command ${c}`);
      this.cmd = c;
      this.i++;
      if (c === "z" || c === "Z") {
        this.close();
        return;
      }
    } else if (!this.cmd || this.cmd === "z" || this.cmd === "Z") {
      throw new PathDataError(`path data: command expected at ${this.i}`);
    }
    const lower = this.cmd.toLowerCase();
    const rel = this.cmd === lower;
    this.segment(lower, rel ? this.x : 0, rel ? this.y : 0);
    this.prev = lower;
  }

  /** A segment of command `lower`, its coordinates relative to (ox, oy). */
  private segment(lower: string, ox: number, oy: number): void {
    switch (lower) {
      case "m":
        this.move(ox + this.num(), oy + this.num());
        break;
      case "l":
        this.lineTo(ox + this.num(), oy + this.num());
        break;
      case "h":
        this.lineTo(ox + this.num(), this.y);
        break;
      case "v":
        this.lineTo(this.x, oy + this.num());
        break;
      case "c":
      case "s":
        this.cubic(lower === "s", ox, oy);
        break;
      case "q":
      case "t":
        this.quadratic(lower === "t", ox, oy);
        break;
      case "a":
        this.arc(ox, oy);
        break;
    }
  }

  private close(): void {
    this.out.push({ op: "Z" });
    this.x = this.sx;
    this.y = this.sy;
    this.prev = "z";
  }

  private move(x: number, y: number): void {
    this.x = this.sx = x;
    this.y = this.sy = y;
    this.out.push({ op: "M", x, y });
    // further pairs are lines
    this.cmd = this.cmd === "m" ? "l" : "L";
  }

  private lineTo(x: number, y: number): void {
    this.x = x;
    this.y = y;
    this.out.push({ op: "L", x, y });
  }

  private cubic(smooth: boolean, ox: number, oy: number): void {
    // s: the first control point mirrors the previous cubic's second (or is the pen)
    const after = this.prev === "c" || this.prev === "s";
    const x1 = smooth ? (after ? 2 * this.x - this.cx : this.x) : ox + this.num();
    const y1 = smooth ? (after ? 2 * this.y - this.cy : this.y) : oy + this.num();
    const x2 = ox + this.num();
    const y2 = oy + this.num();
    const x = ox + this.num();
    const y = oy + this.num();
    this.out.push({ op: "C", x1, y1, x2, y2, x, y });
    this.cx = x2;
    this.cy = y2;
    this.x = x;
    this.y = y;
  }

  private quadratic(smooth: boolean, ox: number, oy: number): void {
    const { x, y } = this;
    const after = this.prev === "q" || this.prev === "t";
    const px = smooth ? (after ? 2 * x - this.qx : x) : ox + this.num();
    const py = smooth ? (after ? 2 * y - this.qy : y) : oy + this.num();
    const ex = ox + this.num();
    const ey = oy + this.num();
    this.out.push({
      op: "C",
      x1: x + (2 / 3) * (px - x),
      y1: y + (2 / 3) * (py - y),
      x2: ex + (2 / 3) * (px - ex),
      y2: ey + (2 / 3) * (py - ey),
      x: ex,
      y: ey,
    });
    this.qx = px;
    this.qy = py;
    this.x = ex;
    this.y = ey;
  }

  private arc(ox: number, oy: number): void {
    const rx = this.num();
    const ry = this.num();
    const rot = this.num();
    const large = this.flag();
    const sweep = this.flag();
    const ex = ox + this.num();
    const ey = oy + this.num();
    for (const seg of arcToCubics(this.x, this.y, rx, ry, rot, large, sweep, ex, ey)) this.out.push(seg);
    this.x = ex;
    this.y = ey;
  }
}

/** SVG's endpoint arc as cubics (at most 90° each), after the SVG implementation notes (F.6). */
function arcToCubics(
  x1: number,
  y1: number,
  rxIn: number,
  ryIn: number,
  rotDeg: number,
  large: number,
  sweep: number,
  x2: number,
  y2: number,
): Segment[] {
  let rx = Math.abs(rxIn);
  let ry = Math.abs(ryIn);
  if (rx === 0 || ry === 0 || (x1 === x2 && y1 === y2)) return [{ op: "L", x: x2, y: y2 }];
  const phi = (rotDeg * Math.PI) / 180;
  const cos = Math.cos(phi);
  const sin = Math.sin(phi);
  const dx = (x1 - x2) / 2;
  const dy = (y1 - y2) / 2;
  const x1p = cos * dx + sin * dy;
  const y1p = -sin * dx + cos * dy;
  const lambda = (x1p * x1p) / (rx * rx) + (y1p * y1p) / (ry * ry);
  if (lambda > 1) {
    rx *= Math.sqrt(lambda);
    ry *= Math.sqrt(lambda);
  }
  const num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p;
  const den = rx * rx * y1p * y1p + ry * ry * x1p * x1p;
  const coef = (large === sweep ? -1 : 1) * Math.sqrt(Math.max(0, num / den));
  const cxp = (coef * rx * y1p) / ry;
  const cyp = (-coef * ry * x1p) / rx;
  const cx = cos * cxp - sin * cyp + (x1 + x2) / 2;
  const cy = sin * cxp + cos * cyp + (y1 + y2) / 2;
  const angle = (ux: number, uy: number, vx: number, vy: number) =>
    Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy);
  const t1 = angle(1, 0, (x1p - cxp) / rx, (y1p - cyp) / ry);
  let dt = angle((x1p - cxp) / rx, (y1p - cyp) / ry, (-x1p - cxp) / rx, (-y1p - cyp) / ry);
  if (!sweep && dt > 0) dt -= 2 * Math.PI;
  if (sweep && dt < 0) dt += 2 * Math.PI;
  const n = Math.ceil(Math.abs(dt) / (Math.PI / 2) - 1e-9);
  const step = dt / n;
  const k = (4 / 3) * Math.tan(step / 4);
  const point = (t: number) => ({
    x: cx + rx * Math.cos(t) * cos - ry * Math.sin(t) * sin,
    y: cy + rx * Math.cos(t) * sin + ry * Math.sin(t) * cos,
  });
  const deriv = (t: number) => ({
    x: -rx * Math.sin(t) * cos - ry * Math.cos(t) * sin,
    y: -rx * Math.sin(t) * sin + ry * Math.cos(t) * cos,
  });
  const segs: Segment[] = [];
  for (let j = 0; j < n; j++) {
    const a = t1 + j * step;
    const b = a + step;
    const p0 = point(a);
    const p3 = j === n - 1 ? { x: x2, y: y2 } : point(b);
    const d0 = deriv(a);
    const d3 = deriv(b);
    segs.push({
      op: "C",
      x1: p0.x + k * d0.x,
      y1: p0.y + k * d0.y,
      x2: p3.x - k * d3.x,
      y2: p3.y - k * d3.y,
      x: p3.x,
      y: p3.y,
    });
  }
  return segs;
}

export type Polyline = { points: number[]; closed: boolean };
type Cubic = Extract<Segment, { op: "C" }>;

/** Sub-paths as they are drawn: the current point, and where the next line or cubic goes. */
class Polylines {
  readonly out: Polyline[] = [];
  x = 0;
  y = 0;
  private cur: Polyline | null = null;
  constructor(private readonly orphans: "throw" | "origin") {}

  move(x: number, y: number) {
    this.cur = { points: [x, y], closed: false };
    this.out.push(this.cur);
    this.x = x;
    this.y = y;
  }

  /** Z: the sub-path is closed, and the current point goes back to its start. */
  close() {
    if (!this.cur) return;
    this.cur.closed = true;
    this.x = this.cur.points[0]!;
    this.y = this.cur.points[1]!;
  }

  /** The points a line or cubic adds to; after Z, drawing goes on from the sub-path's start in a new sub-path. */
  drawing(): number[] {
    if (!this.cur && this.orphans === "throw") throw new PathDataError("path data: segment before a move");
    if (!this.cur || this.cur.closed) this.move(this.x, this.y);
    return this.cur!.points;
  }
}

/**
 * The segments as polylines, one per sub-path (`closed` when it ends with Z); `cubic` appends a cubic
 * from (x, y) as points. A line or cubic before any move throws when `orphans` is "throw", else starts
 * a sub-path at the origin.
 */
function polylines(
  segments: Segment[],
  cubic: (points: number[], x: number, y: number, c: Cubic) => void,
  orphans: "throw" | "origin",
): Polyline[] {
  const pen = new Polylines(orphans);
  for (const s of segments) {
    if (s.op === "Z") pen.close();
    else if (s.op === "M") pen.move(s.x, s.y);
    else {
      const points = pen.drawing();
      if (s.op === "L") points.push(s.x, s.y);
      else cubic(points, pen.x, pen.y, s);
      pen.x = s.x;
      pen.y = s.y;
    }
  }
  return pen.out;
}

/**
 * The segments as polylines (one per sub-path), cubics cut into chords no longer than `step` px
 * (at least 4 per cubic); `closed` when the sub-path ends with Z.
 */
export function flatten(segments: Segment[], step = 1): Polyline[] {
  return polylines(
    segments,
    (points, x, y, c) => {
      const hull =
        Math.hypot(c.x1 - x, c.y1 - y) +
        Math.hypot(c.x2 - c.x1, c.y2 - c.y1) +
        Math.hypot(c.x - c.x2, c.y - c.y2);
      const n = Math.max(4, Math.ceil(hull / step));
      for (let k = 1; k <= n; k++) {
        const t = k / n;
        const u = 1 - t;
        points.push(
          u * u * u * x + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x,
          u * u * u * y + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y,
        );
      }
    },
    "throw",
  );
}

/**
 * The segments as polylines like `flatten`, but each cubic cut only as finely as needed: halved until
 * its control points lie within `tolerance` px of its chord (then the curve does too). A nearly
 * straight curve stays one chord, a tight one gets many: the fewest points for a given precision.
 */
export function flattenAdaptive(segments: Segment[], tolerance: number): Polyline[] {
  const tol2 = tolerance * tolerance;
  return polylines(
    segments,
    (points, x, y, c) => subdivide(points, [x, y, c.x1, c.y1, c.x2, c.y2, c.x, c.y], tol2),
    "origin",
  );
}

/**
 * Appends a cubic's end points, halving it (de Casteljau at t = 1/2) until both control points lie
 * within √tol2 of the chord, 16 halvings at most. An explicit stack of [x0 y0 x1 y1 x2 y2 x3 y3 depth],
 * the first half on top, so the points come out in order.
 */
function subdivide(
  points: number[],
  cubic: [number, number, number, number, number, number, number, number],
  tol2: number,
) {
  const stack: number[][] = [[...cubic, 0]];
  while (stack.length) {
    const [x0, y0, x1, y1, x2, y2, x3, y3, depth] = stack.pop()! as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (
      depth >= 16 ||
      (chordDistance2(x1, y1, x0, y0, x3, y3) <= tol2 && chordDistance2(x2, y2, x0, y0, x3, y3) <= tol2)
    ) {
      points.push(x3, y3);
      continue;
    }
    const ax = (x0 + x1) / 2;
    const ay = (y0 + y1) / 2;
    const bx = (x1 + x2) / 2;
    const by = (y1 + y2) / 2;
    const cx = (x2 + x3) / 2;
    const cy = (y2 + y3) / 2;
    const dx = (ax + bx) / 2;
    const dy = (ay + by) / 2;
    const ex = (bx + cx) / 2;
    const ey = (by + cy) / 2;
    const mx = (dx + ex) / 2;
    const my = (dy + ey) / 2;
    stack.push([mx, my, ex, ey, cx, cy, x3, y3, depth + 1]);
    stack.push([x0, y0, ax, ay, dx, dy, mx, my, depth + 1]);
  }
}

/** squared distance from (px, py) to the segment (x0, y0)-(x1, y1) */
function chordDistance2(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / l2)) : 0;
  return (px - x0 - t * dx) ** 2 + (py - y0 - t * dy) ** 2;
}
