import type { Gradient, Layer, VectorDoc } from "../vector/document";

/** A number as SVG writes it: at most 3 decimals, no trailing zeros. */
export const n3 = (v: number) => String(Math.round(v * 1000) / 1000);

function gradientSvg(g: Gradient): string {
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
