/**
 * Image sizes read from headers, without decoding a pixel, and a streaming structural check of PNG
 * (the format decompression bombs favour). Everything here is bounds-checked: hostile input gives an
 * `ImageProblem`, never an exception from reading past the end.
 */
export class ImageProblem extends Error {
  constructor(
    readonly code: "invalid_image" | "image_bomb",
    message: string,
  ) {
    super(message);
  }
}

export interface Dimensions {
  width: number;
  height: number;
}

const u32be = (b: Uint8Array, o: number) =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const u16be = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u16le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u24le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
const invalid = (message: string) => new ImageProblem("invalid_image", message);

/** Width and height for raster types we know; null for types without a cheap header (or non-images). */
export function readDimensions(mime: string, head: Uint8Array): Dimensions | null {
  switch (mime) {
    case "image/png":
      return pngDimensions(head);
    case "image/jpeg":
      return jpegDimensions(head);
    case "image/gif":
      if (head.length < 10) throw invalid("The GIF header is truncated.");
      return nonZero({ width: u16le(head, 6), height: u16le(head, 8) }, "GIF");
    case "image/webp":
      return webpDimensions(head);
    case "image/bmp": {
      if (head.length < 26) throw invalid("The BMP header is truncated.");
      const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
      return nonZero(
        { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) },
        "BMP",
      );
    }
    default:
      return null;
  }
}

function nonZero(d: Dimensions, format: string): Dimensions {
  if (d.width === 0 || d.height === 0) throw invalid(`The ${format} header says the image is empty.`);
  return d;
}

const PNG_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function pngDimensions(b: Uint8Array): Dimensions {
  if (b.length < 33) throw invalid("The PNG is truncated before its header ends.");
  if (u32be(b, 8) !== 13 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== "IHDR")
    throw invalid("The PNG does not start with an IHDR chunk.");
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const depth = b[24]!;
  const colorType = b[25]!;
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff)
    throw invalid("The PNG header has an impossible size.");
  if (!PNG_DEPTHS[colorType]?.includes(depth))
    throw invalid("The PNG header has an invalid bit depth or colour type.");
  if (b[26] !== 0 || b[27] !== 0 || b[28]! > 1)
    throw invalid("The PNG header uses an unknown compression, filter or interlace method.");
  return { width, height };
}

/** Bytes to step over a marker with no length after it: a fill byte (1), SOI, TEM or RSTn (2); else 0. */
function bareMarkerSize(marker: number): number {
  if (marker === 0xff) return 1;
  return marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) ? 2 : 0;
}

/** SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames. */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpegDimensions(b: Uint8Array): Dimensions {
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) throw invalid("The JPEG has a broken marker structure.");
    const marker = b[o + 1]!;
    const bare = bareMarkerSize(marker);
    if (bare) {
      o += bare;
      continue;
    }
    const len = u16be(b, o + 2);
    if (len < 2) throw invalid("The JPEG has a segment with an impossible length.");
    if (isStartOfFrame(marker)) {
      if (o + 9 > b.length) break;
      return nonZero({ height: u16be(b, o + 5), width: u16be(b, o + 7) }, "JPEG");
    }
    if (marker === 0xd9 || marker === 0xda) break;
    o += 2 + len;
  }
  throw invalid("The JPEG has no frame header where one is expected (truncated or not a JPEG).");
}

function webpDimensions(b: Uint8Array): Dimensions {
  if (b.length < 30) throw invalid("The WebP header is truncated.");
  const chunk = String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!);
  if (chunk === "VP8 ") {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a)
      throw invalid("The WebP (VP8) frame tag is wrong.");
    return nonZero({ width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff }, "WebP");
  }
  if (chunk === "VP8L") {
    if (b[20] !== 0x2f) throw invalid("The WebP (VP8L) signature is wrong.");
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  throw invalid("The WebP has no image chunk where one is expected.");
}

/** Chunks a decoder inflates besides IDAT: a "text bomb" hides in these. */
const COMPRESSED_ANCILLARY = new Set(["zTXt", "iTXt", "iCCP"]);
const MAX_ANCILLARY_COMPRESSED = 1024 * 1024;
const MAX_CHUNK = 0x7fffffff;

/**
 * The byte walk that PNG and RIFF chunk readers share as a file streams past in pieces: skips
 * `skip` bytes (a signature, or a chunk body the reader does not want), then collects the next
 * 8-byte chunk header, however the pieces split it. The reader sets `skip` from each header.
 */
export class ChunkHeaderReader {
  readonly header = new Uint8Array(8);
  private fill = 0;

  constructor(public skip: number) {}

  /** Consumes skipped or header bytes of `chunk` from `i`; returns the index after them. */
  read(chunk: Uint8Array, i: number): number {
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length - i);
      this.skip -= n;
      return i + n;
    }
    const n = Math.min(8 - this.fill, chunk.length - i);
    this.header.set(chunk.subarray(i, i + n), this.fill);
    this.fill += n;
    return i + n;
  }

  /** True once for each whole header read (`header` holds it until the next `read`). */
  takeHeader(): boolean {
    if (this.fill < 8) return false;
    this.fill = 0;
    return true;
  }
}

/**
 * Walks PNG chunks as bytes stream past (constant memory): refuses bad chunk names and lengths,
 * oversized compressed ancillary chunks, IDAT before IHDR, and a file that ends before IEND.
 */
export class PngChunkWalker {
  private readonly reader = new ChunkHeaderReader(8); // the signature, checked by sniffing
  private seenIhdr = false;
  private seenIdat = false;
  private done = false;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.done) {
      i = this.reader.read(chunk, i);
      const h = this.reader.header;
      if (this.reader.takeHeader()) this.onChunk(u32be(h, 0), h.subarray(4, 8));
    }
  }

  private onChunk(length: number, typeBytes: Uint8Array): void {
    const type = String.fromCharCode(...typeBytes);
    if (!/^[A-Za-z]{4}$/.test(type))
      throw invalid("The PNG has a corrupt chunk (its bytes are not PNG after the header).");
    if (length > MAX_CHUNK) throw invalid("The PNG has a chunk with an impossible length.");
    if (!this.seenIhdr && type !== "IHDR") throw invalid("The PNG does not start with IHDR.");
    if (type === "IHDR") {
      if (this.seenIhdr || length !== 13) throw invalid("The PNG has a malformed IHDR.");
      this.seenIhdr = true;
    }
    if (type === "IDAT") this.seenIdat = true;
    if (COMPRESSED_ANCILLARY.has(type) && length > MAX_ANCILLARY_COMPRESSED)
      throw new ImageProblem(
        "image_bomb",
        `The PNG has an oversized compressed ${type} chunk (${length} bytes).`,
      );
    if (type === "IEND") {
      if (!this.seenIdat) throw invalid("The PNG has no image data.");
      this.done = true;
      return;
    }
    this.reader.skip = length + 4; // data + CRC
  }

  /** Call at end of stream. */
  finish(): void {
    if (!this.done) throw invalid("The PNG is truncated (it ends before its IEND chunk).");
  }
}
