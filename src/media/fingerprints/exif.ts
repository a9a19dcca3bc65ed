/**
 * When a photo was taken, from its EXIF block: DateTimeOriginal (0x9003) in the Exif IFD, else
 * DateTime (0x0132) in IFD0. Found in JPEG (APP1 "Exif\0\0"), PNG (`eXIf` chunk) and WebP (`EXIF`
 * chunk). EXIF times carry no zone; the time is kept as the camera wrote it, read as UTC. Anything
 * malformed answers null: the date is a filter's input, never a reason to refuse a file.
 */

const DATE_TIME_ORIGINAL = 0x9003;
const DATE_TIME = 0x0132;
const EXIF_IFD = 0x8769;
const ASCII = 2;
const LONG = 4;
/** IFD entries read per directory: a real one has a few dozen; a corrupt count stops here. */
const MAX_ENTRIES = 512;

/** ISO 8601 (`2019-07-14T10:20:30.000Z`) of the picture's date taken, or null. */
export function dateTaken(bytes: Uint8Array): string | null {
  const tiff = exifBlock(bytes);
  return tiff ? readTiff(tiff) : null;
}

/** The TIFF structure inside the file's EXIF block. */
function exifBlock(b: Uint8Array): Uint8Array | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b[0] === 0xff && b[1] === 0xd8) {
    // JPEG: markers up to the first scan; APP1 with the Exif header.
    for (let at = 2; at + 4 <= b.length && b[at] === 0xff; ) {
      const marker = b[at + 1]!;
      if (marker === 0xda || marker === 0xd9) return null;
      const length = view.getUint16(at + 2);
      const body = at + 4;
      if (marker === 0xe1 && ascii(b, body, 6) === "Exif\0\0") return b.subarray(body + 6, at + 2 + length);
      at += 2 + length;
    }
    return null;
  }
  if (ascii(b, 1, 3) === "PNG") {
    for (let at = 8; at + 8 <= b.length; ) {
      const length = view.getUint32(at);
      const type = ascii(b, at + 4, 4);
      if (type === "eXIf") return b.subarray(at + 8, at + 8 + length);
      if (type === "IDAT" || type === "IEND") return null;
      at += 12 + length;
    }
    return null;
  }
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") {
    for (let at = 12; at + 8 <= b.length; ) {
      const length = view.getUint32(at + 4, true);
      if (ascii(b, at, 4) === "EXIF") {
        const block = b.subarray(at + 8, at + 8 + length);
        // Some writers keep the JPEG-style header inside the chunk.
        return ascii(block, 0, 6) === "Exif\0\0" ? block.subarray(6) : block;
      }
      at += 8 + length + (length & 1);
    }
  }
  return null;
}

function readTiff(t: Uint8Array): string | null {
  if (t.length < 8) return null;
  const order = ascii(t, 0, 2);
  if (order !== "II" && order !== "MM") return null;
  const little = order === "II";
  const view = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const u16 = (at: number) => (at + 2 <= t.length ? view.getUint16(at, little) : -1);
  const u32 = (at: number) => (at + 4 <= t.length ? view.getUint32(at, little) : -1);
  if (u16(2) !== 42) return null;

  /** The entries of the directory at `offset`: tag → (type, count, value/offset field position). */
  const directory = (offset: number) => {
    const entries = new Map<number, { type: number; count: number; field: number }>();
    const count = u16(offset);
    for (let i = 0; i < Math.min(count, MAX_ENTRIES); i++) {
      const at = offset + 2 + i * 12;
      if (at + 12 > t.length) break;
      entries.set(u16(at), { type: u16(at + 2), count: u32(at + 4), field: at + 8 });
    }
    return entries;
  };
  const text = (entry?: { type: number; count: number; field: number }) => {
    if (!entry || entry.type !== ASCII || entry.count < 19) return null;
    const at = entry.count > 4 ? u32(entry.field) : entry.field;
    return at < 0 ? null : ascii(t, at, 19);
  };

  const ifd0 = directory(u32(4));
  const pointer = ifd0.get(EXIF_IFD);
  const exif = pointer && pointer.type === LONG ? directory(u32(pointer.field)) : undefined;
  return isoOf(text(exif?.get(DATE_TIME_ORIGINAL))) ?? isoOf(text(ifd0.get(DATE_TIME)));
}

/** "2019:07:14 10:20:30" → "2019-07-14T10:20:30.000Z"; null for blanks ("    :  :  ") and nonsense. */
function isoOf(value: string | null): string | null {
  const m = value && /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  // Date.UTC rolls 2019-02-31 over into March: a date that doesn't round-trip is not a date.
  if (
    y! < 1800 ||
    date.getUTCMonth() !== mo! - 1 ||
    date.getUTCDate() !== d! ||
    h! > 23 ||
    mi! > 59 ||
    s! > 59
  )
    return null;
  return date.toISOString();
}

function ascii(b: Uint8Array, at: number, length: number): string {
  if (at < 0 || at + length > b.length) return "";
  return String.fromCharCode(...b.subarray(at, at + length));
}
