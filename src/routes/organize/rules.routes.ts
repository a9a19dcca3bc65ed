import { z } from "@hono/zod-openapi";
import { EXTENSION_PATTERN, MIME_PATTERN } from "../../organize/categories";
import { MAX_LIST, MAX_PATTERN_CHARS, MAX_RULES } from "../../organize/rules/types";
import { requires } from "../../policy";
import { folderField, isoDateField, tagsField, templateField } from "../fields";
import { createRoute, jsonBody, jsonContent, pickProblems } from "../openapi";

/**
 * The API's shape of organize rules (OpenAPI) and their first check; `validateRules`
 * (src/organize/rules/validate.ts) normalizes what zod can't (tags, folders, templates, the name
 * pattern) into the `OrganizeRule` the organizer stores.
 */

const range = <T extends z.ZodType>(value: T, description: string) =>
  z
    .strictObject({ after: value.optional(), before: value.optional() })
    .openapi({ description: `${description}: at or after \`after\`, before \`before\`` });

export const ruleFiltersSchema = z
  .strictObject({
    extensions: z
      .array(z.string().max(20).openapi({ pattern: EXTENSION_PATTERN }))
      .max(MAX_LIST)
      .optional()
      .openapi({ description: 'Any of these extensions (".png")', example: [".png", ".jpg"] }),
    types: z
      .array(z.string().max(100).openapi({ pattern: MIME_PATTERN }))
      .max(MAX_LIST)
      .optional()
      .openapi({ description: "Any of these detected types (from the bytes), `image/*` allowed" }),
    categories: z.array(z.string().max(60)).max(MAX_LIST).optional().openapi({
      description:
        "Any of these categories (built-in or yours, see /categories; any case; unknown names match nothing)",
    }),
    name: z
      .union([
        z.strictObject({ glob: z.string().min(1).max(MAX_PATTERN_CHARS) }),
        z.strictObject({
          regex: z.string().min(1).max(MAX_PATTERN_CHARS),
          ignoreCase: z.boolean().optional(),
        }),
      ])
      .optional()
      .openapi({
        description:
          "The file name matches a glob (`*`, `?`, `[a-z]`, `[!a-z]`, `{a,b}`; whole name, any case) or a regular expression (RE2 syntax: no backreferences or lookaround; found anywhere in the name; matched in time linear in the name). A pattern that doesn't parse is a 422 `invalid_pattern`.",
      }),
    size: z
      .strictObject({
        min: z.number().int().min(0).optional(),
        max: z.number().int().min(0).optional(),
      })
      .optional()
      .openapi({ description: "Bytes: at least `min`, at most `max`" }),
    uploaded: range(isoDateField, "Upload time").optional(),
    taken: range(
      isoDateField,
      "When the photo was taken (the file's `takenAt`: EXIF/XMP, UTC); files without one never match",
    ).optional(),
    tags: z
      .strictObject({ all: tagsField.optional(), any: tagsField.optional(), none: tagsField.optional() })
      .optional()
      .openapi({ description: "Has all of `all`, at least one of `any`, none of `none`" }),
    folders: z
      .array(folderField)
      .max(MAX_LIST)
      .optional()
      .openapi({ description: "In one of these folders or below" }),
    duplicate: z.enum(["unique", "original", "copy", "any"]).optional().openapi({
      description:
        "Duplicate status in the plan (of the plan's `match` kind): `unique` has no twin, `original` is the copy kept, `copy` a redundant one, `any` is either of the last two",
    }),
  })
  .openapi("OrganizeRuleFilters");

export const ruleActionSchema = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("move"),
      template: templateField.optional().openapi({
        description: "Destination folder; default: the category's folder, else your template",
      }),
      tag: tagsField.optional(),
      untag: tagsField.optional(),
    }),
    z.strictObject({ type: z.literal("copy"), template: templateField.optional() }),
    z.strictObject({ type: z.literal("tag"), tag: tagsField.optional(), untag: tagsField.optional() }),
    z.strictObject({ type: z.literal("trash") }),
    z.strictObject({ type: z.literal("keep") }),
  ])
  .openapi("OrganizeRuleAction", {
    description:
      "`move` to a folder template (and optionally tag/untag), `copy` there, `tag`/untag in place, `trash`, or `keep` (leave the file; later rules don't see it)",
  });

export const ruleSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/)
      .optional()
      .openapi({ description: "Stable id (made up when absent); file records name the rule that decided" }),
    name: z.string().trim().min(1).max(60),
    enabled: z.boolean().optional().openapi({ description: "default true" }),
    filters: ruleFiltersSchema.optional(),
    action: ruleActionSchema,
  })
  .openapi("OrganizeRule");

export const rulesBodySchema = z.strictObject({ rules: z.array(ruleSchema).max(MAX_RULES) });

export type RuleInput = z.output<typeof ruleSchema>;

const ruleListSchema = z
  .object({
    rules: z.array(ruleSchema),
    isDefault: z
      .boolean()
      .openapi({ description: "true while you have stored no rules: `rules` is the default set" }),
    defaults: z.array(ruleSchema).openapi({ description: "The default set: one rule per category" }),
  })
  .openapi("OrganizeRules");

const countSchema = z.object({ files: z.number().int(), bytes: z.number().int() });

export const previewSchema = z
  .object({
    scanned: z
      .number()
      .int()
      .openapi({ description: "files the preview looked at (the first by upload time)" }),
    total: z.number().int().openapi({ description: "files in scope" }),
    sampled: z.boolean(),
    rules: z.array(countSchema.extend({ id: z.string(), name: z.string(), protected: z.number().int() })),
    unmatched: countSchema,
  })
  .openapi("OrganizeRulesPreview");

const tags = ["Organize"];
const jobsRead = requires({ kind: "user", scope: "jobs:read" });
const jobsWrite = requires({ kind: "user", scope: "jobs:write" });

export const getRules = createRoute({
  operationId: "getOrganizeRules",
  method: "get",
  path: "/organize/rules",
  tags,
  middleware: [jobsRead] as const,
  summary: "Your organize rules, in order (first match wins), or the default set",
  responses: { 200: jsonContent(ruleListSchema, "Rules"), ...pickProblems(401, 403) },
});

export const putRules = createRoute({
  operationId: "putOrganizeRules",
  method: "put",
  path: "/organize/rules",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Replace your organize rules (an ordered list; plans made later use them)",
  description:
    "Filters of one rule must all hold (an absent filter holds for every file); the first enabled rule that matches decides. Name patterns are RE2 (linear-time) regular expressions or globs, at most 200 characters. Send the `defaults` of GET to go back to the default set.",
  request: { body: jsonBody(rulesBodySchema) },
  responses: { 200: jsonContent(ruleListSchema, "Rules"), ...pickProblems(400, 401, 403, 415, 422) },
});

export const previewRules = createRoute({
  operationId: "previewOrganizeRules",
  method: "post",
  path: "/organize/rules/preview",
  tags,
  middleware: [jobsRead] as const,
  summary: "How many files each rule would take (first match wins), on up to 2000 files of a folder",
  description:
    "Rules are given (not stored) or your stored ones. Duplicate status here is by identical bytes, keeping the oldest; a dry run gives exact counts for any match kind.",
  request: {
    body: jsonBody(
      z.strictObject({
        rules: z.array(ruleSchema).max(MAX_RULES).optional(),
        folder: folderField.optional(),
      }),
    ),
  },
  responses: { 200: jsonContent(previewSchema, "Counts"), ...pickProblems(400, 401, 403, 415, 422) },
});
