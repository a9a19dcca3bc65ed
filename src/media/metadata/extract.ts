import exifr from "exifr";
import type { RawMetadata } from "./capture";

/**
 * Photo metadata from a file's EXIF and XMP blocks (see capture.ts), read with exifr. exifr reads
 * whole files, so the blocks are handed to it as a minimal JPEG (SOI, APP1 EXIF, APP1 XMP, EOI),
 * whatever format they came from. Only what the library shows or sorts by is kept; every string is
 * cleaned and capped, numbers must be finite. A block exifr can't read gives no metadata, never an
 * error: metadata never stops an upload.
 */
export interface MediaMetadata {
  /** When the photo was taken, as UTC; with no time zone recorded, the camera's clock read as UTC. */
  takenAt: string | null;
  /** The camera's wall-clock time (`2021-07-14T15:32:10`) and its UTC offset when recorded. */
  takenLocal?: string;
  takenOffset?: string;
  make?: string;
  model?: string;
  lens?: string;
  /** EXIF orientation 1–8 (1: as stored; 6: turn 90° clockwise to view). */
  orientation?: number;
  exposureTime?: number;
  fNumber?: number;
  iso?: number;
  focalLength?: number;
  title?: string;
  /** Decimal degrees. Private: never shown on share pages. */
  gps?: { latitude: number; longitude: number; altitude?: number };
}

const XMP_NS = new TextEncoder().encode("http://ns.adobe.com/xap/1.0/\0");

function segment(marker: number, parts: Uint8Array[]): Uint8Array | null {
  const length = parts.reduce((n, p) => n + p.length, 2);
  if (length > 0xffff) return null;
  const out = new Uint8Array(length + 2);
  out.set([0xff, marker, length >> 8, length & 255]);
  let at = 4;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function asJpeg(raw: RawMetadata): Uint8Array {
  const segments = [
    raw.exif ? segment(0xe1, [new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0]), raw.exif]) : null,
    raw.xmp ? segment(0xe1, [XMP_NS, raw.xmp]) : null,
  ].filter((s): s is Uint8Array => s !== null);
  const size = 4 + segments.reduce((n, s) => n + s.length, 0);
  const out = new Uint8Array(size);
  out.set([0xff, 0xd8]);
  let at = 2;
  for (const s of segments) {
    out.set(s, at);
    at += s.length;
  }
  out.set([0xff, 0xd9], at);
  return out;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
function text(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && "value" in value)
    value = (value as { value: unknown }).value;
  if (typeof value !== "string") return undefined;
  const cleaned = value.replace(CONTROL, "").trim().slice(0, 100);
  return cleaned || undefined;
}
function number(value: unknown): number | undefined {
  const n = Array.isArray(value) ? value[0] : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? Math.round(n * 1e6) / 1e6 : undefined;
}

/** `2021:07:14 15:32:10[.sss][+02:00]` (EXIF) or `2021-07-14T15:32:10[Z|+02:00]` (XMP). */
function parseDate(value: unknown, offset?: unknown): { local: string; offset?: string } | null {
  if (typeof value !== "string") return null;
  const m =
    /^(\d{4})[:-](\d{2})[:-](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      value.trim(),
    );
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", zone] = m;
  const year = Number(y);
  if (year < 1826 || year > 2200 || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31)
    return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  const zoneText = zone ?? (typeof offset === "string" ? offset.trim() : undefined);
  const z = zoneText === "Z" ? "+00:00" : zoneText?.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  return { local, ...(z && /^[+-]\d{2}:\d{2}$/.test(z) ? { offset: z } : {}) };
}

function utc(taken: { local: string; offset?: string }): string | null {
  const t = Date.parse(`${taken.local}${taken.offset ?? "Z"}`);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

function degrees(value: unknown, ref: unknown): number | undefined {
  const parts = Array.isArray(value) ? value : [value];
  if (parts.length === 0 || !parts.every((p) => typeof p === "number" && Number.isFinite(p)))
    return undefined;
  const [d = 0, m = 0, s = 0] = parts as number[];
  const sign = typeof ref === "string" && /^[SW]/i.test(ref) ? -1 : 1;
  return Math.round(sign * (d + m / 60 + s / 3600) * 1e6) / 1e6;
}

type Block = Record<string, unknown>;

/** The blocks exifr found (TIFF's ifd0, exif, gps, xmp, photoshop, dc), or null when none could be read. */
async function parseBlocks(raw: RawMetadata): Promise<Record<string, Block | undefined> | null> {
  try {
    const parsed = await exifr.parse(asJpeg(raw), {
      tiff: true,
      ifd0: true,
      exif: true,
      gps: true,
      xmp: true,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      interop: false,
      ifd1: false,
      mergeOutput: false,
      reviveValues: false,
      translateValues: false,
    } as never);
    return parsed ?? null;
  } catch {
    return null;
  }
}

/** When the picture was taken: EXIF's original, then digitized time, then Photoshop's and XMP's dates. */
function takenOf(exif: Block, photoshop: Block, xmp: Block) {
  return (
    parseDate(exif.DateTimeOriginal, exif.OffsetTimeOriginal) ??
    parseDate(exif.CreateDate ?? exif.DateTimeDigitized, exif.OffsetTimeDigitized) ??
    parseDate(photoshop.DateCreated) ??
    parseDate(xmp.CreateDate)
  );
}

/** The GPS position, when both coordinates are there and on the globe. */
function gpsOf(gps: Block): MediaMetadata["gps"] | undefined {
  const latitude = degrees(gps.GPSLatitude, gps.GPSLatitudeRef);
  const longitude = degrees(gps.GPSLongitude, gps.GPSLongitudeRef);
  if (latitude === undefined || longitude === undefined) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  const altitude = number(gps.GPSAltitude);
  return { latitude, longitude, ...(altitude !== undefined ? { altitude } : {}) };
}

/** EXIF orientation 1–8, else undefined. */
function orientationOf(value: unknown): number | undefined {
  const orientation = Number(value);
  return Number.isInteger(orientation) && orientation >= 1 && orientation <= 8 ? orientation : undefined;
}

export async function extractMetadata(raw: RawMetadata): Promise<MediaMetadata | null> {
  if (!raw.exif && !raw.xmp) return null;
  const parsed = await parseBlocks(raw);
  if (!parsed) return null;
  const ifd0 = parsed.ifd0 ?? {};
  const exif = parsed.exif ?? {};
  const taken = takenOf(exif, parsed.photoshop ?? {}, parsed.xmp ?? {});
  const out: MediaMetadata = { takenAt: taken ? utc(taken) : null };
  if (taken && out.takenAt) {
    out.takenLocal = taken.local;
    if (taken.offset) out.takenOffset = taken.offset;
  }
  const assign = <K extends keyof MediaMetadata>(key: K, value: MediaMetadata[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  assign("make", text(ifd0.Make));
  assign("model", text(ifd0.Model));
  assign("lens", text(exif.LensModel));
  assign("orientation", orientationOf(ifd0.Orientation));
  assign("exposureTime", number(exif.ExposureTime));
  assign("fNumber", number(exif.FNumber));
  assign("iso", number(exif.ISO));
  assign("focalLength", number(exif.FocalLength));
  assign("title", text(parsed.dc?.title));
  assign("gps", gpsOf(parsed.gps ?? {}));
  return out;
}
