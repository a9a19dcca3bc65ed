/**
 * The SVG drawn at exactly width × height px (the viewBox stretched to fit), with the one renderer of
 * the Worker (src/lib/resvg.ts): PNG results and the quality comparison need an exact size, which a
 * fit by width or height can miss by a rounding pixel.
 */
import { renderSvgPng, renderSvgRgba } from "../../lib/resvg";
import type { Rgba } from "../../wasm/codecs";

function sized(svg: string, width: number, height: number): string {
  return svg.replace(
    /^<svg\b([^>]*?)\swidth="[^"]*"\s+height="[^"]*"/,
    `<svg$1 width="${width}" height="${height}" preserveAspectRatio="none"`,
  );
}

/** RGBA with straight alpha, like a decoded PNG. */
export function renderPixels(svg: string, width: number, height: number, background?: string): Promise<Rgba> {
  return renderSvgRgba(sized(svg, width, height), { background });
}

export function renderPng(svg: string, width: number, height: number): Promise<Uint8Array> {
  return renderSvgPng(sized(svg, width, height));
}
