/**
 * Which library files have pixels we can make (no codec imports here, so any module may ask).
 * Rasters are decoded, bounded by DECODE_MAX_PIXELS; SVG is drawn at the size wanted.
 */
export const RASTER_TYPES = ["image/png", "image/jpeg", "image/webp"];
const RASTERS = new Set(RASTER_TYPES);
export const SVG = "image/svg+xml";
/** Decoding is bounded: RGBA of this many pixels (and the decoder's own copy) must fit in 128 MB. */
export const DECODE_MAX_PIXELS = 12_000_000;

/** A raster the Worker decodes whole (thumbnails, transformations, fingerprints). */
export const isDecodable = (row: { mime: string; width: number | null; height: number | null }) =>
  RASTERS.has(row.mime) && (row.width ?? 0) * (row.height ?? 0) <= DECODE_MAX_PIXELS;

export const isRenderable = (row: { mime: string; width: number | null; height: number | null }) =>
  row.mime === SVG || isDecodable(row);
