import { z } from "@hono/zod-openapi";
import { createSchemaFactory } from "drizzle-zod";
import { auditLog } from "../../db/schema";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { createRoute, pageContent, pickProblems } from "../openapi";

const { createSelectSchema } = createSchemaFactory({ zodInstance: z });

export const auditEntrySchema = createSelectSchema(auditLog)
  .extend({ detail: z.record(z.string(), z.unknown()).nullable() })
  .openapi("AuditEntry");

const idFilter = z.string().trim().min(1).max(64).optional();

export const listAudit = createRoute({
  method: "get",
  path: "/admin/audit",
  operationId: "adminListAudit",
  tags: ["Admin"],
  middleware: [requires({ kind: "admin" })] as const,
  summary: "The audit trail, newest first, filtered; `format=csv` exports it",
  description:
    "Append-only: no route changes or deletes a row (the cron removes rows older than AUDIT_RETENTION_DAYS). " +
    "Filters combine with AND. The CSV export ignores `limit`/`cursor` and holds at most 10,000 rows " +
    "(`X-Truncated: true` when more matched; narrow `from`/`to`).",
  request: {
    query: pageQuerySchema.extend({
      actor: idFilter.openapi({ description: "Who did it (user id)" }),
      subject: idFilter.openapi({ description: "The account it is about (user id)" }),
      action: z
        .string()
        .trim()
        .regex(/^[a-z0-9_.]{1,64}$/)
        .optional()
        .openapi({ example: "auth.sign_in_failed" }),
      targetType: z.string().trim().max(32).optional(),
      target: idFilter.openapi({
        description: "The target's id (user, session, api_key, share, job, media)",
      }),
      from: z.iso.datetime().optional().openapi({ description: "at or after" }),
      to: z.iso.datetime().optional().openapi({ description: "at or before" }),
      format: z.enum(["json", "csv"]).default("json"),
    }),
  },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() }),
        },
        "text/csv": { schema: z.string() },
      },
      description: "Entries",
    },
    ...pickProblems(400, 401, 403, 422),
  },
});

export const listSecurityEvents = createRoute({
  method: "get",
  path: "/me/security-events",
  operationId: "listSecurityEvents",
  tags: ["Account"],
  middleware: [requires({ kind: "user", scope: "account:read" })] as const,
  summary: "Your account's security events, newest first",
  description:
    "Sign-ins (and failed attempts on your email), password and two-factor changes, sessions ended, API keys made and revoked, and changes an administrator made to your account.",
  request: { query: pageQuerySchema },
  responses: {
    200: pageContent(auditEntrySchema, "Events"),
    ...pickProblems(400, 401, 403, 422),
  },
});
