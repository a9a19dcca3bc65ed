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
  const out: Segment[] = [];
  let x = 0;
  let y = 0;
  let sx = 0;
  let sy = 0;
  // the previous cubic's / quadratic's control point, for s and t
  let cx = 0;
  let cy = 0;
  let qx = 0;
  let qy = 0;
  let prev = "";
  let i = 0;
  let cmd = "";
  const skip = () => {
    while (i < d.length && /[\s,]/.test(d[i]!)) i++;
  };
  const num = (): number => {
    skip();
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(d);
    if (!m) throw new PathDataError(`path data: number expected at ${i}`);
    i = NUMBER.lastIndex;
    return Number(m[0]);
  };
  const flag = (): number => {
    skip();
    const c = d[i];
    if (c !== "0" && c !== "1") throw new PathDataError(`path data: arc flag expected at ${i}`);
    i++;
    return c === "1" ? 1 : 0;
  };
  while (true) {
    skip();
    if (i >= d.length) break;
    const c = d[i]!;
    if (/[a-zA-Z]/.test(c)) {
      if (!(c.toLowerCase() in ARITY)) throw new PathDataError(`path data: unknown command ${c}`);
      cmd = c;
      i++;
      if (cmd === "z" || cmd === "Z") {
        out.push({ op: "Z" });
        x = sx;
        y = sy;
        prev = "z";
        continue;
      }
    } else if (!cmd || cmd === "z" || cmd === "Z") {
      throw new PathDataError(`path data: command expected at ${i}`);
    }
    const rel = cmd === cmd.toLowerCase();
    const lower = cmd.toLowerCase();
    const ox = rel ? x : 0;
    const oy = rel ? y : 0;
    switch (lower) {
      case "m": {
        x = ox + num();
        y = oy + num();
        sx = x;
        sy = y;
        out.push({ op: "M", x, y });
        // further pairs are lines
        cmd = rel ? "l" : "L";
        break;
      }
      case "l":
        x = ox + num();
        y = oy + num();
        out.push({ op: "L", x, y });
        break;
      case "h":
        x = ox + num();
        out.push({ op: "L", x, y });
        break;
      case "v":
        y = oy + num();
        out.push({ op: "L", x, y });
        break;
      case "c":
      case "s": {
        // s: the first control point mirrors the previous cubic's second (or is the pen)
        const smooth = lower === "s";
        const after = prev === "c" || prev === "s";
        const x1 = smooth ? (after ? 2 * x - cx : x) : ox + num();
        const y1 = smooth ? (after ? 2 * y - cy : y) : oy + num();
        const x2 = ox + num();
        const y2 = oy + num();
        x = ox + num();
        y = oy + num();
        out.push({ op: "C", x1, y1, x2, y2, x, y });
        cx = x2;
        cy = y2;
        break;
      }
      case "q":
      case "t": {
        const smooth = lower === "t";
        const px = smooth ? (prev === "q" || prev === "t" ? 2 * x - qx : x) : ox + num();
        const py = smooth ? (prev === "q" || prev === "t" ? 2 * y - qy : y) : oy + num();
        const ex = ox + num();
        const ey = oy + num();
        out.push({
          op: "C",
          x1: x + (2 / 3) * (px - x),
          y1: y + (2 / 3) * (py - y),
          x2: ex + (2 / 3) * (px - ex),
          y2: ey + (2 / 3) * (py - ey),
          x: ex,
          y: ey,
        });
        qx = px;
        qy = py;
        x = ex;
        y = ey;
        break;
      }
      case "a": {
        const rx = num();
        const ry = num();
        const rot = num();
        const large = flag();
        const sweep = flag();
        const ex = ox + num();
        const ey = oy + num();
        for (const seg of arcToCubics(x, y, rx, ry, rot, large, sweep, ex, ey)) out.push(seg);
        x = ex;
        y = ey;
        break;
      }
    }
    prev = lower;
  }
  return out;
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

/**
 * The segments as polylines (one per sub-path), cubics cut into chords no longer than `step` px
 * (at least 4 per cubic); `closed` when the sub-path ends with Z.
 */
export function flatten(segments: Segment[], step = 1): { points: number[]; closed: boolean }[] {
  const out: { points: number[]; closed: boolean }[] = [];
  let cur: { points: number[]; closed: boolean } | null = null;
  let x = 0;
  let y = 0;
  for (const s of segments) {
    // after Z, drawing goes on from the sub-path's start in a new sub-path
    if (s.op !== "M" && s.op !== "Z" && cur?.closed) {
      cur = { points: [x, y], closed: false };
      out.push(cur);
    }
    if (s.op === "M") {
      cur = { points: [s.x, s.y], closed: false };
      out.push(cur);
      x = s.x;
      y = s.y;
    } else if (s.op === "L") {
      if (!cur) throw new PathDataError("path data: segment before a move");
      cur.points.push(s.x, s.y);
      x = s.x;
      y = s.y;
    } else if (s.op === "C") {
      if (!cur) throw new PathDataError("path data: segment before a move");
      const hull =
        Math.hypot(s.x1 - x, s.y1 - y) +
        Math.hypot(s.x2 - s.x1, s.y2 - s.y1) +
        Math.hypot(s.x - s.x2, s.y - s.y2);
      const n = Math.max(4, Math.ceil(hull / step));
      for (let k = 1; k <= n; k++) {
        const t = k / n;
        const u = 1 - t;
        cur.points.push(
          u * u * u * x + 3 * u * u * t * s.x1 + 3 * u * t * t * s.x2 + t * t * t * s.x,
          u * u * u * y + 3 * u * u * t * s.y1 + 3 * u * t * t * s.y2 + t * t * t * s.y,
        );
      }
      x = s.x;
      y = s.y;
    } else if (cur) {
      cur.closed = true;
      x = cur.points[0]!;
      y = cur.points[1]!;
    }
  }
  return out;
}

/**
 * The segments as polylines like `flatten`, but each cubic cut only as finely as needed: halved until
 * its control points lie within `tolerance` px of its chord (then the curve does too). A nearly
 * straight curve stays one chord, a tight one gets many: the fewest points for a given precision.
 */
export function flattenAdaptive(
  segments: Segment[],
  tolerance: number,
): { points: number[]; closed: boolean }[] {
  const out: { points: number[]; closed: boolean }[] = [];
  let cur: { points: number[]; closed: boolean } | null = null;
  let x = 0;
  let y = 0;
  const tol2 = tolerance * tolerance;
  for (const s of segments) {
    if (s.op !== "M" && s.op !== "Z" && (!cur || cur.closed)) {
      cur = { points: [x, y], closed: false };
      out.push(cur);
    }
    if (s.op === "M") {
      cur = { points: [s.x, s.y], closed: false };
      out.push(cur);
    } else if (s.op === "L") cur!.points.push(s.x, s.y);
    else if (s.op === "C") {
      // explicit stack of [x0 y0 x1 y1 x2 y2 x3 y3 depth], the first half on top
      const stack: number[][] = [[x, y, s.x1, s.y1, s.x2, s.y2, s.x, s.y, 0]];
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
          cur!.points.push(x3, y3);
          continue;
        }
        // de Casteljau at t = 1/2
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
    } else if (cur) {
      cur.closed = true;
    }
    if (s.op === "Z") {
      x = cur ? cur.points[0]! : x;
      y = cur ? cur.points[1]! : y;
    } else {
      x = s.x;
      y = s.y;
    }
  }
  return out;
}

/** squared distance from (px, py) to the segment (x0, y0)-(x1, y1) */
function chordDistance2(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / l2)) : 0;
  return (px - x0 - t * dx) ** 2 + (py - y0 - t * dy) ** 2;
}
