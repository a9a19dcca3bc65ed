import { and, asc, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Category, categories } from "../db/organize-schema";
import { ApiError, type FieldError, notFound } from "../errors";
import { newId } from "../lib/ids";
import { hasBidiControl } from "../media/names";
import { extensionOf } from "../media/sniff";
import { validateTemplate } from "./template";

/** A category as the matcher sees it (built-in or the user's own). */
export interface Rule {
  id: string;
  name: string;
  extensions: string[];
  mimeTypes: string[];
  folder: string | null;
  priority: number;
  builtIn: boolean;
}

const builtIn = (id: string, name: string, mimeTypes: string[], extensions: string[]): Rule => ({
  id: `cat_builtin_${id}`,
  name,
  mimeTypes,
  extensions,
  folder: null,
  priority: 0,
  builtIn: true,
});

/**
 * Built-ins, in the order they are tried (more specific first: SVG before other images, sheets and
 * slides before documents, code before plain text). `Other` takes whatever is left.
 */
export const BUILT_IN: readonly Rule[] = [
  builtIn("vector", "Vector", ["image/svg+xml", "application/postscript"], [".svg", ".eps", ".ai"]),
  builtIn(
    "images",
    "Images",
    ["image/*"],
    [".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".avif", ".heic"],
  ),
  builtIn(
    "spreadsheets",
    "Spreadsheets",
    [
      "text/csv",
      "application/vnd.ms-excel",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.oasis.opendocument.spreadsheet",
    ],
    [".csv", ".tsv", ".xls", ".xlsx", ".ods"],
  ),
  builtIn(
    "presentations",
    "Presentations",
    [
      "application/vnd.ms-powerpoint",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      "application/vnd.oasis.opendocument.presentation",
    ],
    [".ppt", ".pptx", ".odp", ".key"],
  ),
  builtIn(
    "code",
    "Code",
    ["application/javascript", "text/javascript", "text/x-*", "application/x-sh"],
    [
      ".js",
      ".mjs",
      ".ts",
      ".tsx",
      ".jsx",
      ".py",
      ".rb",
      ".go",
      ".rs",
      ".java",
      ".c",
      ".h",
      ".cpp",
      ".cs",
      ".php",
      ".sh",
      ".html",
      ".css",
      ".sql",
      ".yaml",
      ".yml",
      ".toml",
    ],
  ),
  builtIn("fonts", "Fonts", ["font/*", "application/font-*"], [".ttf", ".otf", ".woff", ".woff2"]),
  builtIn(
    "documents",
    "Documents",
    [
      "application/pdf",
      "application/msword",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.oasis.opendocument.text",
      "application/rtf",
      "text/plain",
      "text/markdown",
      "application/json",
      "application/xml",
    ],
    [".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".md", ".json", ".xml"],
  ),
  builtIn("audio", "Audio", ["audio/*"], [".mp3", ".wav", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac"]),
  builtIn("video", "Video", ["video/*"], [".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi"]),
  builtIn(
    "archives",
    "Archives",
    [
      "application/zip",
      "application/gzip",
      "application/x-tar",
      "application/x-7z-compressed",
      "application/vnd.rar",
      "application/x-bzip2",
      "application/x-xz",
      "application/zstd",
    ],
    [".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".zst"],
  ),
  builtIn("other", "Other", [], []),
];

/** Detected types that say little about what a file is: here the extension may decide. */
const GENERIC_MIMES = new Set([
  "application/octet-stream",
  "text/plain",
  "application/zip",
  "application/x-ole-storage",
  "application/json",
  "application/xml",
]);

export function mimeMatches(pattern: string, mime: string): boolean {
  if (pattern.endsWith("*")) return mime.startsWith(pattern.slice(0, -1));
  return pattern === mime;
}

/**
 * Whether a file's extension may be believed: the bytes said something generic, or the extension is
 * one the built-ins don't know, or the built-in owning the extension also accepts the detected type.
 * A `.pdf` whose bytes are a PNG is categorized by its bytes.
 */
function extensionAgrees(ext: string, mime: string): boolean {
  if (GENERIC_MIMES.has(mime)) return true;
  const owner = BUILT_IN.find((r) => r.extensions.includes(ext));
  return !owner || owner.mimeTypes.some((p) => mimeMatches(p, mime));
}

/** The first rule (user rules by priority, then built-ins) whose type or believable extension matches. */
export function categorize(rules: readonly Rule[], file: { name: string; mime: string }): Rule {
  const ext = extensionOf(file.name);
  const dotted = ext ? `.${ext}` : "";
  const believable = dotted !== "" && extensionAgrees(dotted, file.mime);
  for (const rule of rules) {
    if (rule.mimeTypes.some((p) => mimeMatches(p, file.mime))) return rule;
    if (believable && rule.extensions.includes(dotted)) return rule;
  }
  return BUILT_IN.at(-1)!;
}

/** User rules first (priority high → low, then oldest first), then the built-ins in their order. */
export function orderRules(own: Category[]): Rule[] {
  const mine = [...own]
    .sort((a, b) => b.priority - a.priority || a.createdAt.localeCompare(b.createdAt))
    .map(toRule);
  return [...mine, ...BUILT_IN];
}

export function toRule(c: Category): Rule {
  return {
    id: c.id,
    name: c.name,
    extensions: c.extensions,
    mimeTypes: c.mimeTypes,
    folder: c.folder,
    priority: c.priority,
    builtIn: false,
  };
}

export async function loadRules(db: Db, ownerId: string): Promise<Rule[]> {
  return orderRules(await db.select().from(categories).where(eq(categories.ownerId, ownerId)).all());
}

// ------------------------------------------------------------------------------------ CRUD

export interface CategoryInput {
  name: string;
  extensions: string[];
  mimeTypes?: string[];
  folder?: string | null;
  priority?: number;
}

export const MAX_CATEGORY_NAME_CHARS = 60;

const invalid = (path: string, message: string, code: string) =>
  new ApiError(422, code, message, { errors: [{ path, message, code }] satisfies FieldError[] });

/** Extensions as the API documents them (normalizeExtensions lower-cases and trims). */
export const EXTENSION_PATTERN = "^\\s*\\.[A-Za-z0-9][A-Za-z0-9_+-]{0,15}\\s*$";
/** MIME types or patterns as the API documents them (normalizeMimePatterns lower-cases and trims). */
export const MIME_PATTERN = "^\\s*[A-Za-z0-9][A-Za-z0-9.+-]*/(?:\\*|[A-Za-z0-9][A-Za-z0-9.+-]*\\*?)\\s*$";

/** `.PDF ` → `.pdf`, de-duplicated; anything not like ".pdf" is a 422 at `field.i`. */
export function normalizeExtensions(raw: string[], field: string): string[] {
  const extensions = [...new Set(raw.map((e) => e.trim().toLowerCase()))];
  extensions.forEach((ext, i) => {
    if (!/^\.[a-z0-9][a-z0-9_+-]{0,15}$/.test(ext))
      throw invalid(`${field}.${i}`, `"${ext}" is not an extension like ".pdf".`, "invalid_extension");
  });
  return extensions;
}

/** MIME types or patterns (`image/png`, `image/*`), lower-case, de-duplicated; else a 422 at `field.i`. */
export function normalizeMimePatterns(raw: string[], field: string): string[] {
  const mimeTypes = [...new Set(raw.map((m) => m.trim().toLowerCase()))];
  mimeTypes.forEach((mime, i) => {
    if (!/^[a-z0-9][a-z0-9.+-]*\/(\*|[a-z0-9][a-z0-9.+-]*\*?)$/.test(mime))
      throw invalid(
        `${field}.${i}`,
        `"${mime}" is not a MIME type like "image/png" or "image/*".`,
        "invalid_mime_type",
      );
  });
  return mimeTypes;
}

/** Normalizes and checks one category; the cross-category checks happen in `checkOverlap`. */
export function normalizeCategory(input: CategoryInput) {
  const name = input.name.normalize("NFC").trim();
  if ([...input.name.trim()].length > MAX_CATEGORY_NAME_CHARS)
    throw invalid(
      "name",
      `A category name is at most ${MAX_CATEGORY_NAME_CHARS} characters.`,
      "invalid_category_name",
    );
  // A name becomes a folder segment ({category}): what no folder may be called is refused here.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters
  if (!name || /[\u0000-\u001f\u007f-\u009f/\\]/.test(name) || /^\.+$/.test(name) || hasBidiControl(name))
    throw invalid(
      "name",
      "A category name is 1–60 characters, not . or .., without / \\, control or bidirectional characters.",
      "invalid_category_name",
    );
  if (BUILT_IN.some((b) => b.name.toLowerCase() === name.toLowerCase()))
    throw new ApiError(409, "category_exists", `"${name}" is a built-in category.`);
  const extensions = normalizeExtensions(input.extensions, "extensions");
  const mimeTypes = normalizeMimePatterns(input.mimeTypes ?? [], "mimeTypes");
  if (extensions.length === 0 && mimeTypes.length === 0)
    throw invalid("extensions", "A category needs at least one extension or MIME type.", "empty_category");
  const folder = input.folder ? validateTemplate(input.folder, "folder") : null;
  return {
    name,
    nameKey: name.toLowerCase(),
    extensions,
    mimeTypes,
    folder,
    priority: input.priority ?? 100,
  };
}

/** An extension in two of a user's categories is ambiguous unless their priorities differ. */
function checkOverlap(others: Category[], candidate: { extensions: string[]; priority: number }) {
  for (const other of others) {
    if (other.priority !== candidate.priority) continue;
    const shared = candidate.extensions.find((e) => other.extensions.includes(e));
    if (shared)
      throw new ApiError(
        409,
        "duplicate_extension",
        `${shared} is already in "${other.name}" with the same priority; give one of them another priority.`,
      );
  }
}

export async function listCategories(db: Db, ownerId: string) {
  const own = await db
    .select()
    .from(categories)
    .where(eq(categories.ownerId, ownerId))
    .orderBy(desc(categories.priority), asc(categories.createdAt))
    .all();
  return orderRules(own);
}

async function ownCategory(db: Db, ownerId: string, id: string): Promise<Category> {
  const row = await db
    .select()
    .from(categories)
    .where(and(eq(categories.id, id), eq(categories.ownerId, ownerId)))
    .get();
  if (!row) {
    if (BUILT_IN.some((b) => b.id === id))
      throw new ApiError(403, "built_in_category", "Built-in categories can't be changed.");
    throw notFound("category");
  }
  return row;
}

const MAX_CATEGORIES = 100;

export async function createCategory(db: Db, ownerId: string, input: CategoryInput, now: Date) {
  const value = normalizeCategory(input);
  const others = await db.select().from(categories).where(eq(categories.ownerId, ownerId)).all();
  if (others.length >= MAX_CATEGORIES)
    throw new ApiError(409, "too_many_categories", `At most ${MAX_CATEGORIES} categories per user.`);
  if (others.some((o) => o.nameKey === value.nameKey))
    throw new ApiError(409, "category_exists", `You already have a category named "${value.name}".`);
  checkOverlap(others, value);
  const nowIso = now.toISOString();
  const row: Category = { id: newId("cat"), ownerId, ...value, createdAt: nowIso, updatedAt: nowIso };
  await db.insert(categories).values(row);
  return toRule(row);
}

export async function updateCategory(db: Db, ownerId: string, id: string, input: CategoryInput, now: Date) {
  await ownCategory(db, ownerId, id);
  const value = normalizeCategory(input);
  const others = (await db.select().from(categories).where(eq(categories.ownerId, ownerId)).all()).filter(
    (o) => o.id !== id,
  );
  if (others.some((o) => o.nameKey === value.nameKey))
    throw new ApiError(409, "category_exists", `You already have a category named "${value.name}".`);
  checkOverlap(others, value);
  await db
    .update(categories)
    .set({ ...value, updatedAt: now.toISOString() })
    .where(and(eq(categories.id, id), eq(categories.ownerId, ownerId)));
  return toRule(await ownCategory(db, ownerId, id));
}

export async function deleteCategory(db: Db, ownerId: string, id: string) {
  await ownCategory(db, ownerId, id);
  await db.delete(categories).where(and(eq(categories.id, id), eq(categories.ownerId, ownerId)));
}
