import { z } from "@hono/zod-openapi";
import { pageQuerySchema } from "../../lib/pagination";
import { ON_CONFLICT } from "../../media/conflicts";
import type { FolderNode } from "../../media/folders";
import { SORTS, TYPE_FILTER_PATTERN } from "../../media/queries";
import { fileNameField, folderField, isoDateField, tagsField } from "../fields";

export const metadataSchema = z
  .object({
    takenAt: z.string().nullable(),
    takenLocal: z.string().optional().openapi({ description: "The camera's wall-clock time" }),
    takenOffset: z.string().optional().openapi({ example: "+02:00" }),
    make: z.string().optional(),
    model: z.string().optional(),
    lens: z.string().optional(),
    orientation: z.number().int().optional().openapi({ description: "EXIF orientation 1–8" }),
    exposureTime: z.number().optional().openapi({ description: "Seconds" }),
    fNumber: z.number().optional(),
    iso: z.number().optional(),
    focalLength: z.number().optional().openapi({ description: "Millimetres" }),
    title: z.string().optional(),
    gps: z
      .object({ latitude: z.number(), longitude: z.number(), altitude: z.number().optional() })
      .optional()
      .openapi({ description: "Only for the owner: share pages never show it" }),
  })
  .openapi("MediaMetadata");

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
    stackOf: z.string().optional().openapi({
      description:
        "A stacked duplicate (organizer, duplicates: stack): the id of the file shown for its stack",
    }),
    contentUrl: z.string(),
    thumbnailUrl: z.string().openapi({ description: "A WebP thumbnail, or an SVG icon of the file's type" }),
    takenAt: z
      .string()
      .nullable()
      .openapi({ description: "When the photo was taken (EXIF/XMP), UTC ISO-8601; null when unknown" }),
    metadata: metadataSchema.nullable(),
    purgeAt: z
      .string()
      .optional()
      .openapi({ description: "In the trash: when it is deleted for good (trash retention)" }),
  })
  .openapi("Media");

export const mediaBody = z.object({ media: mediaSchema });

export const conflictSchema = z
  .object({
    resolution: z.enum(["renamed", "replaced", "skipped"]),
    existingId: z.string().openapi({ description: "The file that already had the name" }),
  })
  .openapi("UploadConflict");

export const uploadedBody = z.object({ media: mediaSchema, conflict: conflictSchema.optional() });

export const onConflictField = z.enum(ON_CONFLICT).openapi({
  description:
    "When the folder has a file of the same name: `rename` (default) stores `name (1).ext`, `replace` moves the old file to the trash, `skip` stores nothing (200 with the existing file)",
});

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
  type: z.string().max(100).regex(new RegExp(TYPE_FILTER_PATTERN)).optional().openapi({
    description: "A kind (image, video, audio, document, archive, text, other), a MIME type, or `image/*`",
  }),
  tag: tagsField.element.optional(),
  folder: folderField.optional(),
  subfolders: bool("true").openapi({
    description: "Include files in sub-folders of `folder` (default true)",
  }),
  from: isoDateField.optional().openapi({ description: "Created at or after" }),
  to: isoDateField.optional().openapi({ description: "Created before" }),
  takenFrom: isoDateField.optional().openapi({ description: "Taken at or after (files with a date taken)" }),
  takenTo: isoDateField.optional().openapi({ description: "Taken before" }),
  minSize: z.coerce.number().int().min(0).optional(),
  maxSize: z.coerce.number().int().min(0).optional(),
  sort: z.enum(SORTS).default("-date").openapi({
    description:
      "`name`, `date` (uploaded), `taken` (date taken, else uploaded), `size`; prefix `-` for descending",
  }),
  trashed: bool("false").openapi({ description: "List the trash instead" }),
  stacked: bool("false").openapi({
    description: "Also list stacked duplicates (hidden by default: a stack shows its one kept file)",
  }),
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

export const uploadSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    folder: z.string(),
    tags: z.array(z.string()),
    onConflict: onConflictField,
    status: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    minPartSize: z.number().int(),
    maxPartSize: z.number().int(),
    maxParts: z.number().int(),
  })
  .openapi("Upload");
