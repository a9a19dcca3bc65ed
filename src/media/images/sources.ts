/**
 * Which library files have pixels we can make (no codec imports here, so any module may ask).
 * Rasters are decoded, bounded by DECODE_MAX_PIXELS; SVG is drawn at the size wanted.
 */
const RASTERS = new Set(["image/png", "image/jpeg", "image/webp"]);
export const SVG = "image/svg+xml";
/** Decoding is bounded: RGBA of this many pixels (and the decoder's own copy) must fit in 128 MB. */
export const DECODE_MAX_PIXELS = 12_000_000;

export const isRenderable = (row: { mime: string; width: number | null; height: number | null }) =>
  row.mime === SVG || (RASTERS.has(row.mime) && (row.width ?? 0) * (row.height ?? 0) <= DECODE_MAX_PIXELS);
