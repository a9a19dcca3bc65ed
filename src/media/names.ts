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

/*
 * The same rules as JSON Schema patterns, for the API's documented schemas: every string a pattern
 * matches is one the normalizer below accepts (the schemas may be stricter, never looser).
 */
const FORBIDDEN = "\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c";
const BLANK = "\\s\\u200b-\\u200d\\u2060\\ufeff";
/** No control, bidi, / or \; at least one character that is not blank or a dot. */
export const FILE_NAME_PATTERN = `^(?=[\\s\\S]*[^${BLANK}.${FORBIDDEN}/\\\\])[^${FORBIDDEN}/\\\\]+$`;
/** A segment that is only `.` or `..` (blanks around them are trimmed away). */
const DOTS = `(?:[${BLANK}]*\\.){1,2}[${BLANK}]*(?:/|$)`;
/** Up to MAX_DEPTH segments of up to MAX_SEGMENT units each, separated (and optionally led or ended) by slashes. */
function pathPattern(unit: string, lead: string): string {
  const segment = `(?!${DOTS})(?:${unit}){1,100}`;
  return `^${lead}(?:${segment}/+){0,19}(?:${segment})?$`;
}
export const FOLDER_PATTERN = pathPattern(`[^/\\\\${FORBIDDEN}]`, "/*");
/** A folder other than the root: at least one character that is not a slash or blank. */
export const SUBFOLDER_PATTERN = `^(?=[\\s\\S]*[^/${BLANK}])${FOLDER_PATTERN.slice(1)}`;
/** A folder template: a folder path that starts with / and may hold {placeholders} in its segments. */
export const TEMPLATE_PATTERN = pathPattern(
  `[^/{}\\\\${FORBIDDEN}]|\\{(?:category|yyyy|mm|ext|tag|taken\\.yyyy|taken\\.mm)\\}`,
  "/+",
);
/** A tag: no bidi controls (other controls and blanks are dropped). */
export const TAG_PATTERN = "^[^\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c]*$";
/** Tags as one comma-separated form field: up to MAX_TAGS tags of up to MAX_TAG_CHARS characters. */
export const TAG_LIST_PATTERN =
  "^[^,\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c]{0,50}(?:,[^,\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c]{0,50}){0,49}$";

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

export const MAX_DEPTH = 20;
export const MAX_FOLDER_CHARS = 1024;

/** `projects/logo`, `/projects/logo/` → `/projects/logo`; `/` is the root. */
export function normalizeFolder(raw: string, field = "folder"): string {
  // Lengths are counted in characters (code points) as sent, as the API's schemas count them.
  if ([...raw].length > MAX_FOLDER_CHARS)
    throw invalidName(field, "The folder path is too long.", "invalid_folder");
  if (raw.includes("\u0000") || BIDI.test(raw) || CONTROL_OR_BACKSLASH.test(raw))
    throw invalidName(
      field,
      "The folder path contains control, bidi or backslash characters.",
      "invalid_folder",
    );
  const segments = raw
    .split("/")
    .map((s) => s.replace(INVISIBLE, "").trim())
    .filter((s) => s !== "");
  if (segments.some((s) => s === "." || s === ".."))
    throw invalidName(field, "Folder paths can't contain . or .. segments.", "invalid_folder");
  if (segments.length > MAX_DEPTH)
    throw invalidName(field, `Folders nest at most ${MAX_DEPTH} deep.`, "invalid_folder");
  if (segments.some((s) => [...s].length > MAX_SEGMENT))
    throw invalidName(field, `A folder name is longer than ${MAX_SEGMENT} characters.`, "invalid_folder");
  return `/${segments.map((s) => s.normalize("NFC")).join("/")}`;
}

export const MAX_TAGS = 50;
export const MAX_TAG_CHARS = 50;

/** Tags: lower-case, NFC, trimmed, de-duplicated; from an array or a comma-separated string. */
export function normalizeTags(raw: string | string[], field = "tags"): string[] {
  const list = Array.isArray(raw) ? raw : raw.split(",");
  const out = new Set<string>();
  for (const item of list) {
    const cleaned = item.replace(CONTROL, "").replace(INVISIBLE, "").trim();
    if (cleaned === "") continue;
    if (BIDI.test(cleaned))
      throw invalidName(field, "A tag contains bidirectional override characters.", "invalid_tag");
    // Counted as sent: lower-casing and NFC may lengthen a few characters (İ → i̇).
    if ([...cleaned].length > MAX_TAG_CHARS)
      throw invalidName(field, `Tags are at most ${MAX_TAG_CHARS} characters.`, "invalid_tag");
    out.add(cleaned.normalize("NFC").toLowerCase());
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

/** `report.pdf`, 2 → `report (2).pdf`; names without an extension get the suffix at the end. */
export function nameVariant(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return `${name} (${n})`;
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}

/**
 * Every way a name key reads as `nameVariant(base, n)`, n ≥ 2, as [base, n]: the key is the base's
 * part before ` (n)`, digits, anything, then the base's part after (a copy's number is read up to
 * the first non-digit). Usually one: `a (2).jpg` → [`a.jpg`, 2]; `a (2) (3).jpg` → [`a (2).jpg`, 3]
 * and [`a.jpg`, 2]; `x (2).tar.gz` → none (copies of `x.tar.gz` are `x.tar (n).gz`). n < 2 is left
 * out: no copy is numbered below (2).
 */
export function variantReadings(key: string): [string, number][] {
  // What follows the number: `)` alone (a base without an extension) or `)` and the extension.
  const tails = new Set<string>();
  if (key.endsWith(")")) tails.add(")");
  const dot = key.lastIndexOf(".");
  if (dot > 0 && key[dot - 1] === ")") tails.add(key.slice(dot - 1));
  return [...tails].flatMap((tail) => readingsBefore(key, tail));
}

/** `variantReadings` of `key` whose number is followed by `tail` (the key's end). */
function readingsBefore(key: string, tail: string): [string, number][] {
  const readings: [string, number][] = [];
  const end = key.length - tail.length;
  for (let p = key.indexOf(" ("); p !== -1 && p + 2 < end; p = key.indexOf(" (", p + 1)) {
    const digits = /^\d+/.exec(key.slice(p + 2))?.[0];
    const base = key.slice(0, p) + tail.slice(1);
    // Only where `nameVariant` puts the number for that base: before its last dot, or at its end.
    const baseDot = base.lastIndexOf(".");
    if (digits && Number(digits) >= 2 && (baseDot <= 0 ? base.length : baseDot) === p)
      readings.push([base, Number(digits)]);
  }
  return readings;
}
