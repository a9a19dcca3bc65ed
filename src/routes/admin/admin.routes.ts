import { z } from "@hono/zod-openapi";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam, userSchema } from "../schemas";

const tags = ["Admin"];
const adminOnly = requires({ kind: "admin" });

export const adminUserSchema = userSchema
  .extend({ disabled: z.boolean(), usedBytes: z.number().int(), usedFiles: z.number().int() })
  .openapi("AdminUser");

export const listUsers = createRoute({
  operationId: "adminListUsers",
  method: "get",
  path: "/admin/users",
  tags,
  middleware: [adminOnly] as const,
  summary: "All users",
  request: { query: pageQuerySchema.extend({ q: z.string().trim().max(254).optional() }) },
  responses: {
    200: pageContent(adminUserSchema, "Users"),
    ...pickProblems(400, 401, 403, 422),
  },
});

export const updateUser = createRoute({
  operationId: "adminUpdateUser",
  method: "patch",
  path: "/admin/users/{id}",
  tags,
  middleware: [adminOnly] as const,
  summary: "Change a user's role, or disable / enable the account",
  description: "Disabling ends all of the user's sessions and revokes their API keys at once.",
  request: {
    params: idParam("usr"),
    body: jsonBody(
      z
        .strictObject({ role: z.enum(["user", "admin"]).optional(), disabled: z.boolean().optional() })
        .refine((v) => v.role !== undefined || v.disabled !== undefined, {
          message: "Give role or disabled",
        }),
    ),
  },
  responses: {
    200: jsonContent(z.object({ user: adminUserSchema }), "Updated"),
    ...pickProblems(401, 403, 404, 409, 415, 422),
  },
});

export const endUserSessions = createRoute({
  operationId: "adminEndUserSessions",
  method: "delete",
  path: "/admin/users/{id}/sessions",
  tags,
  middleware: [adminOnly] as const,
  summary: "End all sessions of a user",
  description: "Not for your own account (409 `cannot_change_self`): use DELETE /sessions.",
  request: { params: idParam("usr") },
  responses: {
    200: jsonContent(z.object({ ended: z.number().int() }), "Ended"),
    ...pickProblems(401, 403, 404, 409),
  },
});

const dailySchema = z
  .object({
    date: z.string().openapi({ example: "2026-11-21" }),
    jobsCreated: z.number().int(),
    jobsSucceeded: z.number().int(),
    jobsFailed: z.number().int(),
    uploads: z.number().int(),
    uploadedBytes: z.number().int(),
    signups: z.number().int(),
  })
  .openapi("DailyStats");

export const stats = createRoute({
  operationId: "adminStats",
  method: "get",
  path: "/admin/stats",
  tags,
  middleware: [adminOnly] as const,
  summary: "Activity per UTC day (jobs, uploads, sign-ups) and storage totals, for the dashboard charts",
  request: { query: z.object({ days: z.coerce.number().int().min(1).max(365).default(30) }) },
  responses: {
    200: jsonContent(
      z.object({
        days: z.array(dailySchema),
        totals: z.object({ users: z.number().int(), storedBytes: z.number().int(), files: z.number().int() }),
      }),
      "Stats",
    ),
    ...pickProblems(401, 403, 422),
  },
});

export const devMailSchema = z
  .object({
    id: z.string(),
    to: z.string(),
    from: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    topic: z.string(),
    createdAt: z.string(),
  })
  .openapi("DevMail");

export const devMail = createRoute({
  operationId: "adminListDevMail",
  method: "get",
  path: "/admin/dev-mail",
  tags,
  middleware: [adminOnly] as const,
  summary: "Dev mailbox: the mail the `log` provider stored",
  description:
    "Only when EMAIL_PROVIDER=log (the dev default); otherwise 404 `dev_mail_disabled`. Newest first; `to` filters by recipient.",
  request: { query: pageQuerySchema.extend({ to: z.string().trim().max(254).optional() }) },
  responses: {
    200: pageContent(devMailSchema, "Mail"),
    ...pickProblems(400, 401, 403, 404, 422),
  },
});
