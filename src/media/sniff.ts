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

/** The type the bytes say, or null when nothing recognises them (unknown binary). */
export function sniff(head: Uint8Array): Sniffed | null {
  const b = head;
  if (bytesAt(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { mime: "image/png", kind: "image" };
  if (bytesAt(b, 0, [0xff, 0xd8, 0xff])) return { mime: "image/jpeg", kind: "image" };
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return { mime: "image/gif", kind: "image" };
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) return { mime: "image/webp", kind: "image" };
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) return { mime: "audio/wav", kind: "audio" };
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "AVI ")) return { mime: "video/x-msvideo", kind: "video" };
  if (ascii(b, 0, "BM") && b.length >= 26 && b[14]! >= 12 && b[15] === 0)
    return { mime: "image/bmp", kind: "image" };
  if (bytesAt(b, 0, [0x49, 0x49, 0x2a, 0x00]) || bytesAt(b, 0, [0x4d, 0x4d, 0x00, 0x2a]))
    return { mime: "image/tiff", kind: "image" };
  if (bytesAt(b, 0, [0x00, 0x00, 0x01, 0x00]) && b.length > 6) return { mime: "image/x-icon", kind: "image" };
  if (ascii(b, 0, "%PDF-")) return { mime: "application/pdf", kind: "document" };
  if (ascii(b, 4, "ftyp")) {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (brand === "avif" || brand === "avis") return { mime: "image/avif", kind: "image" };
    if (brand === "heic" || brand === "heix" || brand === "mif1")
      return { mime: "image/heic", kind: "image" };
    if (brand.startsWith("M4A") || brand.startsWith("M4B")) return { mime: "audio/mp4", kind: "audio" };
    if (brand === "qt  ") return { mime: "video/quicktime", kind: "video" };
    return { mime: "video/mp4", kind: "video" };
  }
  if (bytesAt(b, 0, [0x1a, 0x45, 0xdf, 0xa3])) {
    const probe = String.fromCharCode(...b.subarray(0, Math.min(b.length, 64)));
    return probe.includes("webm")
      ? { mime: "video/webm", kind: "video" }
      : { mime: "video/x-matroska", kind: "video" };
  }
  if (ascii(b, 0, "ID3") || (b.length > 2 && b[0] === 0xff && (b[1]! & 0xe6) === 0xe2))
    return { mime: "audio/mpeg", kind: "audio" };
  if (ascii(b, 0, "fLaC")) return { mime: "audio/flac", kind: "audio" };
  if (ascii(b, 0, "OggS")) return { mime: "audio/ogg", kind: "audio" };
  if (ascii(b, 0, "PK\x03\x04") || ascii(b, 0, "PK\x05\x06")) return zipFlavour(b);
  if (bytesAt(b, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))
    return { mime: "application/x-ole-storage", kind: "document" };
  if (bytesAt(b, 0, [0x1f, 0x8b])) return { mime: "application/gzip", kind: "archive" };
  if (ascii(b, 0, "7z\xbc\xaf\x27\x1c")) return { mime: "application/x-7z-compressed", kind: "archive" };
  if (ascii(b, 0, "Rar!\x1a\x07")) return { mime: "application/vnd.rar", kind: "archive" };
  if (ascii(b, 0, "BZh")) return { mime: "application/x-bzip2", kind: "archive" };
  if (bytesAt(b, 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
    return { mime: "application/x-xz", kind: "archive" };
  if (bytesAt(b, 0, [0x28, 0xb5, 0x2f, 0xfd])) return { mime: "application/zstd", kind: "archive" };
  if (ascii(b, 257, "ustar")) return { mime: "application/x-tar", kind: "archive" };
  if (ascii(b, 0, "wOFF") || ascii(b, 0, "wOF2")) return { mime: "font/woff", kind: "other" };
  return sniffText(b);
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
