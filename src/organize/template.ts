import { ApiError } from "../errors";
import { folderSegment, normalizeFolder } from "../media/names";
import { extensionOf } from "../media/sniff";

/**
 * Destination folder templates: `/Sorted/{category}/{yyyy}`. `{yyyy}`/`{mm}` are the upload's year and
 * month; `{taken.yyyy}`/`{taken.mm}` are when the photo was taken (the camera's own clock, EXIF/XMP),
 * falling back to the upload's for files that don't say.
 */
export const PLACEHOLDERS = ["category", "yyyy", "mm", "ext", "tag", "taken.yyyy", "taken.mm"] as const;
/** `{placeholder}` in a template (the dot of `taken.yyyy` escaped). */
const PLACEHOLDER_RE = new RegExp(`\\{(${PLACEHOLDERS.map((p) => p.replace(".", "\\.")).join("|")})\\}`, "g");
export const DEFAULT_TEMPLATE = "/{category}";

const invalidTemplate = (field: string, message: string) =>
  new ApiError(422, "invalid_template", message, {
    errors: [{ path: field, message, code: "invalid_template" }],
  });

/** Checks the placeholders and that the rendered path is a valid folder; returns the template as stored. */
export function validateTemplate(raw: string, field = "template"): string {
  const template = raw.trim();
  if (!template.startsWith("/")) throw invalidTemplate(field, "A folder template starts with /.");
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1]!))
      throw invalidTemplate(
        field,
        `Unknown placeholder {${match[1]}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}.`,
      );
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER_RE, "")))
    throw invalidTemplate(field, "Unbalanced { or } in the folder template.");
  try {
    // Sample values no longer than their placeholders: the template's own shape is what is checked
    // here (a real file's long values fall back to /{category} when the plan renders them).
    normalizeFolder(
      render(template, {
        category: "Images",
        createdAt: "2026-01-01T00:00:00Z",
        takenLocal: null,
        name: "a.png",
        tags: ["x"],
      }),
    );
  } catch (error) {
    throw invalidTemplate(field, error instanceof ApiError ? error.detail : "Not a valid folder template.");
  }
  return template;
}

export interface TemplateFile {
  category: string;
  createdAt: string;
  /** The camera's wall-clock time the photo was taken (metadata.takenLocal), if known. */
  takenLocal: string | null;
  name: string;
  tags: string[];
}

function render(template: string, file: TemplateFile): string {
  const ext = extensionOf(file.name);
  const taken = file.takenLocal ?? file.createdAt;
  const values: Record<string, string> = {
    category: folderSegment(file.category),
    yyyy: file.createdAt.slice(0, 4),
    mm: file.createdAt.slice(5, 7),
    ext: folderSegment(ext || "no-extension"),
    tag: folderSegment(file.tags[0] ?? "untagged"),
    "taken.yyyy": taken.slice(0, 4),
    "taken.mm": taken.slice(5, 7),
  };
  return template.replace(PLACEHOLDER_RE, (_, key: string) => values[key]!);
}

/**
 * The destination folder of a file; falls back to `/{category}` if a value makes the path invalid
 * (too deep or too long). Every placeholder value is a valid segment, so the fallback always is.
 */
export function renderFolder(template: string, file: TemplateFile): string {
  try {
    return normalizeFolder(render(template, file));
  } catch {
    return normalizeFolder(render(DEFAULT_TEMPLATE, file));
  }
}

export const joinPath = (folder: string, name: string) => (folder === "/" ? `/${name}` : `${folder}/${name}`);
