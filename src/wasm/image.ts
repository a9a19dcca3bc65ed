import { ImageProblem, readDimensions } from "../lib/image-header";
import { TraceError } from "./errors";

export type ImageFormat = "png" | "jpeg" | "webp";

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** RGBA pixels, 8 bits per channel, not premultiplied (the shape of ImageData). */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

const FORMATS: { format: ImageFormat; mime: string; matches: (b: Uint8Array) => boolean }[] = [
  {
    format: "png",
    mime: "image/png",
    matches: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  },
  { format: "jpeg", mime: "image/jpeg", matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    format: "webp",
    mime: "image/webp",
    matches: (b) =>
      b.length >= 12 &&
      String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!) === "RIFF" &&
      String.fromCharCode(b[8]!, b[9]!, b[10]!, b[11]!) === "WEBP",
  },
];

/** Reads format and size from the header only (no decoding), with the library's header reader. */
export function readHeader(bytes: Uint8Array): ImageHeader {
  const known = bytes.length >= 4 ? FORMATS.find((f) => f.matches(bytes)) : undefined;
  if (!known)
    throw new TraceError("unsupported_format", "Unsupported image format: expected PNG, JPEG or WebP");
  try {
    const size = readDimensions(known.mime, bytes)!;
    return { format: known.format, width: size.width, height: size.height };
  } catch (error) {
    if (error instanceof ImageProblem)
      throw new TraceError("corrupt_image", `Corrupt or truncated image: ${error.message}`);
    throw error;
  }
}

/** Target size for tracing an image of w x h under a pixel cap (aspect kept, at least 1 x 1). */
export function fitToCap(w: number, h: number, cap: number): { width: number; height: number } {
  if (w * h <= cap) return { width: w, height: h };
  const s = Math.sqrt(cap / (w * h));
  let width = Math.max(1, Math.floor(w * s));
  let height = Math.max(1, Math.floor(h * s));
  while (width * height > cap) {
    if (width >= height && width > 1) width--;
    else if (height > 1) height--;
    else break;
  }
  return { width, height };
}

/**
 * Adds one source row (starting at byte `row`) to each target column's sums in `acc`: alpha-weighted
 * r, g, b, then alpha, then the number of source pixels (five per column).
 */
function accumulateRow(
  data: Uint8ClampedArray | Uint8Array,
  row: number,
  sw: number,
  x0s: Int32Array,
  acc: Float64Array,
) {
  const tw = x0s.length - 1;
  for (let tx = 0; tx < tw; tx++) {
    const xs = x0s[tx]!;
    const xe = Math.max(xs + 1, x0s[tx + 1]!);
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let x = xs; x < xe && x < sw; x++) {
      const p = row + x * 4;
      const al = data[p + 3]!;
      r += data[p]! * al;
      g += data[p + 1]! * al;
      b += data[p + 2]! * al;
      a += al;
    }
    const o = tx * 5;
    acc[o]! += r;
    acc[o + 1]! += g;
    acc[o + 2]! += b;
    acc[o + 3]! += a;
    acc[o + 4]! += Math.min(xe, sw) - xs;
  }
}

/** One target row from the sums: colour un-weighted by alpha (black where nothing shows), mean alpha. */
function writeAveraged(acc: Float64Array, out: Uint8Array, start: number) {
  const tw = acc.length / 5;
  for (let tx = 0; tx < tw; tx++) {
    const o = tx * 5;
    const a = acc[o + 3]!;
    const n = acc[o + 4]! || 1;
    const p = start + tx * 4;
    if (a > 0) {
      out[p] = Math.round(acc[o]! / a);
      out[p + 1] = Math.round(acc[o + 1]! / a);
      out[p + 2] = Math.round(acc[o + 2]! / a);
    } else {
      out[p] = 0;
      out[p + 1] = 0;
      out[p + 2] = 0;
    }
    out[p + 3] = Math.round(a / n);
  }
}

/**
 * Area-average downscale with alpha weighting (no dark fringes at transparent edges),
 * written into `out` (tw * th * 4 bytes).
 */
export function downscaleInto(src: RgbaImage, tw: number, th: number, out: Uint8Array): void {
  const { data, width: sw, height: sh } = src;
  const x0s = new Int32Array(tw + 1);
  for (let x = 0; x <= tw; x++) x0s[x] = Math.min(sw, Math.floor((x * sw) / tw));
  const acc = new Float64Array(tw * 5);
  let oy = 0;
  let rowStart = 0;
  for (let ty = 0; ty < th; ty++) {
    const yEnd = Math.max(rowStart + 1, Math.min(sh, Math.floor(((ty + 1) * sh) / th)));
    acc.fill(0);
    for (let y = rowStart; y < yEnd; y++) accumulateRow(data, y * sw * 4, sw, x0s, acc);
    writeAveraged(acc, out, oy * tw * 4);
    rowStart = yEnd;
    oy++;
  }
}
