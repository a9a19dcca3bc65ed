import { ApiError, type FieldError } from "../errors";

/**
 * User-supplied names, folders and tags. They are display data only: storage keys never contain
 * them. Hostile names (path traversal, NUL, bidi overrides, absurd lengths) are refused with a
 * clear 422 rather than silently rewritten; benign oddities are normalised.
 */
export const MAX_NAME_CHARS = 255;
const MAX_RAW_NAME_BYTES = 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidi embedding/override/isolate controls: they make `evil\u202Egnp.exe` look like `evilexe.png`. */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
const BIDI_ALL = new RegExp(BIDI.source, "g");
export const hasBidiControl = (text: string) => BIDI.test(text);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f-\u009f\\]/;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

const invalidName = (field: string, message: string, code = "invalid_file_name") =>
  new ApiError(422, code, message, { errors: [{ path: field, message, code }] satisfies FieldError[] });

/** A file name as shown to people: NFC, no control characters, ≤ 255 characters (extension kept). */
export function normalizeFileName(raw: string, field = "name"): string {
  if (new TextEncoder().encode(raw).byteLength > MAX_RAW_NAME_BYTES)
    throw invalidName(field, `The file name is longer than ${MAX_RAW_NAME_BYTES} bytes.`);
  if (raw.includes("\u0000")) throw invalidName(field, "The file name contains a NUL character.");
  if (BIDI.test(raw)) throw invalidName(field, "The file name contains bidirectional override characters.");
  if (/[/\\]/.test(raw) || /^\.\.?$/.test(raw.trim()))
    throw invalidName(field, "The file name contains a path (/, \\ or ..); send the bare name.");
  let name = raw
    .normalize("NFC")
    .replace(/[\t\n\r\v\f]/g, " ")
    .replace(CONTROL, "")
    .replace(INVISIBLE, "")
    .replace(/\s+/g, " ")
    .trim();
  if (name === "" || /^\.+$/.test(name)) throw invalidName(field, "The file name is empty.");
  if ([...name].length > MAX_NAME_CHARS) name = capName(name);
  return name;
}

function capName(name: string): string {
  const chars = [...name];
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 && name.length - dot <= 16 ? [...name.slice(dot)] : [];
  return (
    chars
      .slice(0, MAX_NAME_CHARS - ext.length)
      .join("")
      .trimEnd() + ext.join("")
  );
}

const MAX_SEGMENT = 100;

/**
 * Any text (a category name, a tag) as one folder segment that `normalizeFolder` accepts: no
 * separators, controls or bidi marks, never `.`/`..` or empty, at most MAX_SEGMENT characters.
 */
export function folderSegment(value: string): string {
  const cleaned = value
    .normalize("NFC")
    .replace(/[/\\]/g, "-")
    .replace(CONTROL, "")
    .replace(INVISIBLE, "")
    .replace(BIDI_ALL, "")
    .trim();
  const capped = [...cleaned].slice(0, MAX_SEGMENT).join("").trim();
  return capped === "" || /^\.+$/.test(capped) ? "_" : capped;
}

const MAX_DEPTH = 20;

/** `projects/logo`, `/projects/logo/` → `/projects/logo`; `/` is the root. */
export function normalizeFolder(raw: string, field = "folder"): string {
  if (raw.length > 1024) throw invalidName(field, "The folder path is too long.", "invalid_folder");
  if (raw.includes("\u0000") || BIDI.test(raw) || CONTROL_OR_BACKSLASH.test(raw))
    throw invalidName(
      field,
      "The folder path contains control, bidi or backslash characters.",
      "invalid_folder",
    );
  const segments = raw
    .normalize("NFC")
    .split("/")
    .map((s) => s.replace(INVISIBLE, "").trim())
    .filter((s) => s !== "");
  if (segments.some((s) => s === "." || s === ".."))
    throw invalidName(field, "Folder paths can't contain . or .. segments.", "invalid_folder");
  if (segments.length > MAX_DEPTH)
    throw invalidName(field, `Folders nest at most ${MAX_DEPTH} deep.`, "invalid_folder");
  if (segments.some((s) => [...s].length > MAX_SEGMENT))
    throw invalidName(field, `A folder name is longer than ${MAX_SEGMENT} characters.`, "invalid_folder");
  return `/${segments.join("/")}`;
}

const MAX_TAGS = 50;
const MAX_TAG_CHARS = 50;

/** Tags: lower-case, NFC, trimmed, de-duplicated; from an array or a comma-separated string. */
export function normalizeTags(raw: string | string[], field = "tags"): string[] {
  const list = Array.isArray(raw) ? raw : raw.split(",");
  const out = new Set<string>();
  for (const item of list) {
    const tag = item.normalize("NFC").replace(CONTROL, "").replace(INVISIBLE, "").trim().toLowerCase();
    if (tag === "") continue;
    if (BIDI.test(tag))
      throw invalidName(field, "A tag contains bidirectional override characters.", "invalid_tag");
    if ([...tag].length > MAX_TAG_CHARS)
      throw invalidName(field, `Tags are at most ${MAX_TAG_CHARS} characters.`, "invalid_tag");
    out.add(tag);
  }
  if (out.size > MAX_TAGS) throw invalidName(field, `At most ${MAX_TAGS} tags per file.`, "invalid_tag");
  return [...out].sort();
}

/**
 * RFC 6266 / RFC 8187: an ASCII fallback plus `filename*=UTF-8''…`. The fallback is folded with
 * NFKD first (`‥／` becomes `../`), so path separators and leading dots are removed after folding:
 * a client that saves by the fallback never gets a path.
 */
export function contentDisposition(type: "inline" | "attachment", name: string): string {
  const fallback =
    name
      .normalize("NFKD")
      .replace(/[^\x20-\x7e]/g, "")
      .replace(/["\\/%;]/g, "_")
      .trim()
      .replace(/^\.+/, "") || "download";
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
