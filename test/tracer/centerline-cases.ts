// Generated line art with known centerlines (straight, curved, crossing, T-junctions; 1-8 px), and how
// far a centerline trace is from them. Shared by the centerline tests and `npm run bench:centerline`
// (no workerd imports here).
import { flatten, parsePathData } from "../../src/vectorize/vector/path-data";
import type { RgbaImage } from "../../src/wasm/shared";
import { image, type Px } from "./pixels";

export interface StrokeCase {
  name: string;
  kind: "straight" | "curved" | "crossing" | "t-junction";
  size: number;
  /** line width in px */
  width: number;
  /** the true centerlines, one polyline [x0, y0, x1, y1, …] per stroke */
  strokes: number[][];
}

const BLACK: Px = [0, 0, 0, 255];
const WHITE: Px = [255, 255, 255, 255];

/** distance from (px, py) to a polyline */
export function polylineDistance(px: number, py: number, pts: number[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 3 < pts.length; i += 2) {
    const x0 = pts[i]!;
    const y0 = pts[i + 1]!;
    const dx = pts[i + 2]! - x0;
    const dy = pts[i + 3]! - y0;
    const l2 = dx * dx + dy * dy;
    const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / l2)) : 0;
    best = Math.min(best, Math.hypot(px - x0 - t * dx, py - y0 - t * dy));
  }
  return best;
}

/**
 * The case drawn in black on white, anti-aliased (coverage on a 4x4 grid, as `drawn`), round ends.
 * Only pixels near a line are sampled: the distance at the pixel's centre decides the rest.
 */
export function renderCase(c: StrokeCase): RgbaImage {
  const near = (x: number, y: number) => Math.min(...c.strokes.map((s) => polylineDistance(x, y, s)));
  const half = c.width / 2;
  return image(c.size, c.size, (x, y) => {
    const d = near(x + 0.5, y + 0.5);
    if (d > half + 0.75) return WHITE;
    if (d < half - 0.75) return BLACK;
    let cover = 0;
    for (let j = 0; j < 4; j++)
      for (let i = 0; i < 4; i++) if (near(x + (i + 0.5) / 4, y + (j + 0.5) / 4) < half) cover++;
    const v = Math.round(255 * (1 - cover / 16));
    return [v, v, v, 255];
  });
}

const arc = (cx: number, cy: number, r: number, a0: number, a1: number) => {
  const pts: number[] = [];
  const n = Math.ceil((Math.abs(a1 - a0) * r) / 0.5);
  for (let k = 0; k <= n; k++) {
    const a = a0 + ((a1 - a0) * k) / n;
    pts.push(cx + r * Math.cos(a), cy + r * Math.sin(a));
  }
  return pts;
};
const wave = (x0: number, x1: number, y: number, amp: number, period: number) => {
  const pts: number[] = [];
  for (let x = x0; x <= x1 + 1e-9; x += 0.5)
    pts.push(x, y + amp * Math.sin(((x - x0) / period) * 2 * Math.PI));
  return pts;
};

/** Every case: each kind at widths 1-8 px. */
export function centerlineCases(widths = [1, 2, 3, 4, 5, 6, 7, 8]): StrokeCase[] {
  const cases: StrokeCase[] = [];
  for (const width of widths) {
    const add = (name: string, kind: StrokeCase["kind"], strokes: number[][]) =>
      cases.push({ name: `${name} ${width}px`, kind, size: 96, width, strokes });
    add("horizontal", "straight", [[14, 40.5, 82, 40.5]]);
    add("diagonal 17°", "straight", [[12, 30, 84, 52]]);
    add("diagonal 45°", "straight", [[16, 16, 80, 80]]);
    add("steep 70°", "straight", [[36, 12, 60, 84]]);
    add("arc", "curved", [arc(48, 52, 30, Math.PI * 1.05, Math.PI * 2.1)]);
    add("wave", "curved", [wave(12, 84, 48, 14, 48)]);
    add("cross 90°", "crossing", [
      [14, 48, 82, 48],
      [48, 14, 48, 82],
    ]);
    add("cross 60°", "crossing", [
      [12, 30, 84, 66],
      [20, 80, 76, 16],
    ]);
    add("T", "t-junction", [
      [14, 24, 82, 24],
      [48, 24, 48, 84],
    ]);
    add("slanted T", "t-junction", [
      [12, 70, 84, 34],
      [48, 52, 30, 12],
    ]);
  }
  return cases;
}

export interface TracedStroke {
  color: string;
  width: number;
  /** one polyline per sub-path */
  paths: { points: number[]; closed: boolean }[];
}

/** The stroked paths of a centerline SVG (fills are not strokes and are left out). */
export function tracedStrokes(svg: string): TracedStroke[] {
  const out: TracedStroke[] = [];
  for (const m of svg.matchAll(
    /<path fill="none" stroke="(#[0-9a-f]{3,6})" stroke-width="([\d.]+)"[^>]*? d="([^"]*)"\/>/g,
  )) {
    out.push({ color: m[1]!, width: Number(m[2]), paths: flatten(parsePathData(m[3]!), 0.25) });
  }
  return out;
}

export interface CenterlineScore {
  /** mean distance of our paths' points (every 0.25 px) to the nearest true centerline */
  meanDistance: number;
  maxDistance: number;
  /** mean and max distance of the true centerlines' points (ends less half a width excluded) to our paths */
  missMean: number;
  missMax: number;
  /** sub-paths in the result, and strokes drawn */
  paths: number;
  strokes: number;
  /** stroke widths written */
  widths: number[];
}

function resample(points: number[], step: number): number[] {
  const out: number[] = [points[0]!, points[1]!];
  for (let i = 0; i + 3 < points.length; i += 2) {
    const dx = points[i + 2]! - points[i]!;
    const dy = points[i + 3]! - points[i + 1]!;
    const n = Math.max(1, Math.ceil(Math.hypot(dx, dy) / step));
    for (let k = 1; k <= n; k++) out.push(points[i]! + (dx * k) / n, points[i + 1]! + (dy * k) / n);
  }
  return out;
}

export function scoreCenterline(c: StrokeCase, svg: string): CenterlineScore {
  const traced = tracedStrokes(svg);
  const ours = traced.flatMap((t) => t.paths.map((p) => resample(p.points, 0.25)));
  let sum = 0;
  let n = 0;
  let max = 0;
  for (const pts of ours) {
    for (let i = 0; i < pts.length; i += 2) {
      const d = Math.min(...c.strokes.map((s) => polylineDistance(pts[i]!, pts[i + 1]!, s)));
      sum += d;
      n++;
      max = Math.max(max, d);
    }
  }
  let missSum = 0;
  let missN = 0;
  let missMax = 0;
  for (const s of c.strokes) {
    const pts = resample(s, 0.5);
    const ends = [s[0]!, s[1]!, s[s.length - 2]!, s[s.length - 1]!];
    for (let i = 0; i < pts.length; i += 2) {
      const x = pts[i]!;
      const y = pts[i + 1]!;
      if (Math.hypot(x - ends[0]!, y - ends[1]!) < c.width / 2 + 1) continue;
      if (Math.hypot(x - ends[2]!, y - ends[3]!) < c.width / 2 + 1) continue;
      const d = Math.min(Number.POSITIVE_INFINITY, ...ours.map((o) => polylineDistance(x, y, o)));
      missSum += d;
      missN++;
      missMax = Math.max(missMax, d);
    }
  }
  return {
    meanDistance: n ? sum / n : Number.POSITIVE_INFINITY,
    maxDistance: max,
    missMean: missN ? missSum / missN : 0,
    missMax,
    paths: ours.length,
    strokes: c.strokes.length,
    widths: traced.flatMap((t) => t.paths.map(() => t.width)),
  };
}
