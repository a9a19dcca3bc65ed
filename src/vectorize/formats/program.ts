/**
 * The drawing of a vector document as PDF content-stream operators (m l c h f S rg RG w J j q Q W n).
 * PDF writes them as they are; the EPS writer defines PostScript procedures of the same names, so one
 * program serves both. Gradients and opacity differ between the two and come from hooks.
 */

import type { Gradient, Layer, VectorDoc } from "../vector/document";
import { parsePathData, type Segment } from "../vector/path-data";

export interface ProgramHooks {
  /**
   * sets the fill (`stroke` false) or stroke colour, r g b 0..1, with opacity `alpha` (PDF: an
   * ExtGState and `rg`/`RG`; PostScript, which has no transparency: the colour blended onto white)
   */
  colour(rgb: [number, number, number], alpha: number, stroke: boolean): string;
  /** paints the current clip with gradient `g` (PDF: `/Sh0 sh`; PostScript: `<<…>> shfill`) */
  gradient(g: Gradient, alpha: number): string;
}

/** up to 3 decimals, no exponent, no trailing zeros */
export function num(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
}

/** `#rrggbb` → three numbers 0..1 */
export function rgb01(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
}

export function pathOps(segments: Segment[]): string {
  const out: string[] = [];
  for (const s of segments) {
    if (s.op === "M") out.push(`${num(s.x)} ${num(s.y)} m`);
    else if (s.op === "L") out.push(`${num(s.x)} ${num(s.y)} l`);
    else if (s.op === "C")
      out.push(`${num(s.x1)} ${num(s.y1)} ${num(s.x2)} ${num(s.y2)} ${num(s.x)} ${num(s.y)} c`);
    else out.push("h");
  }
  return out.join("\n");
}

function layerOps(layer: Layer, doc: VectorDoc, hooks: ProgramHooks): string {
  const path = pathOps(parsePathData(layer.d));
  if (!path) return "";
  if (layer.stroke) {
    const colour = hooks.colour(rgb01(layer.stroke), layer.strokeOpacity ?? 1, true);
    return ["q", colour, `${num(layer.strokeWidth ?? 1)} w 1 J 1 j`, path, "S", "Q"].join("\n");
  }
  if (layer.gradient) {
    const g = doc.gradients.find((x) => x.id === layer.gradient);
    if (!g) return "";
    return ["q", path, "W n", hooks.gradient(g, layer.fillOpacity ?? 1), "Q"].join("\n");
  }
  const colour = hooks.colour(rgb01(layer.fill ?? "#000000"), layer.fillOpacity ?? 1, false);
  return ["q", colour, path, "f", "Q"].join("\n");
}

/** The document's layers in order; coordinates in the document's own units (y down). */
export function drawingProgram(doc: VectorDoc, hooks: ProgramHooks): string {
  return doc.layers
    .map((l) => layerOps(l, doc, hooks))
    .filter(Boolean)
    .join("\n");
}

/**
 * A bilinear fill as one Coons patch (shading type 6, PDF and PostScript level 3), whose colour is
 * the bilinear blend of its corners: the box grown by 1 px each side (curves may pass the pixels' box
 * a little), straight edges (control points at thirds), corners at the fill's colours there, clamped.
 * Points go round A → B → C → D (top-left, top-right, bottom-right, bottom-left); colours at A B C D.
 */
export function coonsPatch(g: Gradient): { coords: number[]; colours: number[] } {
  const [x1, y1, x2, y2] = [g.x1 ?? 0, g.y1 ?? 0, g.x2 ?? 0, g.y2 ?? 0];
  const [tl, tr, bl, br] = (g.corners ?? ["#000000", "#000000", "#000000", "#000000"]).map(rgb01);
  const w = x2 - x1 || 1;
  const h = y2 - y1 || 1;
  const at = (x: number, y: number) => {
    const u = (x - x1) / w;
    const v = (y - y1) / h;
    return [0, 1, 2].map((c) => {
      const top = tl![c]! + (tr![c]! - tl![c]!) * u;
      const bottom = bl![c]! + (br![c]! - bl![c]!) * u;
      return Math.min(1, Math.max(0, top + (bottom - top) * v));
    });
  };
  const corners: Array<[number, number]> = [
    [x1 - 1, y1 - 1],
    [x2 + 1, y1 - 1],
    [x2 + 1, y2 + 1],
    [x1 - 1, y2 + 1],
  ];
  const coords: number[] = [];
  corners.forEach(([ax, ay], i) => {
    const [bx, by] = corners[(i + 1) % 4]!;
    // the corner, then the edge's two inner control points (the last edge's end is the first corner)
    coords.push(
      ax,
      ay,
      ax + (bx - ax) / 3,
      ay + (by - ay) / 3,
      ax + ((bx - ax) * 2) / 3,
      ay + ((by - ay) * 2) / 3,
    );
  });
  return { coords, colours: corners.flatMap(([x, y]) => at(x, y)) };
}

/**
 * A gradient's shading dictionary, the same text in PDF and PostScript level 3: axial (type 2) or
 * radial (type 3), its stops as one exponential function (two stops) or a stitching of them, extended
 * past both ends like SVG's default `spreadMethod="pad"`.
 */
export function shadingDict(g: Gradient): string {
  if (g.kind === "bilinear") {
    const { coords, colours } = coonsPatch(g);
    return `<< /ShadingType 6 /ColorSpace /DeviceRGB /DataSource [0 ${[...coords, ...colours].map(num).join(" ")}] >>`;
  }
  const stops = [...g.stops].sort((a, b) => a.offset - b.offset);
  if (stops.length === 0) stops.push({ offset: 0, color: "#000000" });
  if (stops[0]!.offset > 0) stops.unshift({ offset: 0, color: stops[0]!.color });
  if (stops.at(-1)!.offset < 1) stops.push({ offset: 1, color: stops.at(-1)!.color });
  const c = (hex: string) => `[${rgb01(hex).map(num).join(" ")}]`;
  const pieces = stops
    .slice(1)
    .map((s, i) => `<< /FunctionType 2 /Domain [0 1] /C0 ${c(stops[i]!.color)} /C1 ${c(s.color)} /N 1 >>`);
  const fn =
    pieces.length === 1
      ? pieces[0]!
      : `<< /FunctionType 3 /Domain [0 1] /Functions [${pieces.join(" ")}] /Bounds [${stops
          .slice(1, -1)
          .map((s) => num(Math.min(1, Math.max(0, s.offset))))
          .join(" ")}] /Encode [${pieces.map(() => "0 1").join(" ")}] >>`;
  const coords =
    g.kind === "linear"
      ? `/ShadingType 2 /Coords [${[g.x1, g.y1, g.x2, g.y2].map((v) => num(v ?? 0)).join(" ")}]`
      : `/ShadingType 3 /Coords [${[g.cx, g.cy, 0, g.cx, g.cy, g.r].map((v) => num(v ?? 0)).join(" ")}]`;
  return `<< ${coords} /ColorSpace /DeviceRGB /Function ${fn} /Extend [true true] >>`;
}

/** points per px: the document is in CSS px (96 per inch), PDF and PostScript in points (72) */
export const PT_PER_PX = 0.75;
