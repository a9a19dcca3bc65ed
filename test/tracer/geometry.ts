// Point-in-shape tests on the tracer's SVG (no renderer in workerd): path data flattened to polygons,
// non-zero winding as SVG fills by default.

interface Poly {
  fill: string;
  opacity: number;
  pts: number[][];
}

/** Sub-paths of every <path> as closed polygons (cubics flattened to 12 chords). */
export function polygons(svg: string): Poly[] {
  const out: Poly[] = [];
  for (const m of svg.matchAll(/<path fill="(#[0-9a-f]+)"(?: fill-opacity="([\d.]+)")? d="([^"]*)"\/>/g)) {
    const fill = m[1]!;
    const opacity = m[2] ? Number(m[2]) : 1;
    let x = 0;
    let y = 0;
    let cur: number[] = [];
    let c2x = 0;
    let c2y = 0;
    let prevCubic = false;
    const cubic = (x1: number, y1: number, x2: number, y2: number, ex: number, ey: number) => {
      for (let k = 1; k <= 12; k++) {
        const t = k / 12;
        const u = 1 - t;
        cur.push(
          u * u * u * x + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * ex,
          u * u * u * y + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * ey,
        );
      }
      c2x = x2;
      c2y = y2;
      x = ex;
      y = ey;
      prevCubic = true;
    };
    for (const cm of m[3]!.matchAll(/([mlhvcsz])([^mlhvcsz]*)/g)) {
      const cmd = cm[1]!;
      const n = (cm[2]!.match(/-?(?:\d+\.?\d*|\.\d+)/g) ?? []).map(Number);
      if (cmd === "z") {
        if (cur.length >= 6) out.push({ fill, opacity, pts: [cur] });
        cur = [];
        prevCubic = false;
        continue;
      }
      const arity = { m: 2, l: 2, h: 1, v: 1, c: 6, s: 4 }[cmd as "m"]!;
      for (let i = 0; i < n.length; i += arity) {
        const a = n.slice(i, i + arity);
        if (cmd === "m" && i === 0) {
          x += a[0]!;
          y += a[1]!;
          cur = [x, y];
          prevCubic = false;
        } else if (cmd === "l" || cmd === "m") {
          x += a[0]!;
          y += a[1]!;
          cur.push(x, y);
          prevCubic = false;
        } else if (cmd === "h") {
          x += a[0]!;
          cur.push(x, y);
          prevCubic = false;
        } else if (cmd === "v") {
          y += a[0]!;
          cur.push(x, y);
          prevCubic = false;
        } else if (cmd === "c") {
          cubic(x + a[0]!, y + a[1]!, x + a[2]!, y + a[3]!, x + a[4]!, y + a[5]!);
        } else {
          const x1 = prevCubic ? 2 * x - c2x : x;
          const y1 = prevCubic ? 2 * y - c2y : y;
          cubic(x1, y1, x + a[0]!, y + a[1]!, x + a[2]!, y + a[3]!);
        }
      }
    }
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
