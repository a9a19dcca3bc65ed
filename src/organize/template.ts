import { ApiError } from "../errors";
import { folderSegment, normalizeFolder } from "../media/names";
import { extensionOf } from "../media/sniff";

/** Destination folder templates: `/Sorted/{category}/{yyyy}`. */
export const PLACEHOLDERS = ["category", "yyyy", "mm", "ext", "tag"] as const;
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
  if (/[{}]/.test(template.replace(/\{(category|yyyy|mm|ext|tag)\}/g, "")))
    throw invalidTemplate(field, "Unbalanced { or } in the folder template.");
  try {
    // Sample values no longer than their placeholders: the template's own shape is what is checked
    // here (a real file's long values fall back to /{category} when the plan renders them).
    normalizeFolder(
      render(template, { category: "Images", createdAt: "2026-01-01T00:00:00Z", name: "a.png", tags: ["x"] }),
    );
  } catch (error) {
    throw invalidTemplate(field, error instanceof ApiError ? error.detail : "Not a valid folder template.");
  }
  return template;
}

function render(
  template: string,
  file: { category: string; createdAt: string; name: string; tags: string[] },
): string {
  const ext = extensionOf(file.name);
  const values: Record<string, string> = {
    category: folderSegment(file.category),
    yyyy: file.createdAt.slice(0, 4),
    mm: file.createdAt.slice(5, 7),
    ext: folderSegment(ext || "no-extension"),
    tag: folderSegment(file.tags[0] ?? "untagged"),
  };
  return template.replace(/\{(category|yyyy|mm|ext|tag)\}/g, (_, key: string) => values[key]!);
}

/**
 * The destination folder of a file; falls back to `/{category}` if a value makes the path invalid
 * (too deep or too long). Every placeholder value is a valid segment, so the fallback always is.
 */
export function renderFolder(
  template: string,
  file: { category: string; createdAt: string; name: string; tags: string[] },
): string {
  try {
    return normalizeFolder(render(template, file));
  } catch {
    return normalizeFolder(render(DEFAULT_TEMPLATE, file));
  }
}

/** `report.pdf`, 2 → `report (2).pdf`; names without an extension get the suffix at the end. */
export function nameVariant(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return `${name} (${n})`;
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}

export const joinPath = (folder: string, name: string) => (folder === "/" ? `/${name}` : `${folder}/${name}`);
