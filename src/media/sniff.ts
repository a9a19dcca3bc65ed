/**
 * Decides a file's type from its first bytes (magic numbers), never from its name or the client's
 * Content-Type. The name only serves to refuse a file whose extension claims another type.
 */
export type MediaKind = "image" | "video" | "audio" | "document" | "archive" | "text" | "other";

export interface Sniffed {
  mime: string;
  kind: MediaKind;
}

const OCTET: Sniffed = { mime: "application/octet-stream", kind: "other" };

/** How many leading bytes detection looks at (also enough for image headers). */
export const SNIFF_BYTES = 64 * 1024;

const ascii = (b: Uint8Array, offset: number, text: string) => {
  if (b.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[offset + i] !== text.charCodeAt(i)) return false;
  return true;
};
const bytesAt = (b: Uint8Array, offset: number, sig: number[]) =>
  b.length >= offset + sig.length && sig.every((v, i) => b[offset + i] === v);

const type = (mime: string, kind: MediaKind): Sniffed => ({ mime, kind });

/** Magic numbers, first match wins: each a test of the head and the type it means (or decides it). */
const SIGNATURES: [test: (b: Uint8Array) => boolean, type: Sniffed | ((b: Uint8Array) => Sniffed)][] = [
  [(b) => bytesAt(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), type("image/png", "image")],
  [(b) => bytesAt(b, 0, [0xff, 0xd8, 0xff]), type("image/jpeg", "image")],
  [(b) => ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a"), type("image/gif", "image")],
  [(b) => ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP"), type("image/webp", "image")],
  [(b) => ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE"), type("audio/wav", "audio")],
  [(b) => ascii(b, 0, "RIFF") && ascii(b, 8, "AVI "), type("video/x-msvideo", "video")],
  [(b) => ascii(b, 0, "BM") && b.length >= 26 && b[14]! >= 12 && b[15] === 0, type("image/bmp", "image")],
  [
    (b) => bytesAt(b, 0, [0x49, 0x49, 0x2a, 0x00]) || bytesAt(b, 0, [0x4d, 0x4d, 0x00, 0x2a]),
    type("image/tiff", "image"),
  ],
  [(b) => bytesAt(b, 0, [0x00, 0x00, 0x01, 0x00]) && b.length > 6, type("image/x-icon", "image")],
  [(b) => ascii(b, 0, "%PDF-"), type("application/pdf", "document")],
  [(b) => ascii(b, 4, "ftyp"), isoFlavour],
  [(b) => bytesAt(b, 0, [0x1a, 0x45, 0xdf, 0xa3]), matroskaFlavour],
  [
    (b) => ascii(b, 0, "ID3") || (b.length > 2 && b[0] === 0xff && (b[1]! & 0xe6) === 0xe2),
    type("audio/mpeg", "audio"),
  ],
  [(b) => ascii(b, 0, "fLaC"), type("audio/flac", "audio")],
  [(b) => ascii(b, 0, "OggS"), type("audio/ogg", "audio")],
  [(b) => ascii(b, 0, "PK\x03\x04") || ascii(b, 0, "PK\x05\x06"), zipFlavour],
  [
    (b) => bytesAt(b, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    type("application/x-ole-storage", "document"),
  ],
  [(b) => bytesAt(b, 0, [0x1f, 0x8b]), type("application/gzip", "archive")],
  [(b) => ascii(b, 0, "7z\xbc\xaf\x27\x1c"), type("application/x-7z-compressed", "archive")],
  [(b) => ascii(b, 0, "Rar!\x1a\x07"), type("application/vnd.rar", "archive")],
  [(b) => ascii(b, 0, "BZh"), type("application/x-bzip2", "archive")],
  [(b) => bytesAt(b, 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), type("application/x-xz", "archive")],
  [(b) => bytesAt(b, 0, [0x28, 0xb5, 0x2f, 0xfd]), type("application/zstd", "archive")],
  [(b) => ascii(b, 257, "ustar"), type("application/x-tar", "archive")],
  [(b) => ascii(b, 0, "wOFF") || ascii(b, 0, "wOF2"), type("font/woff", "other")],
];

/** The type the bytes say, or null when nothing recognises them (unknown binary). */
export function sniff(head: Uint8Array): Sniffed | null {
  for (const [test, decided] of SIGNATURES)
    if (test(head)) return typeof decided === "function" ? decided(head) : { ...decided };
  return sniffText(head);
}

/** ISO base media files (`ftyp`): the major brand says which. */
function isoFlavour(b: Uint8Array): Sniffed {
  const brand = String.fromCharCode(...b.subarray(8, 12));
  if (brand === "avif" || brand === "avis") return type("image/avif", "image");
  if (brand === "heic" || brand === "heix" || brand === "mif1") return type("image/heic", "image");
  if (brand.startsWith("M4A") || brand.startsWith("M4B")) return type("audio/mp4", "audio");
  if (brand === "qt  ") return type("video/quicktime", "video");
  return type("video/mp4", "video");
}

/** EBML files: WebM names its doc type in the head, other Matroska does not. */
function matroskaFlavour(b: Uint8Array): Sniffed {
  const probe = String.fromCharCode(...b.subarray(0, Math.min(b.length, 64)));
  return probe.includes("webm") ? type("video/webm", "video") : type("video/x-matroska", "video");
}

/** Office Open XML and OpenDocument files are zips; their first entry names say which. */
function zipFlavour(b: Uint8Array): Sniffed {
  const probe = new TextDecoder("latin1").decode(b.subarray(0, Math.min(b.length, 4096)));
  if (probe.includes("mimetypeapplication/vnd.oasis.opendocument.text"))
    return { mime: "application/vnd.oasis.opendocument.text", kind: "document" };
  if (probe.includes("mimetypeapplication/vnd.oasis.opendocument.spreadsheet"))
    return { mime: "application/vnd.oasis.opendocument.spreadsheet", kind: "document" };
  if (probe.includes("word/"))
    return {
      mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      kind: "document",
    };
  if (probe.includes("xl/"))
    return { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", kind: "document" };
  if (probe.includes("ppt/"))
    return {
      mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      kind: "document",
    };
  return { mime: "application/zip", kind: "archive" };
}

/** UTF-8 without NUL or stray control bytes is text; SVG is text whose root element is `<svg`. */
function sniffText(b: Uint8Array): Sniffed | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(b, { stream: true });
  } catch {
    return null;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for binary control bytes on purpose
  if (/[\x00-\x08\x0e-\x1a\x1c-\x1f]/.test(text)) return null;
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(start))
    return { mime: "image/svg+xml", kind: "image" };
  if (/^<\?xml/i.test(start)) return { mime: "application/xml", kind: "text" };
  if (/^[[{]/.test(start) && isJsonish(start)) return { mime: "application/json", kind: "text" };
  return { mime: "text/plain", kind: "text" };
}

function isJsonish(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return text.length >= SNIFF_BYTES - 8; // too long to judge from the head; trust the bracket
  }
}

/** What a file-name extension claims, and which detected types are consistent with that claim. */
const EXTENSIONS: Record<string, { mimes: string[]; as?: Sniffed }> = {
  png: { mimes: ["image/png"] },
  jpg: { mimes: ["image/jpeg"] },
  jpeg: { mimes: ["image/jpeg"] },
  jpe: { mimes: ["image/jpeg"] },
  jfif: { mimes: ["image/jpeg"] },
  gif: { mimes: ["image/gif"] },
  webp: { mimes: ["image/webp"] },
  svg: { mimes: ["image/svg+xml"] },
  bmp: { mimes: ["image/bmp"] },
  tif: { mimes: ["image/tiff"] },
  tiff: { mimes: ["image/tiff"] },
  ico: { mimes: ["image/x-icon"] },
  avif: { mimes: ["image/avif"] },
  heic: { mimes: ["image/heic"] },
  pdf: { mimes: ["application/pdf"] },
  mp3: { mimes: ["audio/mpeg"] },
  wav: { mimes: ["audio/wav"] },
  flac: { mimes: ["audio/flac"] },
  ogg: { mimes: ["audio/ogg"] },
  oga: { mimes: ["audio/ogg"] },
  opus: { mimes: ["audio/ogg"] },
  m4a: { mimes: ["audio/mp4", "video/mp4"], as: { mime: "audio/mp4", kind: "audio" } },
  mp4: { mimes: ["video/mp4", "audio/mp4"] },
  m4v: { mimes: ["video/mp4"] },
  mov: { mimes: ["video/quicktime", "video/mp4"] },
  webm: { mimes: ["video/webm", "video/x-matroska"] },
  mkv: { mimes: ["video/x-matroska", "video/webm"] },
  avi: { mimes: ["video/x-msvideo"] },
  zip: { mimes: ["application/zip"] },
  gz: { mimes: ["application/gzip"] },
  tgz: { mimes: ["application/gzip"] },
  tar: { mimes: ["application/x-tar"] },
  "7z": { mimes: ["application/x-7z-compressed"] },
  rar: { mimes: ["application/vnd.rar"] },
  bz2: { mimes: ["application/x-bzip2"] },
  xz: { mimes: ["application/x-xz"] },
  zst: { mimes: ["application/zstd"] },
  docx: {
    mimes: ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"],
    as: { mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", kind: "document" },
  },
  xlsx: {
    mimes: ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"],
    as: { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", kind: "document" },
  },
  pptx: {
    mimes: ["application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"],
    as: {
      mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      kind: "document",
    },
  },
  odt: { mimes: ["application/vnd.oasis.opendocument.text", "application/zip"] },
  ods: { mimes: ["application/vnd.oasis.opendocument.spreadsheet", "application/zip"] },
  doc: { mimes: ["application/x-ole-storage"], as: { mime: "application/msword", kind: "document" } },
  xls: { mimes: ["application/x-ole-storage"], as: { mime: "application/vnd.ms-excel", kind: "document" } },
  ppt: {
    mimes: ["application/x-ole-storage"],
    as: { mime: "application/vnd.ms-powerpoint", kind: "document" },
  },
  txt: { mimes: ["text/plain"] },
  md: { mimes: ["text/plain"], as: { mime: "text/markdown", kind: "text" } },
  csv: { mimes: ["text/plain"], as: { mime: "text/csv", kind: "text" } },
  json: { mimes: ["application/json", "text/plain"], as: { mime: "application/json", kind: "text" } },
  xml: { mimes: ["application/xml", "text/plain"] },
};

/** Text types a text-ish extension may hold without it being a lie (the "safe generic" class). */
const GENERIC_TEXT = new Set(["text/plain", "application/json", "application/xml"]);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

export type TypeDecision =
  | { ok: true; type: Sniffed }
  | { ok: false; reason: "mismatch"; claimed: string; detected: string }
  | { ok: false; reason: "unknown" };

/**
 * The final type of an upload: the bytes decide; a known extension that claims something else is a
 * lie (415) — unless both are plain text flavours, or the extension is unknown to us.
 */
export function decideType(head: Uint8Array, name: string, allowUnknown: boolean): TypeDecision {
  const detected = sniff(head);
  const ext = extensionOf(name);
  const claim = EXTENSIONS[ext];
  if (!detected) {
    if (claim) return { ok: false, reason: "mismatch", claimed: `.${ext}`, detected: "unrecognised binary" };
    return allowUnknown ? { ok: true, type: OCTET } : { ok: false, reason: "unknown" };
  }
  if (!claim) return { ok: true, type: detected };
  if (claim.mimes.includes(detected.mime)) return { ok: true, type: claim.as ?? detected };
  const claimedText = claim.mimes.some((m) => GENERIC_TEXT.has(m));
  if (claimedText && GENERIC_TEXT.has(detected.mime)) return { ok: true, type: detected };
  return { ok: false, reason: "mismatch", claimed: `.${ext}`, detected: detected.mime };
}
