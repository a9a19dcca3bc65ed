import { z } from "@hono/zod-openapi";
import { pageQuerySchema } from "../../lib/pagination";
import type { FolderNode } from "../../media/folders";
import { SORTS } from "../../media/queries";
import { fileNameField, folderField, isoDateField, tagsField } from "../fields";

export const mediaSchema = z
  .object({
    id: z.string().openapi({ example: "med_0123456789abcdefghij" }),
    name: z.string().openapi({ example: "logo.png" }),
    folder: z.string().openapi({ example: "/projects/logo" }),
    mime: z.string().openapi({ example: "image/png" }),
    kind: z.string().openapi({ example: "image" }),
    size: z.number().int(),
    sha256: z.string(),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
    tags: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    trashedAt: z.string().optional(),
    contentUrl: z.string(),
    thumbnailUrl: z.string().openapi({ description: "A WebP thumbnail, or an SVG icon of the file's type" }),
  })
  .openapi("Media");

export const mediaBody = z.object({ media: mediaSchema });

const bool = (fallback: "true" | "false") =>
  z
    .enum(["true", "false"])
    .default(fallback)
    .transform((v) => v === "true");

export const listQuerySchema = pageQuerySchema.extend({
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Full-text search over names and tags (prefix match)" }),
  type: z.string().max(100).optional().openapi({
    description: "A kind (image, video, audio, document, archive, text, other), a MIME type, or `image/*`",
  }),
  tag: tagsField.element.optional(),
  folder: folderField.optional(),
  subfolders: bool("true").openapi({
    description: "Include files in sub-folders of `folder` (default true)",
  }),
  from: isoDateField.optional().openapi({ description: "Created at or after" }),
  to: isoDateField.optional().openapi({ description: "Created before" }),
  minSize: z.coerce.number().int().min(0).optional(),
  maxSize: z.coerce.number().int().min(0).optional(),
  sort: z
    .enum(SORTS)
    .default("-date")
    .openapi({ description: "`name`, `date`, `size`; prefix `-` for descending" }),
  trashed: bool("false").openapi({ description: "List the trash instead" }),
});

export const patchSchema = z.strictObject({
  name: fileNameField.optional(),
  folder: folderField.optional(),
  tags: tagsField.optional(),
});

export const bulkSchema = z.strictObject({
  ids: z.array(z.string().min(1).max(64)).min(1).max(500),
  action: z.enum(["move", "tag", "untag", "trash", "restore"]),
  folder: folderField.optional(),
  tags: tagsField.optional(),
});

export const statsSchema = z
  .object({
    files: z.number().int(),
    bytes: z.number().int(),
    byKind: z.array(z.object({ kind: z.string(), files: z.number().int(), bytes: z.number().int() })),
    byFolder: z.array(z.object({ folder: z.string(), files: z.number().int(), bytes: z.number().int() })),
    trash: z.object({ files: z.number().int(), bytes: z.number().int() }),
    quota: z.object({
      bytes: z.number().int(),
      files: z.number().int(),
      usedBytes: z.number().int(),
      usedFiles: z.number().int(),
    }),
  })
  .openapi("MediaStats");

export const folderNodeSchema: z.ZodType<FolderNode> = z
  .lazy(() =>
    z.object({
      path: z.string(),
      name: z.string(),
      files: z.number().int(),
      bytes: z.number().int(),
      totalFiles: z.number().int(),
      totalBytes: z.number().int(),
      children: z.array(folderNodeSchema),
    }),
  )
  .openapi("FolderNode");

export const shareSchema = z
  .object({
    id: z.string(),
    mediaId: z.string(),
    expiresAt: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    downloads: z.number().int(),
    token: z.string().optional(),
    url: z.string().optional().openapi({ description: "Only in the create answer" }),
  })
  .openapi("Share");

export const uploadSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    folder: z.string(),
    tags: z.array(z.string()),
    status: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    minPartSize: z.number().int(),
    maxPartSize: z.number().int(),
    maxParts: z.number().int(),
  })
  .openapi("Upload");
