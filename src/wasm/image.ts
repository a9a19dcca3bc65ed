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

const corrupt = (why: string) => new TraceError("corrupt_image", `Corrupt or truncated image: ${why}`);

/** Reads format and size from the header only (no decoding). */
export function readHeader(bytes: Uint8Array): ImageHeader {
  const b = bytes;
  const u32be = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  const u16le = (o: number) => b[o]! | (b[o + 1]! << 8);
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    if (b.length < 33) throw corrupt("PNG header truncated");
    if (String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== "IHDR") throw corrupt("PNG without IHDR");
    const width = u32be(16);
    const height = u32be(20);
    if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw corrupt("PNG size");
    return { format: "png", width, height };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    let o = 2;
    while (o + 4 <= b.length) {
      if (b[o] !== 0xff) throw corrupt("JPEG marker expected");
      const marker = b[o + 1]!;
      if (marker === 0xff) {
        o++;
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        o += 2;
        continue;
      }
      const len = (b[o + 2]! << 8) | b[o + 3]!;
      if (len < 2) throw corrupt("JPEG segment length");
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        if (o + 9 > b.length) break;
        const height = (b[o + 5]! << 8) | b[o + 6]!;
        const width = (b[o + 7]! << 8) | b[o + 8]!;
        if (width === 0 || height === 0) throw corrupt("JPEG size");
        return { format: "jpeg", width, height };
      }
      if (marker === 0xd9 || marker === 0xda) break;
      o += 2 + len;
    }
    throw corrupt("JPEG without frame header");
  }
  if (
    b.length >= 12 &&
    String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!) === "RIFF" &&
    String.fromCharCode(b[8]!, b[9]!, b[10]!, b[11]!) === "WEBP"
  ) {
    if (b.length < 30) throw corrupt("WebP header truncated");
    const chunk = String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!);
    let width = 0;
    let height = 0;
    if (chunk === "VP8 ") {
      if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw corrupt("VP8 start code");
      width = u16le(26) & 0x3fff;
      height = u16le(28) & 0x3fff;
    } else if (chunk === "VP8L") {
      if (b[20] !== 0x2f) throw corrupt("VP8L signature");
      const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
      width = (bits & 0x3fff) + 1;
      height = ((bits >>> 14) & 0x3fff) + 1;
    } else if (chunk === "VP8X") {
      width = (b[24]! | (b[25]! << 8) | (b[26]! << 16)) + 1;
      height = (b[27]! | (b[28]! << 8) | (b[29]! << 16)) + 1;
    } else {
      throw corrupt(`unknown WebP chunk ${JSON.stringify(chunk)}`);
    }
    if (width === 0 || height === 0) throw corrupt("WebP size");
    return { format: "webp", width, height };
  }
  throw new TraceError("unsupported_format", "Unsupported image format: expected PNG, JPEG or WebP");
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
    for (let y = rowStart; y < yEnd; y++) {
      const row = y * sw * 4;
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
    for (let tx = 0; tx < tw; tx++) {
      const o = tx * 5;
      const a = acc[o + 3]!;
      const n = acc[o + 4]! || 1;
      const p = (oy * tw + tx) * 4;
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
    rowStart = yEnd;
    oy++;
  }
}
