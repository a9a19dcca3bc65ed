/**
 * DXF (AutoCAD R12, ASCII: the version every cutter, plotter and CAD program reads) of a vector
 * document. Every sub-path is a POLYLINE (curves cut into chords within FLATNESS px of them): closed
 * outlines for fills, open ones with a constant width for strokes. y points up in DXF, so it is
 * flipped; units are the source's px. Layers are named by paint (`FILL_1a2b3c`, `STROKE_000000`) and
 * carry the nearest AutoCAD colour index. DXF has no fills or gradients: a gradient's outline is drawn
 * in its middle stop's colour (a bilinear fill's: its corners' mean).
 */
import type { Layer, VectorDoc } from "../vector/document";
import { flattenAdaptive, type Polyline, parsePathData } from "../vector/path-data";
import { num, rgb01 } from "./program";

/** how far a chord may stray from its curve, px */
const FLATNESS = 0.1;

/** AutoCAD colour index → RGB (0..1): 1-9 named colours, 10-249 hue wheel, 250-255 greys */
function aciRgb(i: number): [number, number, number] {
  const named: Record<number, [number, number, number]> = {
    1: [1, 0, 0],
    2: [1, 1, 0],
    3: [0, 1, 0],
    4: [0, 1, 1],
    5: [0, 0, 1],
    6: [1, 0, 1],
    7: [0, 0, 0],
    8: [0.5, 0.5, 0.5],
    9: [0.75, 0.75, 0.75],
  };
  if (named[i]) return named[i]!;
  if (i >= 250) {
    const v = [0.2, 0.31, 0.41, 0.51, 0.75, 1][i - 250]!;
    return [v, v, v];
  }
  const hue = (Math.floor(i / 10) - 1) * 15;
  const v = [1, 1, 0.8, 0.8, 0.6, 0.6, 0.5, 0.5, 0.3, 0.3][i % 10]!;
  const s = i % 2 === 0 ? 1 : 0.5;
  const k = (n: number) => (n + hue / 60) % 6;
  const f = (n: number) => v - v * s * Math.max(0, Math.min(k(n), 4 - k(n), 1));
  return [f(5), f(3), f(1)];
}

const ACI = Array.from({ length: 255 }, (_, i) => aciRgb(i + 1));

export function nearestAci(hex: string): number {
  const [r, g, b] = rgb01(hex);
  let best = 7;
  let bd = Number.POSITIVE_INFINITY;
  ACI.forEach(([ar, ag, ab], i) => {
    const d = (ar - r) ** 2 + (ag - g) ** 2 + (ab - b) ** 2;
    if (d < bd) {
      bd = d;
      best = i + 1;
    }
  });
  return best;
}

/** a bilinear fill's one colour: the mean of its corners */
function meanColour(colours: string[]): string {
  const rgb = [1, 3, 5].map((i) =>
    Math.round(colours.reduce((sum, c) => sum + Number.parseInt(c.slice(i, i + 2), 16), 0) / colours.length),
  );
  return `#${rgb.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

function layerPaint(layer: Layer, doc: VectorDoc): { name: string; colour: string } {
  if (layer.stroke) return { name: `STROKE_${layer.stroke.slice(1)}`, colour: layer.stroke };
  const g = layer.gradient ? doc.gradients.find((x) => x.id === layer.gradient) : undefined;
  const colour = g?.corners
    ? meanColour(g.corners)
    : g?.stops.length
      ? g.stops[Math.floor(g.stops.length / 2)]!.color
      : (layer.fill ?? "#000000");
  return { name: `FILL_${colour.slice(1)}`, colour };
}

type Pair = (code: number, value: string | number) => void;

/** One sub-path as a POLYLINE of its vertices (y flipped), closed by its flag, with the stroke's width. */
function polyline(pair: Pair, name: string, l: Layer, sub: Polyline, height: number): void {
  pair(0, "POLYLINE");
  pair(8, name);
  pair(66, 1);
  pair(10, 0);
  pair(20, 0);
  pair(30, 0);
  pair(70, sub.closed ? 1 : 0);
  if (l.stroke) {
    pair(40, num(l.strokeWidth ?? 1));
    pair(41, num(l.strokeWidth ?? 1));
  }
  const pts = sub.points;
  // a closed ring's last point repeats its first: the flag closes it
  let n = pts.length / 2;
  if (sub.closed && n > 1 && pts[0] === pts[2 * n - 2] && pts[1] === pts[2 * n - 1]) n--;
  for (let i = 0; i < n; i++) {
    pair(0, "VERTEX");
    pair(8, name);
    pair(10, num(pts[2 * i]!));
    pair(20, num(height - pts[2 * i + 1]!));
    pair(30, 0);
  }
  pair(0, "SEQEND");
  pair(8, name);
}

export function writeDxf(doc: VectorDoc): string {
  const out: string[] = [];
  const pair: Pair = (code, value) => {
    out.push(String(code), String(value));
  };
  const layers = new Map<string, string>();
  for (const l of doc.layers) {
    const p = layerPaint(l, doc);
    layers.set(p.name, p.colour);
  }
  pair(0, "SECTION");
  pair(2, "HEADER");
  pair(9, "$ACADVER");
  pair(1, "AC1009");
  pair(9, "$EXTMIN");
  pair(10, 0);
  pair(20, 0);
  pair(9, "$EXTMAX");
  pair(10, num(doc.width));
  pair(20, num(doc.height));
  pair(0, "ENDSEC");
  pair(0, "SECTION");
  pair(2, "TABLES");
  pair(0, "TABLE");
  pair(2, "LAYER");
  pair(70, layers.size);
  for (const [name, colour] of layers) {
    pair(0, "LAYER");
    pair(2, name);
    pair(70, 0);
    pair(62, nearestAci(colour));
    pair(6, "CONTINUOUS");
  }
  pair(0, "ENDTAB");
  pair(0, "ENDSEC");
  pair(0, "SECTION");
  pair(2, "ENTITIES");
  for (const l of doc.layers) {
    const { name } = layerPaint(l, doc);
    for (const sub of flattenAdaptive(parsePathData(l.d), FLATNESS))
      if (sub.points.length >= 4) polyline(pair, name, l, sub, doc.height);
  }
  pair(0, "ENDSEC");
  pair(0, "EOF");
  return `${out.join("\n")}\n`;
}
