import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { notFound } from "../../errors";
import { jobTypes } from "../../job-types";
import * as bulk from "../../jobs/bulk";
import { type ExplorerRow, exploreJobs, jobDetail } from "../../jobs/explorer";
import { toAttemptView, toJobView } from "../../jobs/views";
import { serveBlob } from "../../media/serve";
import { caller } from "../../policy";
import { auditContext } from "../audit-context";
import type * as routes from "./admin-jobs.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

function explorerView(job: ExplorerRow) {
  return {
    ...toJobView(job),
    owner: { id: job.userId, email: job.ownerEmail },
    errorCode: job.errorCode,
    replayOf: job.replayOf,
    creditCost: job.creditCost,
  };
}

export const exploreJobsHandler: H<typeof routes.exploreJobs> = async (c) => {
  const { limit, cursor, ...filter } = c.req.valid("query");
  const page = await exploreJobs(getDb(c.env.DB), filter, { limit, cursor });
  return c.json({ items: page.items.map(explorerView), nextCursor: page.nextCursor }, 200);
};

export const explorerJobHandler: H<typeof routes.explorerJob> = async (c) => {
  const detail = await jobDetail(getDb(c.env.DB), c.req.valid("param").id);
  const { source } = detail;
  return c.json(
    {
      job: explorerView({ ...detail.job, ownerEmail: detail.owner.email }),
      attempts: detail.attempts.map(toAttemptView),
      replayedBy: detail.replayedBy,
      source: source
        ? {
            id: source.id,
            name: source.name,
            mime: source.mime,
            size: source.size,
            trashed: source.trashedAt !== null,
          }
        : null,
    },
    200,
  );
};

export const explorerJobSourceHandler: H<typeof routes.explorerJobSource> = async (c) => {
  const db = getDb(c.env.DB);
  const { source } = await jobDetail(db, c.req.valid("param").id);
  if (!source) throw notFound("source file");
  return serveBlob(db, c.env.MEDIA, source, { ifNoneMatch: c.req.header("if-none-match") }) as never;
};

export const replayJobsHandler: H<typeof routes.replayJobs> = async (c) => {
  const { filter, confirmCount } = c.req.valid("json");
  const outcome = await bulk.replayJobs(
    c.env,
    jobTypes,
    filter,
    confirmCount,
    c.var.clock(),
    auditContext(c),
  );
  return "count" in outcome ? c.json(outcome, 200) : c.json(outcome, 202);
};

export const cancelJobsHandler: H<typeof routes.cancelJobs> = async (c) => {
  const { filter, confirmCount } = c.req.valid("json");
  const outcome = await bulk.cancelJobs(
    c.env,
    jobTypes,
    caller(c),
    filter,
    confirmCount,
    c.var.clock(),
    auditContext(c),
  );
  return "count" in outcome ? c.json(outcome, 200) : c.json(outcome, 202);
};
