/**
 * The compact intermediate result of a trace (issue 16, point 3): its paths with their paint, in the
 * order they are drawn. A job stores it in R2 once (`vectors/<sha256>`, gzipped JSON); every output
 * format (SVG, PDF, EPS, DXF, PNG) is written from it later without tracing again. Path data stays
 * the tracer's compact relative form (the smallest encoding there is); writers parse it
 * (`parsePathData`) into absolute segments.
 */

export interface GradientStop {
  offset: number;
  color: string;
}

export interface Gradient {
  id: string;
  /** bilinear: four corner colours blended in both directions over the box x1 y1 x2 y2 */
  kind: "linear" | "radial" | "bilinear";
  /** user-space geometry: x1 y1 x2 y2 (linear; bilinear: the box) or cx cy r (radial) */
  x1?: number;
  y1?: number;
  x2?: number;
  y2?: number;
  cx?: number;
  cy?: number;
  r?: number;
  stops: GradientStop[];
  /** bilinear: top-left, top-right, bottom-left, bottom-right (stops is empty) */
  corners?: [string, string, string, string];
}

/** One `<path>`: a fill (solid colour or gradient) or a stroke (centerline mode, watermarks). */
export interface Layer {
  /** `#rrggbb` fill; absent for strokes and gradient fills */
  fill?: string;
  fillOpacity?: number;
  /** id of a gradient of the document that fills it */
  gradient?: string;
  stroke?: string;
  strokeWidth?: number;
  strokeOpacity?: number;
  d: string;
}

export interface VectorDoc {
  v: 1;
  /** the viewBox: the source image's size in px */
  width: number;
  height: number;
  gradients: Gradient[];
  layers: Layer[];
}

export class VectorDocError extends Error {}

const ATTR = /([a-zA-Z][\w:-]*)="([^"]*)"/g;
const attrs = (s: string) => Object.fromEntries([...s.matchAll(ATTR)].map((m) => [m[1]!, m[2]!]));
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
/** `#abc` → `#aabbcc` */
export function longHex(color: string): string {
  const c = color.toLowerCase();
  if (/^#[0-9a-f]{3}$/.test(c)) return `#${c[1]}${c[1]}${c[2]}${c[2]}${c[3]}${c[3]}`;
  if (/^#[0-9a-f]{6}$/.test(c)) return c;
  throw new VectorDocError(`not a colour: ${color}`);
}

const url = (v: string | undefined) => (v ? /^url\(#([^)]+)\)$/.exec(v)?.[1] : undefined);

/**
 * The tracer's bilinear fills (src/wasm/assembly/svg.ts `bilinearPattern`): a `<pattern>` of a top
 * ramp and, through a `<mask>` of a vertical ramp, a bottom ramp. Each becomes one bilinear gradient
 * in place of its top ramp; its ramps leave `gradients`. Returns the body without masks and patterns.
 */
function bilinearFills(body: string, gradients: Gradient[]): string {
  const maskRe = /<mask\b([^>]*)><rect\b([^>]*)\/><\/mask>/g;
  const patternRe = /<pattern\b([^>]*)><rect\b([^>]*)\/><rect\b([^>]*)\/><\/pattern>/g;
  const masks = new Map([...body.matchAll(maskRe)].map((m) => [attrs(m[1]!).id, url(attrs(m[2]!).fill)]));
  const byId = (id: string | undefined) => {
    const g = gradients.find((x) => x.id === id && x.kind === "linear");
    if (g?.stops.length !== 2) throw new VectorDocError("a pattern is no bilinear fill");
    return g;
  };
  for (const m of body.matchAll(patternRe)) {
    const id = attrs(m[1]!).id;
    const [a, b] = [attrs(m[2]!), attrs(m[3]!)];
    const top = byId(url(a.fill));
    const bottom = byId(url(b.fill));
    const vertical = byId(masks.get(url(b.mask)));
    if (!id) throw new VectorDocError("a pattern has no id");
    const bilinear: Gradient = {
      id,
      kind: "bilinear",
      x1: top.x1,
      y1: vertical.y1,
      x2: top.x2,
      y2: vertical.y2,
      stops: [],
      corners: [top.stops[0]!.color, top.stops[1]!.color, bottom.stops[0]!.color, bottom.stops[1]!.color],
    };
    gradients.splice(gradients.indexOf(top), 1, bilinear);
    for (const helper of [bottom, vertical]) gradients.splice(gradients.indexOf(helper), 1);
  }
  return body.replace(maskRe, "").replace(patternRe, "");
}

/** A `<linearGradient>` or `<radialGradient>` with its attributes and its `<stop>` elements' text. */
function gradientOf(kind: string, a: Record<string, string>, stops: string): Gradient {
  if (!a.id) throw new VectorDocError("a gradient has no id");
  return {
    id: a.id,
    kind: kind === "linear" ? "linear" : "radial",
    x1: num(a.x1),
    y1: num(a.y1),
    x2: num(a.x2),
    y2: num(a.y2),
    cx: num(a.cx),
    cy: num(a.cy),
    r: num(a.r),
    stops: [...stops.matchAll(/<stop\b([^>]*)\/>/g)].map((s) => {
      const sa = attrs(s[1]!);
      return { offset: Number(sa.offset ?? 0), color: longHex(sa["stop-color"] ?? "#000") };
    }),
  };
}

/** A `<path>`'s attributes as a layer: a gradient or a fill (black when none is said), and a stroke. */
function layerOf(a: Record<string, string>): Layer {
  if (a.d === undefined) throw new VectorDocError("a path has no data");
  const layer: Layer = { d: a.d };
  const fill = a.fill;
  const paint = url(fill);
  if (paint) layer.gradient = paint;
  else if (fill && fill !== "none") layer.fill = longHex(fill);
  else if (!fill) layer.fill = "#000000";
  if (a["fill-opacity"] !== undefined) layer.fillOpacity = Number(a["fill-opacity"]);
  if (a.stroke && a.stroke !== "none") {
    layer.stroke = longHex(a.stroke);
    layer.strokeWidth = Number(a["stroke-width"] ?? 1);
  }
  if (a["stroke-opacity"] !== undefined) layer.strokeOpacity = Number(a["stroke-opacity"]);
  return layer;
}

/**
 * Reads the tracer's SVG (src/wasm/assembly/svg.ts and the centerline stroke writer): `<svg … viewBox>`,
 * `<path>` elements with fill / fill-opacity / stroke / stroke-width, and gradients (and the bilinear
 * fills' patterns) in `<defs>`.
 * Anything else is not the tracer's output and is refused.
 */
export function fromTracerSvg(svg: string): VectorDoc {
  const head = /^<svg\b([^>]*)>/.exec(svg);
  if (!head || !svg.endsWith("</svg>")) throw new VectorDocError("not an SVG document");
  const vb = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(head[1]!);
  if (!vb) throw new VectorDocError("the SVG has no viewBox");
  const doc: VectorDoc = { v: 1, width: Number(vb[1]), height: Number(vb[2]), gradients: [], layers: [] };
  let body = svg.slice(head[0].length, -"</svg>".length);
  const gradientRe = /<(linear|radial)Gradient\b([^>]*)>((?:<stop\b[^>]*\/>)*)<\/\1Gradient>/g;
  for (const m of body.matchAll(gradientRe)) doc.gradients.push(gradientOf(m[1]!, attrs(m[2]!), m[3]!));
  body = bilinearFills(body, doc.gradients)
    .replace(gradientRe, "")
    .replace(/<\/?defs>/g, "");
  const pathRe = /<path\b([^>]*)\/>/g;
  for (const m of body.matchAll(pathRe)) doc.layers.push(layerOf(attrs(m[1]!)));
  if (body.replace(pathRe, "").trim() !== "") throw new VectorDocError("unexpected SVG content");
  return doc;
}

/** gzipped JSON */
export async function encodeDoc(doc: VectorDoc): Promise<Uint8Array> {
  const stream = new Blob([JSON.stringify(doc)]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function decodeDoc(bytes: ArrayBuffer | Uint8Array): Promise<VectorDoc> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  const doc = JSON.parse(await new Response(stream).text()) as VectorDoc;
  if (doc?.v !== 1 || !Array.isArray(doc.layers)) throw new VectorDocError("not a vector document");
  return doc;
}
