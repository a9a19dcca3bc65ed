import { z } from "@hono/zod-openapi";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/password-policy";
import {
  FILE_NAME_PATTERN,
  FOLDER_PATTERN,
  MAX_FOLDER_CHARS,
  MAX_NAME_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  SUBFOLDER_PATTERN,
  TAG_PATTERN,
  TEMPLATE_PATTERN,
} from "../media/names";

/*
 * Fields of user text, each with two layers: zod refuses what no handler should read at all (its
 * sizes are UTF-16 units, so they are generous), and the documented schema states the exact rule
 * the normalizers in src/media/names.ts apply — in characters, with the same patterns — so that a
 * request valid by the OpenAPI document is never refused for its shape.
 */

export const fileNameField = z
  .string()
  .min(1)
  .max(4 * MAX_NAME_CHARS)
  .openapi({ maxLength: MAX_NAME_CHARS, pattern: FILE_NAME_PATTERN, example: "logo.png" });

export const folderField = z
  .string()
  .max(2 * MAX_FOLDER_CHARS)
  .openapi({ maxLength: MAX_FOLDER_CHARS, pattern: FOLDER_PATTERN, example: "/projects/logo" });

/** A folder that is not the root (which can't be created, renamed or deleted). */
export const subfolderField = z
  .string()
  .min(1)
  .max(2 * MAX_FOLDER_CHARS)
  .openapi({ maxLength: MAX_FOLDER_CHARS, pattern: SUBFOLDER_PATTERN, example: "/projects/logo" });

export const tagsField = z
  .array(
    z
      .string()
      .max(4 * MAX_TAG_CHARS)
      .openapi({ maxLength: MAX_TAG_CHARS, pattern: TAG_PATTERN }),
  )
  .max(4 * MAX_TAGS)
  .openapi({ maxItems: MAX_TAGS });

export const MAX_TEMPLATE_CHARS = 300;
export const templateField = z
  .string()
  .min(1)
  .max(4 * MAX_TEMPLATE_CHARS)
  .openapi({
    maxLength: MAX_TEMPLATE_CHARS,
    pattern: TEMPLATE_PATTERN,
    example: "/Sorted/{category}/{yyyy}",
    description:
      "A folder path with placeholders {category} {yyyy} {mm} (uploaded) {taken.yyyy} {taken.mm} (date taken) {ext} {tag}",
  });

const ISO_DATE =
  "^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])(?:T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)?)?$";

/** An ISO-8601 date or date-time, as a UTC ISO string once parsed. */
export const isoDateField = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), "Expected an ISO-8601 date or date-time")
  .transform((s) => new Date(s).toISOString())
  .openapi({ type: "string", pattern: ISO_DATE, example: "2026-11-30" });

/** A new password: the policy's length in characters (common passwords and the email are refused too). */
export const newPasswordField = z
  .string()
  .min(1)
  .max(1024)
  .openapi({
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
    description: `${PASSWORD_MIN}–${PASSWORD_MAX} characters, not a common password, not your email`,
  });
