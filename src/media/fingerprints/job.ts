import { z } from "@hono/zod-openapi";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { getDb } from "../../db/client";
import { type Job, jobs } from "../../db/jobs-schema";
import { blobs, media } from "../../db/schema";
import { createJobStatements } from "../../jobs/create";
import { enqueueJobs } from "../../jobs/dispatch";
import { getJobRow } from "../../jobs/lifecycle";
import { defineJobType } from "../../jobs/registry";
import { countUnfingerprinted, fingerprintSome } from "./store";

/**
 * The backfill: fingerprints for every image of a user's library uploaded before fingerprints
 * existed (or whose upload-time attempt died). Chunked like the organizer: each delivery decodes
 * images for up to BUDGET_MS, then hands over to the next; the blob rows are the checkpoint.
 */

const BUDGET_MS = 10_000;

const liveMedia = (userId: string) => and(eq(media.ownerId, userId), isNull(media.trashedAt))!;

export const fingerprintJob = defineJobType({
  name: "fingerprints",
  input: z.object({}),
  result: z
    .object({
      fingerprinted: z.number().openapi({ description: "images this job made fingerprints for" }),
      failed: z.number().openapi({ description: "images of yours whose fingerprints can't be made" }),
    })
    .openapi("FingerprintJobResult"),
  // Shares the organizer's queue: the consumer dispatches by job type.
  queue: (env) => env.ORGANIZE_QUEUE,
  cost: () => 0,
  async handler(ctx) {
    const userId = ctx.claim.job.userId;
    const before = ctx.claim.job.progress.unit === "files" ? ctx.claim.job.progress.done : 0;
    const { tried, more } = await fingerprintSome(ctx.db, ctx.env.MEDIA, liveMedia(userId), BUDGET_MS);
    const done = before + tried;
    if (more) {
      const left = await countUnfingerprinted(ctx.db, liveMedia(userId));
      const progress = {
        stage: "fingerprinting",
        unit: "files",
        done,
        total: done + left,
        percent: Math.floor((100 * done) / (done + left)),
      };
      return { continue: true as const, checkpoint: [], progress };
    }
    const failed = await ctx.db
      .select({ n: sql<number>`count(DISTINCT ${blobs.sha256})` })
      .from(media)
      .innerJoin(blobs, eq(blobs.sha256, media.sha256))
      .where(and(liveMedia(userId), eq(blobs.fingerprintStatus, "failed")))
      .get();
    return {
      result: { fingerprinted: done, failed: failed?.n ?? 0 },
      progress: { stage: "done", unit: "files", done, total: done, percent: 100 },
    };
  },
});

/** Starts the backfill for a user, or answers with the one already queued or running. */
export async function startFingerprintJob(env: Env, userId: string, now: Date): Promise<Job> {
  const db = getDb(env.DB);
  const running = await db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.userId, userId),
        eq(jobs.type, fingerprintJob.name),
        inArray(jobs.status, ["queued", "running"]),
      ),
    )
    .get();
  if (running) return running;
  const created = createJobStatements(db, env, { type: fingerprintJob, userId, input: {} }, now);
  await db.batch(created.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await enqueueJobs(env, db, created.delivery, now);
  return (await getJobRow(db, created.id))!;
}
