import { z } from "@hono/zod-openapi";
import { createSchemaFactory } from "drizzle-zod";
import {
  ANNOUNCEMENT_AUDIENCES,
  ANNOUNCEMENT_FORMATS,
  ANNOUNCEMENT_SEVERITIES,
  announcements,
} from "../../db/ops-schema";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems, SIGNED_IN } from "../openapi";
import { idParam } from "../schemas";

const { createSelectSchema } = createSchemaFactory({ zodInstance: z });
const adminOnly = requires({ kind: "admin" });

export const announcementSchema = createSelectSchema(announcements).openapi("Announcement");

const fields = {
  title: z.string().trim().min(1).max(120),
  body: z.string().trim().min(1).max(4000).openapi({
    description:
      "Plain text, or with `format: markdown` the safe subset: **bold**, *italic*, `code`, [link](https://…), `- ` lists",
  }),
  format: z.enum(ANNOUNCEMENT_FORMATS),
  severity: z.enum(ANNOUNCEMENT_SEVERITIES),
  audience: z.enum(ANNOUNCEMENT_AUDIENCES),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime().nullable(),
};

export const createAnnouncement = createRoute({
  method: "post",
  path: "/admin/announcements",
  operationId: "adminCreateAnnouncement",
  tags: ["Admin"],
  middleware: [adminOnly] as const,
  summary: "Announce something (a banner for everyone, or for admins)",
  request: {
    body: jsonBody(
      z.strictObject({
        ...fields,
        format: fields.format.default("text"),
        severity: fields.severity.default("info"),
        audience: fields.audience.default("all"),
        startsAt: fields.startsAt.optional().openapi({ description: "Default: now" }),
        endsAt: fields.endsAt.default(null),
      }),
    ),
  },
  responses: {
    201: jsonContent(z.object({ announcement: announcementSchema }), "Created"),
    ...pickProblems(401, 403, 415, 422),
  },
});

export const listAdminAnnouncements = createRoute({
  method: "get",
  path: "/admin/announcements",
  operationId: "adminListAnnouncements",
  tags: ["Admin"],
  middleware: [adminOnly] as const,
  summary: "Every announcement, past, current and scheduled (newest start first)",
  request: { query: pageQuerySchema },
  responses: {
    200: pageContent(announcementSchema, "Announcements"),
    ...pickProblems(400, 401, 403, 422),
  },
});

export const updateAnnouncement = createRoute({
  method: "patch",
  path: "/admin/announcements/{id}",
  operationId: "adminUpdateAnnouncement",
  tags: ["Admin"],
  middleware: [adminOnly] as const,
  summary: "Change an announcement (e.g. end it now with `endsAt`)",
  request: {
    params: idParam("ann"),
    body: jsonBody(
      z
        .strictObject(fields)
        .partial()
        .refine((v) => Object.keys(v).length > 0, { message: "Give at least one field" }),
    ),
  },
  responses: {
    200: jsonContent(z.object({ announcement: announcementSchema }), "Updated"),
    ...pickProblems(401, 403, 404, 415, 422),
  },
});

export const deleteAnnouncement = createRoute({
  method: "delete",
  path: "/admin/announcements/{id}",
  operationId: "adminDeleteAnnouncement",
  tags: ["Admin"],
  middleware: [adminOnly] as const,
  summary: "Delete an announcement",
  request: { params: idParam("ann") },
  responses: { 204: { description: "Deleted" }, ...pickProblems(401, 403, 404) },
});

export const activeAnnouncements = createRoute({
  method: "get",
  path: "/announcements",
  operationId: "listAnnouncements",
  // No credential needed; with one, the caller's dismissed announcements are left out.
  security: [{}, ...SIGNED_IN],
  tags: ["Announcements"],
  summary: "The announcements to show now (no auth needed; signed in: without the ones you dismissed)",
  responses: {
    200: jsonContent(z.object({ items: z.array(announcementSchema) }), "Active announcements"),
  },
});

export const dismissAnnouncement = createRoute({
  method: "post",
  path: "/announcements/{id}/dismiss",
  operationId: "dismissAnnouncement",
  tags: ["Announcements"],
  middleware: [requires({ kind: "user", scope: "account:read" })] as const,
  summary: "Close an announcement's banner for good (on every device); again is a no-op",
  request: { params: idParam("ann") },
  responses: { 204: { description: "Dismissed" }, ...pickProblems(401, 403, 404) },
});
