// Point-in-shape tests on the tracer's SVG (no renderer in workerd): path data flattened to polygons,
// non-zero winding as SVG fills by default.

interface Poly {
  fill: string;
  opacity: number;
  pts: number[][];
}

/** Walks one path's relative commands, collecting the current sub-path's points. */
class Pen {
  x = 0;
  y = 0;
  /** The sub-path's start: `z` returns the pen there (SVG), so a following relative `m` starts from it. */
  private start: [number, number] = [0, 0];
  ring: number[] = [];
  /** The last cubic's second control point, which a smooth cubic reflects. */
  private c2: [number, number] | null = null;

  moveBy(dx: number, dy: number) {
    this.x += dx;
    this.y += dy;
    this.start = [this.x, this.y];
    this.ring = [this.x, this.y];
    this.c2 = null;
  }

  lineBy(dx: number, dy: number) {
    this.x += dx;
    this.y += dy;
    this.ring.push(this.x, this.y);
    this.c2 = null;
  }

  /** A relative cubic, flattened to 12 chords. */
  cubicBy(a: number[]) {
    const { x, y } = this;
    this.cubic(x + a[0]!, y + a[1]!, x + a[2]!, y + a[3]!, x + a[4]!, y + a[5]!);
  }

  /** A relative smooth cubic: its first control point mirrors the previous cubic's second one. */
  smoothBy(a: number[]) {
    const { x, y } = this;
    const [x1, y1] = this.c2 ? [2 * x - this.c2[0], 2 * y - this.c2[1]] : [x, y];
    this.cubic(x1, y1, x + a[0]!, y + a[1]!, x + a[2]!, y + a[3]!);
  }

  /** Ends the sub-path: its ring if it encloses anything (three points or more). */
  close(): number[] | null {
    const ring = this.ring;
    this.ring = [];
    this.c2 = null;
    [this.x, this.y] = this.start;
    return ring.length >= 6 ? ring : null;
  }

  private cubic(x1: number, y1: number, x2: number, y2: number, ex: number, ey: number) {
    const { x, y } = this;
    for (let k = 1; k <= 12; k++) {
      const t = k / 12;
      const u = 1 - t;
      this.ring.push(
        u * u * u * x + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * ex,
        u * u * u * y + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * ey,
      );
    }
    this.c2 = [x2, y2];
    this.x = ex;
    this.y = ey;
  }
}

/** The relative commands the tracer writes: numbers each takes, and what the pen does with them. */
const COMMANDS: Record<string, { arity: number; step: (pen: Pen, a: number[], first: boolean) => void }> = {
  // a moveto's further pairs are linetos
  m: { arity: 2, step: (pen, a, first) => (first ? pen.moveBy(a[0]!, a[1]!) : pen.lineBy(a[0]!, a[1]!)) },
  l: { arity: 2, step: (pen, a) => pen.lineBy(a[0]!, a[1]!) },
  h: { arity: 1, step: (pen, a) => pen.lineBy(a[0]!, 0) },
  v: { arity: 1, step: (pen, a) => pen.lineBy(0, a[0]!) },
  c: { arity: 6, step: (pen, a) => pen.cubicBy(a) },
  s: { arity: 4, step: (pen, a) => pen.smoothBy(a) },
};

/** The closed sub-paths of one path's data, as point rings. */
function rings(d: string): number[][] {
  const out: number[][] = [];
  const pen = new Pen();
  for (const cm of d.matchAll(/([mlhvcsz])([^mlhvcsz]*)/g)) {
    if (cm[1] === "z") {
      const ring = pen.close();
      if (ring) out.push(ring);
      continue;
    }
    const { arity, step } = COMMANDS[cm[1]!]!;
    const n = (cm[2]!.match(/-?(?:\d+\.?\d*|\.\d+)/g) ?? []).map(Number);
    for (let i = 0; i < n.length; i += arity) step(pen, n.slice(i, i + arity), i === 0);
  }
  return out;
}

/** Sub-paths of every <path> as closed polygons (cubics flattened to 12 chords). */
export function polygons(svg: string): Poly[] {
  const out: Poly[] = [];
  for (const m of svg.matchAll(/<path fill="(#[0-9a-f]+)"(?: fill-opacity="([\d.]+)")? d="([^"]*)"\/>/g)) {
    const fill = m[1]!;
    const opacity = m[2] ? Number(m[2]) : 1;
    for (const ring of rings(m[3]!)) out.push({ fill, opacity, pts: [ring] });
  }
  return out;
}

/** Non-zero winding number of (px, py) against one closed polygon ring. */
function winding(ring: number[], px: number, py: number): number {
  let w = 0;
  const n = ring.length / 2;
  for (let i = 0; i < n; i++) {
    const x0 = ring[2 * i]!;
    const y0 = ring[2 * i + 1]!;
    const x1 = ring[(2 * i + 2) % ring.length]!;
    const y1 = ring[(2 * i + 3) % ring.length]!;
    if (y0 <= py) {
      if (y1 > py && (x1 - x0) * (py - y0) - (px - x0) * (y1 - y0) > 0) w++;
    } else if (y1 <= py && (x1 - x0) * (py - y0) - (px - x0) * (y1 - y0) < 0) w--;
  }
  return w;
}

/** The fills (top-most last) whose shapes contain (px, py). */
export function fillsAt(shapes: Poly[], px: number, py: number): Poly[] {
  const hit: Poly[] = [];
  // sub-paths of one <path> share its fill: sum their windings per fill run
  let i = 0;
  while (i < shapes.length) {
    let j = i;
    let w = 0;
    while (
      j < shapes.length &&
      shapes[j]!.fill === shapes[i]!.fill &&
      shapes[j]!.opacity === shapes[i]!.opacity
    ) {
      w += winding(shapes[j]!.pts[0]!, px, py);
      j++;
    }
    if (w !== 0) hit.push(shapes[i]!);
    i = j;
  }
  return hit;
}

/**
 * Pixels of which some point of a 3x3 grid (corners pulled in by `inset`) is inside no shape: where the
 * background would show through.
 */
export function uncoveredPixels(
  svg: string,
  width: number,
  height: number,
  isOpaque: (x: number, y: number) => boolean,
  inset = 0.05,
): Array<[number, number]> {
  const shapes = polygons(svg);
  const bad: Array<[number, number]> = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!isOpaque(x, y)) continue;
      const at = [inset, 0.5, 1 - inset];
      if (at.some((u) => at.some((v) => fillsAt(shapes, x + u, y + v).length === 0))) bad.push([x, y]);
    }
  }
  return bad;
}

/** Filled area of one fill's shapes (non-zero rule, sub-paths with opposite winding are holes). */
export function area(svg: string, fill: string): number {
  let a = 0;
  for (const p of polygons(svg)) {
    if (p.fill !== fill) continue;
    const r = p.pts[0]!;
    for (let i = 0; i < r.length; i += 2) {
      const j = (i + 2) % r.length;
      a += r[i]! * r[j + 1]! - r[j]! * r[i + 1]!;
    }
  }
  return a / 2;
}
