import { z } from "@hono/zod-openapi";
import {
  CONFLICT_POLICIES,
  DUPLICATE_MODES,
  FILE_STATUSES,
  KEEP_POLICIES,
  MATCH_KINDS,
  PLAN_KINDS,
} from "../../db/organize-schema";
import { jobSchema } from "../../job-types";
import { pageQuerySchema } from "../../lib/pagination";
import { SUBFOLDER_PATTERN } from "../../media/names";
import { MAX_PROTECTED_FOLDERS } from "../../organize/protect";
import { FILE_SORTS } from "../../organize/queries";
import { DEFAULT_THRESHOLD, MAX_THRESHOLD } from "../../organize/similar";
import { requires } from "../../policy";
import { folderField, templateField } from "../fields";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const tags = ["Organize"];
const jobsRead = requires({ kind: "user", scope: "jobs:read" });
const jobsWrite = requires({ kind: "user", scope: "jobs:write" });

export const fileRecordSchema = z
  .object({
    mediaId: z.string(),
    originalPath: z.string(),
    newPath: z.string().nullable().openapi({ description: "null when the file goes to the trash" }),
    category: z.string(),
    mime: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    action: z
      .string()
      .openapi({ description: "none, move, copy, tag, trash, skip, dup-move, dup-trash, dup-stack" }),
    status: z.enum(FILE_STATUSES),
    reason: z.string().nullable().openapi({
      description:
        "why a file was skipped: conflict, changed, missing, protected, protected-destination, last-copy, unsupported (bucket: no trash or tags), occupied (bucket rollback: the old key holds a new object)",
    }),
    duplicateOf: z.string().nullable(),
    rule: z.string().nullable().openapi({ description: "id of the rule that decided (null: none matched)" }),
    tags: z
      .array(z.string())
      .nullable()
      .openapi({ description: "the file's tags after the plan, when it changes them" }),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
  })
  .openapi("OrganizeFile");

export const organizeSourceSchema = z
  .strictObject({
    connectionId: z.string().min(1).max(100).openapi({ description: "One of your storage connections" }),
    prefix: z.string().max(512).openapi({
      example: "photos/inbox/",
      description:
        "Relative to the connection's prefix, a folder (a trailing slash is added); empty: all of it",
    }),
  })
  .openapi("OrganizeSource", { description: "Organize in place: the objects under a bucket prefix" });

export const settingsSchema = z
  .object({
    template: templateField,
    conflict: z.enum(CONFLICT_POLICIES),
    autoOrganize: z.boolean().openapi({ description: "Organize each new upload with a small job" }),
    protectedFolders: z
      .array(folderField.openapi({ pattern: SUBFOLDER_PATTERN }))
      .max(4 * MAX_PROTECTED_FOLDERS)
      .openapi({
        maxItems: MAX_PROTECTED_FOLDERS,
        description:
          "Folders no plan ever moves, renames, re-tags or trashes a file in (or sends a file into); their files are the copy kept. Not /.",
      }),
  })
  .openapi("OrganizeSettings");

export const organize = createRoute({
  operationId: "organize",
  method: "post",
  path: "/organize",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Organize your library (or one folder): scan, categorize, find duplicates, plan, apply",
  description:
    "Queues an organize job. With `dryRun: true` it stops after the plan, which can be browsed (`/jobs/{id}/files`, `/duplicates`, `/report`) and applied later (`/jobs/{id}/apply`). Rate limited per user (`organize-user`, 10 per hour by default).\n\nWith `source` the organizer works in place on the objects under a prefix of your storage connection (also needs the `storage:write` scope; someone else's connection is a 404): moves are server-side copies then deletes, journaled per file, and a rollback puts every key back. A bucket is never read, only listed: duplicates (`kind: dedupe`, `match` other than `bytes`, `duplicates` other than `report`, rules on duplicates) are a 422 `bucket_content_unsupported` (an ETag is no SHA-256), `conflict: keep-both` a 422, an empty prefix a 422 `storage_prefix_empty`; trash and tag actions are skipped (`unsupported`).",
  request: {
    body: jsonBody(
      z.strictObject({
        kind: z.enum(PLAN_KINDS).optional().openapi({
          description: "`organize` (default) moves files by your rules; `dedupe` only handles duplicates",
        }),
        match: z.enum(MATCH_KINDS).optional().openapi({
          description:
            "Duplicates are identical `bytes` (default), the same `pixels` (decoded), or `similar` (perceptual hash within `threshold` bits)",
        }),
        threshold: z
          .number()
          .int()
          .min(0)
          .max(MAX_THRESHOLD)
          .optional()
          .openapi({
            description: `match: similar only; Hamming distance of 64-bit perceptual hashes (their colour signatures must agree too), default ${DEFAULT_THRESHOLD}`,
          }),
        folder: folderField.optional().openapi({ description: "default: the whole library" }),
        dryRun: z.boolean().optional(),
        duplicates: z.enum(DUPLICATE_MODES).optional().openapi({
          description:
            "What happens to redundant copies: report (default), move aside, trash, stack (keep all, show one)",
        }),
        keep: z.enum(KEEP_POLICIES).optional().openapi({ description: "default oldest" }),
        template: templateField.optional().openapi({ description: "default: your settings' template" }),
        conflict: z.enum(CONFLICT_POLICIES).optional(),
        source: organizeSourceSchema.optional(),
      }),
    ),
  },
  responses: {
    202: jsonContent(z.object({ job: jobSchema }), "Queued"),
    ...pickProblems(400, 401, 403, 404, 415, 422, 429),
  },
});

export const getSettings = createRoute({
  operationId: "getSettings",
  method: "get",
  path: "/organize/settings",
  tags,
  middleware: [jobsRead] as const,
  summary: "Your organizer settings",
  responses: {
    200: jsonContent(z.object({ settings: settingsSchema }), "Settings"),
    ...pickProblems(401, 403),
  },
});

export const putSettings = createRoute({
  operationId: "putSettings",
  method: "put",
  path: "/organize/settings",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Change your organizer settings (default template, conflict policy, organize new uploads)",
  request: { body: jsonBody(settingsSchema.partial().strict()) },
  responses: {
    200: jsonContent(z.object({ settings: settingsSchema }), "Settings"),
    ...pickProblems(400, 401, 403, 415, 422),
  },
});

export const listFiles = createRoute({
  operationId: "listFiles",
  method: "get",
  path: "/jobs/{id}/files",
  tags,
  middleware: [jobsRead] as const,
  summary: "The plan's file records (organize jobs; apply and rollback jobs show their plan's)",
  request: {
    params: idParam("job"),
    query: pageQuerySchema.extend({
      status: z.enum(FILE_STATUSES).optional(),
      category: z.string().max(100).optional(),
      sort: z.enum(FILE_SORTS).default("id"),
    }),
  },
  responses: {
    200: pageContent(fileRecordSchema, "A page"),
    ...pickProblems(400, 401, 403, 404, 409, 422),
  },
});

export const listDuplicates = createRoute({
  operationId: "listDuplicates",
  method: "get",
  path: "/jobs/{id}/duplicates",
  tags,
  middleware: [jobsRead] as const,
  summary: "Duplicate groups of the plan, of one kind: which copy is kept, what happens to the others",
  description:
    "`match` picks the kind: the plan's own (default), or a finer one read from the same records (a look-alike plan also lists its pixel and byte twins). A coarser kind than the plan looked for is a 409 `match_not_planned`.",
  request: {
    params: idParam("job"),
    query: pageQuerySchema.extend({ match: z.enum(MATCH_KINDS).optional() }),
  },
  responses: {
    200: jsonContent(
      z.object({
        match: z.enum(MATCH_KINDS),
        groups: z.array(
          z.object({
            key: z
              .string()
              .openapi({ description: "SHA-256 (bytes), pixel SHA-256 (pixels), or a member id (similar)" }),
            sha256: z.string().openapi({ description: "the same as key (kept for older clients)" }),
            count: z.number().int(),
            size: z.number().int(),
            totalBytes: z.number().int(),
            reclaimableBytes: z.number().int(),
            keep: z.string().nullable(),
            files: z.array(fileRecordSchema),
          }),
        ),
        totals: z.object({
          groups: z.number().int(),
          files: z.number().int(),
          reclaimableBytes: z.number().int(),
        }),
        nextCursor: z.string().nullable(),
      }),
      "Groups",
    ),
    ...pickProblems(400, 401, 403, 404, 409, 422),
  },
});

export const applyPlan = createRoute({
  operationId: "applyPlan",
  method: "post",
  path: "/jobs/{id}/apply",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Apply a dry run's stored plan (each file re-checked first)",
  request: { params: idParam("job") },
  responses: {
    202: jsonContent(z.object({ job: jobSchema }), "The apply job"),
    ...pickProblems(401, 403, 404, 409),
  },
});

export const rollbackPlan = createRoute({
  operationId: "rollbackPlan",
  method: "post",
  path: "/jobs/{id}/rollback",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Put every moved file back and restore trashed duplicates (idempotent)",
  request: { params: idParam("job") },
  responses: {
    202: jsonContent(z.object({ job: jobSchema }), "The rollback job"),
    ...pickProblems(401, 403, 404, 409),
  },
});

export const report = createRoute({
  operationId: "report",
  method: "get",
  path: "/jobs/{id}/report",
  tags,
  middleware: [jobsRead] as const,
  summary: "Report of an organize plan: summary and per-file table as JSON, CSV or HTML",
  request: {
    params: idParam("job"),
    query: z.object({ format: z.enum(["json", "csv", "html"]).default("json") }),
  },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({ summary: z.record(z.string(), z.unknown()), files: z.array(fileRecordSchema) }),
        },
        "text/csv": { schema: z.string() },
        "text/html": { schema: z.string() },
      },
      description: "The report (streamed)",
    },
    ...pickProblems(401, 403, 404, 409, 422),
  },
});
