import { readDimensions } from "../../lib/image-header";
import { fitInside, renderSvgRgba, type Size, svgSize } from "../../lib/resvg.workerd";
import { decodeImage, encodeImage, type OutputFormat, type Rgba } from "../../wasm/codecs";
import { downscaleInto } from "../../wasm/image";
import { resample } from "../../wasm/resize";
import { readMetadata } from "../metadata/read";
import { SVG } from "./sources";

/**
 * Pixels of a library file at another size: decode (raster) or draw (SVG, with resvg at the target
 * size, so vectors stay sharp), resize, crop or pad, encode. Thumbnails and URL transformations both
 * go through here, for files `isRenderable` (sources.ts) accepts. Memory is bounded by
 * DECODE_MAX_PIXELS for the source and by the caller's output cap for the result.
 */

export type Fit = "cover" | "contain" | "inside";

export interface Geometry {
  /** Wanted box; a missing side follows the source's aspect ratio. Neither: the source's size. */
  width?: number;
  height?: number;
  fit: Fit;
}

/** Where the source goes: scaled whole to `scaled`, then cut (`crop`) or framed (`canvas`). */
export interface Layout {
  scaled: Size;
  /** The output's size. */
  output: Size;
  /** Offset of the scaled source inside the output (negative: cropped away). */
  x: number;
  y: number;
}

export function layout(source: Size, geometry: Geometry): Layout {
  const { width: w, height: h } = geometry;
  if (w === undefined && h === undefined) return { scaled: source, output: source, x: 0, y: 0 };
  const sx = w !== undefined ? w / source.width : Number.POSITIVE_INFINITY;
  const sy = h !== undefined ? h / source.height : Number.POSITIVE_INFINITY;
  const both = w !== undefined && h !== undefined;
  const s = both && geometry.fit === "cover" ? Math.max(sx, sy) : Math.min(sx, sy);
  const scaled = {
    width: Math.max(1, Math.round(source.width * s)),
    height: Math.max(1, Math.round(source.height * s)),
  };
  if (!both || geometry.fit === "inside") return { scaled, output: scaled, x: 0, y: 0 };
  const output = { width: w!, height: h! };
  return {
    scaled,
    output,
    x: Math.floor((output.width - scaled.width) / 2),
    y: Math.floor((output.height - scaled.height) / 2),
  };
}

export interface SourceInfo {
  /** The size as shown (after EXIF orientation). */
  size: Size;
  /** EXIF orientation 1–8 of a raster (1 for SVG and files that don't say). */
  orientation: number;
}

/** Size and orientation without decoding: the raster's header and EXIF, or resvg's reading of the drawing. */
export async function sourceInfo(mime: string, bytes: Uint8Array): Promise<SourceInfo> {
  if (mime === SVG) return { size: await svgSize(bytes), orientation: 1 };
  const stored = readDimensions(mime, bytes);
  if (!stored) throw new Error(`No size for ${mime}`);
  const orientation = (await readMetadata(mime, bytes))?.orientation ?? 1;
  return { size: orientation >= 5 ? { width: stored.height, height: stored.width } : stored, orientation };
}

/**
 * EXIF orientation applied: 2 mirror, 3 half turn, 4 flip, 5 transpose, 6 quarter turn clockwise,
 * 7 transverse, 8 quarter turn anticlockwise. `dest(x, y) = src(sx, sy)` per orientation.
 */
export function orient(image: Rgba, orientation: number): Rgba {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h } = image;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const { start, xStep, yStep } = sourceWalk(orientation, w, h);
  const src = new Uint32Array(image.data.buffer, image.data.byteOffset, w * h);
  const out = new Uint32Array(ow * oh);
  for (let y = 0, o = 0; y < oh; y++) {
    for (let x = 0, i = start + y * yStep; x < ow; x++, i += xStep) out[o++] = src[i]!;
  }
  return { data: new Uint8ClampedArray(out.buffer), width: ow, height: oh };
}

/**
 * Where the output's first pixel comes from in the source (w × h), and how far a step right or down in
 * the output moves in the source. Each orientation is a transpose (5–8) followed by mirroring source
 * columns and/or rows.
 */
function sourceWalk(orientation: number, w: number, h: number) {
  const mirrorX = orientation === 2 || orientation === 3 || orientation === 7 || orientation === 8;
  const mirrorY = orientation === 3 || orientation === 4 || orientation === 6 || orientation === 7;
  const column = mirrorX ? -1 : 1;
  const row = mirrorY ? -w : w;
  const start = (mirrorY ? (h - 1) * w : 0) + (mirrorX ? w - 1 : 0);
  // transposed: a step right in the output is a step down the source's rows
  return orientation >= 5 ? { start, xStep: row, yStep: column } : { start, xStep: column, yStep: row };
}

/** Area-average down to about twice the target, then Lanczos: fast for big reductions, sharp at the end. */
async function resizeTo(image: Rgba, size: Size): Promise<Rgba> {
  if (image.width >= size.width * 4 && image.height >= size.height * 4) {
    const mid = { width: size.width * 2, height: size.height * 2 };
    const out = new Uint8ClampedArray(mid.width * mid.height * 4);
    downscaleInto(image, mid.width, mid.height, new Uint8Array(out.buffer));
    image = { data: out, ...mid };
  }
  return resample(image, size.width, size.height);
}

/** Pastes `image` at (x, y) into a transparent (or `background`) canvas of `size`; parts outside are cut. */
function place(image: Rgba, size: Size, x: number, y: number, background: number[] | null): Rgba {
  if (x === 0 && y === 0 && size.width === image.width && size.height === image.height) return image;
  const out = new Uint8ClampedArray(size.width * size.height * 4);
  if (background) for (let i = 0; i < out.length; i += 4) out.set(background, i);
  const x0 = Math.max(0, x);
  const x1 = Math.min(size.width, x + image.width);
  for (let oy = Math.max(0, y); oy < Math.min(size.height, y + image.height); oy++) {
    const from = ((oy - y) * image.width + (x0 - x)) * 4;
    out.set(image.data.subarray(from, from + (x1 - x0) * 4), (oy * size.width + x0) * 4);
  }
  return { data: out, ...size };
}

/** Formats without alpha get a white canvas and white under transparent pixels. */
function flatten(image: Rgba): Rgba {
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]!;
    if (a === 255) continue;
    const k = a / 255;
    d[i] = d[i]! * k + 255 * (1 - k);
    d[i + 1] = d[i + 1]! * k + 255 * (1 - k);
    d[i + 2] = d[i + 2]! * k + 255 * (1 - k);
    d[i + 3] = 255;
  }
  return image;
}

export interface RenderRequest {
  mime: string;
  bytes: Uint8Array;
  /** The source's size and orientation (see `sourceInfo`). */
  source: SourceInfo;
  layout: Layout;
  format: OutputFormat;
  quality: number;
}

/** The encoded output of one request. */
export async function render(request: RenderRequest): Promise<Uint8Array> {
  const { layout: plan } = request;
  let scaled: Rgba;
  if (request.mime === SVG) {
    scaled = await renderSvgRgba(request.bytes, { fit: fitInside(request.source.size, plan.scaled) });
    if (scaled.width !== plan.scaled.width || scaled.height !== plan.scaled.height)
      scaled = await resample(scaled, plan.scaled.width, plan.scaled.height);
  } else {
    // Resized as stored (the smaller image), then turned upright.
    const decoded = await decodeImage(request.mime, request.bytes.slice().buffer);
    const turned = request.source.orientation >= 5;
    const stored = turned ? { width: plan.scaled.height, height: plan.scaled.width } : plan.scaled;
    scaled = orient(await resizeTo(decoded, stored), request.source.orientation);
  }
  const opaque = request.format === "jpeg";
  let image = place(scaled, plan.output, plan.x, plan.y, opaque ? [255, 255, 255, 255] : null);
  if (opaque) image = flatten(image);
  return encodeImage(image, request.format, request.quality);
}
