/**
 * The tracer's input, before a trace: checks of the image and its header against the pixel limits,
 * decoding, and writing the pixels, palette and options into the tracer's memory.
 */
import type { Decoder, TracerExports } from "./core";
import { TraceError } from "./errors";
import { downscaleInto, type ImageFormat, type RgbaImage } from "./image";
import type { ResolvedTraceOptions } from "./options";
import { cropInto, type Rect } from "./tiles";

/** Refuses an image with no pixels or too short a buffer, and one over the pixel limits; its traced size. */
export function checkInput(image: RgbaImage, opts: ResolvedTraceOptions, crop: Rect | undefined) {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new TraceError("corrupt_image", "Image has no pixels");
  if (data.length < width * height * 4) throw new TraceError("corrupt_image", "Pixel buffer too short");
  const { width: sw, height: sh } = crop ?? image;
  const pixels = sw * sh;
  if (pixels > opts.maxInputPixels)
    throw new TraceError("too_many_pixels", `Image has ${pixels} pixels, limit ${opts.maxInputPixels}`, {
      pixels,
      limit: opts.maxInputPixels,
    });
  if (pixels > opts.maxPixels && opts.onOversize === "error")
    throw new TraceError("too_many_pixels", `Image has ${pixels} pixels, limit ${opts.maxPixels}`, {
      pixels,
      limit: opts.maxPixels,
    });
  return { width: sw, height: sh };
}

/** The pixels to trace (the crop, the image, or the image scaled to tw × th) into the tracer's memory. */
export function writePixels(
  ex: TracerExports,
  image: RgbaImage,
  crop: Rect | undefined,
  tw: number,
  th: number,
) {
  const n = tw * th * 4;
  const ptr = ex.alloc(n);
  // take the view after the allocation: memory growth detaches older views
  const view = new Uint8Array(ex.memory.buffer, ptr, n);
  if (crop) cropInto(image, crop, view);
  else if (tw === image.width && th === image.height) view.set(image.data.subarray(0, n));
  else downscaleInto(image, tw, th, view);
  return ptr;
}

/** The palette: one u32 0xRRGGBB per colour, read by the options struct through its pointer (0: none). */
export function writePalette(ex: TracerExports, opts: ResolvedTraceOptions) {
  if (!opts.palette.length) return 0;
  const ptr = ex.alloc(opts.palette.length * 4);
  new Uint32Array(ex.memory.buffer, ptr, opts.palette.length).set(opts.palette);
  return ptr;
}

/** The options struct: one f64 per field, as many as the tracer reads. */
export function writeOptions(ex: TracerExports, fields: number[]) {
  if (fields.length !== ex.optionCount()) throw new TraceError("trace_failed", "tracer options mismatch");
  const ptr = ex.alloc(fields.length * 8);
  new Float64Array(ex.memory.buffer, ptr, fields.length).set(fields);
  return ptr;
}

/** The header's pixel count, refused over the input limit (or over the trace limit when oversize is an error). */
export function checkHeaderSize(
  header: { width: number; height: number },
  opts: ResolvedTraceOptions,
): number {
  const pixels = header.width * header.height;
  if (pixels > opts.maxInputPixels || (pixels > opts.maxPixels && opts.onOversize === "error")) {
    const limit = opts.onOversize === "error" ? opts.maxPixels : opts.maxInputPixels;
    throw new TraceError(
      "too_many_pixels",
      `Image has ${pixels} pixels, limit ${Math.min(limit, opts.maxInputPixels)}`,
      {
        pixels,
        limit,
        width: header.width,
        height: header.height,
      },
    );
  }
  return pixels;
}

/** The decoder's pixels; whatever it throws is a corrupt image. */
export async function decodeWith(
  decoder: Decoder,
  bytes: Uint8Array,
  format: ImageFormat,
): Promise<RgbaImage> {
  try {
    return await decoder(bytes);
  } catch (e) {
    throw new TraceError("corrupt_image", `Could not decode ${format}: ${(e as Error)?.message ?? e}`);
  }
}
