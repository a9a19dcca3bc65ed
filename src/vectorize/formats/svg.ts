import type { Gradient, Layer, VectorDoc } from "../vector/document";

/** A number as SVG writes it: at most 3 decimals, no trailing zeros. */
export const n3 = (v: number) => String(Math.round(v * 1000) / 1000);

const ramp = (id: string, x1: number, y1: number, x2: number, y2: number, stops: string) =>
  `<linearGradient id="${id}" gradientUnits="userSpaceOnUse" x1="${n3(x1)}" y1="${n3(y1)}" x2="${n3(x2)}" y2="${n3(y2)}">${stops}</linearGradient>`;
const twoStops = (a: string, b: string) =>
  `<stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/>`;

/**
 * A bilinear fill the way the tracer writes it: a pattern over the box (1 px wider each side) of the
 * top ramp and, through a mask of a vertical ramp from transparent to opaque, the bottom ramp.
 */
function bilinearSvg(g: Gradient): string {
  const [x1, y1, x2, y2] = [g.x1 ?? 0, g.y1 ?? 0, g.x2 ?? 0, g.y2 ?? 0];
  const [tl, tr, bl, br] = g.corners ?? ["#000000", "#000000", "#000000", "#000000"];
  const box = `x="${n3(x1 - 1)}" y="${n3(y1 - 1)}" width="${n3(x2 - x1 + 2)}" height="${n3(y2 - y1 + 2)}"`;
  return [
    ramp(`${g.id}t`, x1, y1, x2, y1, twoStops(tl, tr)),
    ramp(`${g.id}u`, x1, y1, x2, y1, twoStops(bl, br)),
    ramp(
      `${g.id}v`,
      x1,
      y1,
      x1,
      y2,
      '<stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#fff"/>',
    ),
    `<mask id="${g.id}m" maskUnits="userSpaceOnUse" ${box}><rect ${box} fill="url(#${g.id}v)"/></mask>`,
    `<pattern id="${g.id}" patternUnits="userSpaceOnUse" ${box}><rect ${box} fill="url(#${g.id}t)"/>`,
    `<rect ${box} fill="url(#${g.id}u)" mask="url(#${g.id}m)"/></pattern>`,
  ].join("");
}

function gradientSvg(g: Gradient): string {
  if (g.kind === "bilinear") return bilinearSvg(g);
  const geometry =
    g.kind === "linear"
      ? `x1="${n3(g.x1 ?? 0)}" y1="${n3(g.y1 ?? 0)}" x2="${n3(g.x2 ?? 0)}" y2="${n3(g.y2 ?? 0)}"`
      : `cx="${n3(g.cx ?? 0)}" cy="${n3(g.cy ?? 0)}" r="${n3(g.r ?? 0)}"`;
  const stops = g.stops.map((s) => `<stop offset="${n3(s.offset)}" stop-color="${s.color}"/>`).join("");
  const tag = g.kind === "linear" ? "linearGradient" : "radialGradient";
  return `<${tag} id="${g.id}" gradientUnits="userSpaceOnUse" ${geometry}>${stops}</${tag}>`;
}

function layerSvg(l: Layer): string {
  const paint: string[] = [];
  if (l.stroke) {
    paint.push(`fill="none" stroke="${l.stroke}" stroke-width="${n3(l.strokeWidth ?? 1)}"`);
    if (l.strokeOpacity !== undefined) paint.push(`stroke-opacity="${n3(l.strokeOpacity)}"`);
    paint.push('stroke-linecap="round" stroke-linejoin="round"');
  } else {
    paint.push(`fill="${l.gradient ? `url(#${l.gradient})` : (l.fill ?? "#000000")}"`);
    if (l.fillOpacity !== undefined) paint.push(`fill-opacity="${n3(l.fillOpacity)}"`);
  }
  return `<path ${paint.join(" ")} d="${l.d}"/>`;
}

/** The document as SVG: the tracer's own structure (viewBox = source size, one path per layer). */
export function writeSvg(doc: VectorDoc): string {
  const w = n3(doc.width);
  const h = n3(doc.height);
  const defs = doc.gradients.length ? `<defs>${doc.gradients.map(gradientSvg).join("")}</defs>` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${defs}${doc.layers
    .map(layerSvg)
    .join("")}</svg>`;
}
