/**
 * The quality report of a trace (issue 16, point 4): SSIM, ΔE (Oklab ×100, mean) and GMSD of the SVG
 * against its source, both drawn on white at a downscaled size (at most QUALITY_SIDE px on the long
 * side), so a 4 MP trace costs a 0.25 MP comparison: a few tens of ms and about 5 MB in the consumer.
 */
import { downscaleInto, type RgbaImage } from "../../wasm/shared";
import { renderPixels } from "../formats/raster";
import { compositeOn, deltaE, gmsd, ssim } from "./metrics";

export const QUALITY_SIDE = 512;

export interface Quality {
  ssim: number;
  deltaE: number;
  gmsd: number;
}

/** Source and SVG at the comparison size, both on white. */
export interface Comparison {
  width: number;
  height: number;
  source: RgbaImage;
}

/** The source downscaled (area average, alpha-weighted) and drawn on white, once per job. */
export function comparisonOf(source: RgbaImage, side = QUALITY_SIDE): Comparison {
  const scale = Math.min(1, side / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  let small: RgbaImage = source;
  if (width !== source.width || height !== source.height) {
    const data = new Uint8Array(width * height * 4);
    downscaleInto(source, width, height, data);
    small = { data, width, height };
  }
  return { width, height, source: compositeOn(small, 255, 255, 255) };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** `pause` runs between the steps (each is a few tens of ms of CPU): a job lets other work through. */
export async function measureQuality(
  c: Comparison,
  svg: string,
  pause: () => Promise<void> = async () => {},
): Promise<Quality> {
  const drawn = await renderPixels(svg, c.width, c.height, "#ffffff");
  await pause();
  const s = ssim(c.source, drawn);
  await pause();
  const d = deltaE(c.source, drawn).mean;
  await pause();
  const g = gmsd(c.source, drawn);
  return { ssim: round(s, 4), deltaE: round(d, 3), gmsd: round(g, 4) };
}
