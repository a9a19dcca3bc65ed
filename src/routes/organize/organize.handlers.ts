import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { toJobView } from "../../jobs/views";
import { spendRateLimit } from "../../middleware/rate-limit";
import { listDuplicates, listFiles } from "../../organize/queries";
import { buildSummary, csvReport, htmlReport, jsonReport } from "../../organize/report";
import * as service from "../../organize/service";
import * as organizeSettings from "../../organize/settings";
import { authorize, caller } from "../../policy";
import { auditContext } from "../audit-context";
import type * as routes from "./organize.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const organizeHandler: H<typeof routes.organize> = async (c) => {
  const principal = caller(c);
  const body = c.req.valid("json");
  // Organizing in place changes objects in the caller's bucket: a storage power too.
  if (body.source) authorize(principal, { kind: "user", scope: "storage:write" });
  await spendRateLimit(c, "organize-user", principal.userId);
  const job = await service.createOrganizeJob(c.env, principal.userId, body, c.var.clock());
  return c.json({ job: toJobView(job) }, 202);
};

export const getSettingsHandler: H<typeof routes.getSettings> = async (c) => {
  const settings = await organizeSettings.getSettings(getDb(c.env.DB), caller(c).userId);
  return c.json({ settings }, 200);
};

export const putSettingsHandler: H<typeof routes.putSettings> = async (c) => {
  const settings = await organizeSettings.putSettings(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("json"),
    c.var.clock(),
  );
  return c.json({ settings }, 200);
};

export const listFilesHandler: H<typeof routes.listFiles> = async (c) => {
  const db = getDb(c.env.DB);
  const { plan } = await service.visiblePlan(db, caller(c), c.req.valid("param").id);
  return c.json(await listFiles(db, plan.jobId, c.req.valid("query")), 200);
};

export const listDuplicatesHandler: H<typeof routes.listDuplicates> = async (c) => {
  const db = getDb(c.env.DB);
  const { plan } = await service.visiblePlan(db, caller(c), c.req.valid("param").id);
  return c.json(await listDuplicates(db, plan, c.req.valid("query")), 200);
};

/** Apply and rollback: the same follow-up job of a plan, audited with the request. */
const followUpHandler =
  (action: "apply" | "rollback"): H<typeof routes.applyPlan> =>
  async (c) => {
    const job = await service.startFollowUp(
      c.env,
      caller(c),
      c.req.valid("param").id,
      action,
      c.var.clock(),
      auditContext(c),
    );
    return c.json({ job: toJobView(job) }, 202);
  };

export const applyHandler = followUpHandler("apply");
export const rollbackHandler = followUpHandler("rollback");

const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; sandbox";

export const reportHandler: H<typeof routes.report> = async (c) => {
  const db = getDb(c.env.DB);
  const { plan } = await service.visiblePlan(db, caller(c), c.req.valid("param").id);
  const { format } = c.req.valid("query");
  const summary = await buildSummary(db, plan);
  const name = `organize-${plan.jobId}.${format}`;
  if (format === "csv") {
    return new Response(csvReport(db, plan), {
      headers: {
        "Content-Type": "text/csv; charset=utf-8; header=present",
        "Content-Disposition": `attachment; filename="${name}"`,
      },
    }) as never;
  }
  if (format === "html") {
    return new Response(htmlReport(db, plan, summary), {
      headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": REPORT_CSP },
    }) as never;
  }
  // A download with a real file name (the web app's JSON button), as the CSV.
  return new Response(jsonReport(db, plan, summary), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
    },
  }) as never;
};
