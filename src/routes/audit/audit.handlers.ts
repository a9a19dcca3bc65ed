import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { auditCsv, listAudit, listSecurityEvents } from "../../audit/query";
import { getDb } from "../../db/client";
import { caller } from "../../policy";
import type * as routes from "./audit.routes";

export const listAuditHandler: RouteHandler<typeof routes.listAudit, AppEnv> = async (c) => {
  const { format, limit, cursor, ...filter } = c.req.valid("query");
  const db = getDb(c.env.DB);
  if (format === "csv") {
    const { csv, truncated } = await auditCsv(db, filter);
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8; header=present",
        "Content-Disposition": `attachment; filename="audit-${c.var.clock().toISOString().slice(0, 10)}.csv"`,
        "X-Truncated": String(truncated),
      },
    }) as never;
  }
  return c.json(await listAudit(db, filter, { limit, cursor }), 200);
};

export const listSecurityEventsHandler: RouteHandler<typeof routes.listSecurityEvents, AppEnv> = async (
  c,
) => {
  return c.json(await listSecurityEvents(getDb(c.env.DB), caller(c).userId, c.req.valid("query")), 200);
};
