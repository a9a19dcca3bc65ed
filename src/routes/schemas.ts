import { z } from "@hono/zod-openapi";
import { createSchemaFactory } from "drizzle-zod";
import { apiKeys, sessions, users } from "../db/schema";

/** Public shapes derived from the drizzle tables, so a column change shows up in the API types. */
const { createSelectSchema } = createSchemaFactory({ zodInstance: z });

export const userSchema = createSelectSchema(users)
  .pick({ id: true, email: true, name: true, role: true, createdAt: true })
  .openapi("User");

export const quotaSchema = z
  .object({
    bytes: z.number().int(),
    files: z.number().int(),
    usedBytes: z.number().int(),
    usedFiles: z.number().int(),
  })
  .openapi("Quota");

export const meSchema = userSchema
  .extend({
    credits: z.number().int(),
    quota: quotaSchema,
    disabled: z.boolean(),
    emailVerified: z.boolean(),
    twoFactorEnabled: z.boolean(),
  })
  .openapi("Me");

export const sessionSchema = createSelectSchema(sessions)
  .pick({ id: true, userAgent: true, ip: true, createdAt: true, lastSeenAt: true, absoluteExpiresAt: true })
  .extend({ current: z.boolean() })
  .openapi("Session");

export const apiKeySchema = createSelectSchema(apiKeys)
  .pick({
    id: true,
    name: true,
    hint: true,
    createdAt: true,
    expiresAt: true,
    lastUsedAt: true,
    revokedAt: true,
  })
  .extend({ scopes: z.array(z.string()) })
  .openapi("ApiKey");

/** Surrounding spaces are forgiven; the document states the address itself. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .openapi({ format: "email", pattern: z.regexes.email.source, example: "ada@example.com" });

export const idParam = (name: string) =>
  z.object({
    id: z
      .string()
      .min(1)
      .max(64)
      .openapi({ param: { name: "id", in: "path" }, example: `${name}_0123456789abcdefghij` }),
  });
