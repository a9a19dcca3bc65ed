import { ChunkHeaderReader } from "../../lib/image-header";

/**
 * Collects a file's EXIF (a TIFF structure) and XMP (an XML packet) as its bytes stream past, for
 * the three formats that carry them: JPEG (APP1 segments, always before the image data, so in the
 * head), PNG (`eXIf` and `iTXt XML:com.adobe.xmp` chunks) and WebP (`EXIF` and `XMP ` chunks, which
 * come after the image data). Memory is bounded: each block is kept up to MAX_BLOCK bytes, bigger
 * ones are ignored. Structure errors are the Inspector's business; here they just stop the capture.
 */
export const MAX_BLOCK = 64 * 1024 - 64;

export interface RawMetadata {
  exif: Uint8Array | null;
  xmp: Uint8Array | null;
}

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const XMP_NS = "http://ns.adobe.com/xap/1.0/\0";
const XMP_KEYWORD = "XML:com.adobe.xmp";

const startsWith = (b: Uint8Array, sig: number[], at = 0) =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** EXIF blocks sometimes keep the JPEG "Exif\0\0" header; the TIFF structure starts after it. */
const tiffOnly = (b: Uint8Array) => (startsWith(b, EXIF_HEADER) ? b.subarray(6) : b);

/** A fill byte, TEM or RSTn/SOI: markers without a length. */
const standalone = (marker: number) =>
  marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);

/** An APP1 segment holds EXIF or XMP; the first of each is kept. */
function keepApp1(out: RawMetadata, body: Uint8Array): void {
  if (!out.exif && startsWith(body, EXIF_HEADER)) out.exif = body.subarray(6);
  else if (!out.xmp && ascii(body, 0, XMP_NS.length) === XMP_NS) out.xmp = body.subarray(XMP_NS.length);
}

/** JPEG: APP1 segments before the first scan. */
export function jpegMetadata(head: Uint8Array): RawMetadata {
  const out: RawMetadata = { exif: null, xmp: null };
  let o = 2;
  while (o + 4 <= head.length && head[o] === 0xff) {
    const marker = head[o + 1]!;
    if (marker === 0xda || marker === 0xd9) break;
    if (standalone(marker)) {
      o += marker === 0xff ? 1 : 2;
      continue;
    }
    const len = (head[o + 2]! << 8) | head[o + 3]!;
    const body = head.subarray(o + 4, Math.min(head.length, o + 2 + len));
    if (marker === 0xe1 && body.length === len - 2) keepApp1(out, body);
    o += 2 + len;
  }
  return out;
}

/** PNG and WebP: walks the chunks as they stream, keeping the metadata chunks' bodies. */
export class ChunkCapture {
  // PNG: skips the signature; WebP: "RIFF" size "WEBP".
  private readonly reader: ChunkHeaderReader;
  private body: { type: string; data: Uint8Array; fill: number } | null = null;
  private stopped = false;
  readonly found: RawMetadata = { exif: null, xmp: null };

  constructor(private readonly format: "png" | "webp") {
    this.reader = new ChunkHeaderReader(format === "png" ? 8 : 12);
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.stopped) {
      if (this.body) {
        i = this.fillBody(this.body, chunk, i);
        continue;
      }
      i = this.reader.read(chunk, i);
      if (this.reader.takeHeader()) this.onChunk();
    }
  }

  private fillBody(body: { type: string; data: Uint8Array; fill: number }, chunk: Uint8Array, i: number) {
    const n = Math.min(body.data.length - body.fill, chunk.length - i);
    body.data.set(chunk.subarray(i, i + n), body.fill);
    body.fill += n;
    if (body.fill === body.data.length) {
      this.keep(body.type, body.data);
      this.body = null;
    }
    return i + n;
  }

  private onChunk(): void {
    const h = this.reader.header;
    const png = this.format === "png";
    const length = png
      ? ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0
      : (h[4]! | (h[5]! << 8) | (h[6]! << 16) | (h[7]! << 24)) >>> 0;
    const type = png ? ascii(h, 4, 8) : ascii(h, 0, 4);
    if (!/^[A-Za-z0-9 ]{4}$/.test(type) || (png && type === "IEND")) {
      this.stopped = true;
      return;
    }
    // PNG chunks end with a CRC; RIFF chunks are padded to an even length.
    const after = png ? 4 : length & 1;
    const wanted = png ? type === "eXIf" || type === "iTXt" : type === "EXIF" || type === "XMP ";
    if (wanted && length <= MAX_BLOCK) {
      this.body = { type, data: new Uint8Array(length), fill: 0 };
      this.reader.skip = after;
      if (length === 0) this.body = null;
    } else {
      this.reader.skip = length + after;
    }
  }

  private keep(type: string, data: Uint8Array): void {
    if ((type === "eXIf" || type === "EXIF") && !this.found.exif) this.found.exif = tiffOnly(data);
    else if (type === "XMP " && !this.found.xmp) this.found.xmp = data;
    else if (type === "iTXt" && !this.found.xmp) {
      // keyword \0 compression-flag compression-method language \0 translated-keyword \0 text
      const end = data.indexOf(0);
      if (end < 0 || ascii(data, 0, end) !== XMP_KEYWORD || data[end + 1] !== 0) return;
      let at = data.indexOf(0, end + 3);
      if (at < 0) return;
      at = data.indexOf(0, at + 1);
      if (at >= 0) this.found.xmp = data.subarray(at + 1);
    }
  }
}
