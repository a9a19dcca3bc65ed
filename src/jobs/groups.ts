import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobs } from "../db/jobs-schema";
import type { GroupJobType } from "./registry";

/**
 * A group job's status, progress and result are its children's: done = finished children, running
 * until all are final, then succeeded if any child succeeded, else failed (or cancelled if all
 * were). The counts are the engine's; the rest of the result is the type's `summarize`.
 */
export async function refreshGroupJob(
  db: Db,
  type: GroupJobType,
  parentId: string,
  now: Date,
): Promise<void> {
  const children = await db
    .select({ status: jobs.status, result: jobs.result })
    .from(jobs)
    .where(eq(jobs.parentId, parentId))
    .all();
  const total = children.length;
  const count = (s: string) => children.filter((c) => c.status === s).length;
  const succeeded = count("succeeded");
  const failed = count("failed");
  const cancelled = count("cancelled");
  const done = succeeded + failed + cancelled;
  const allDone = done === total;
  const status = !allDone
    ? "running"
    : succeeded > 0
      ? "succeeded"
      : cancelled === total
        ? "cancelled"
        : "failed";
  const allFailed = allDone && succeeded === 0 && status === "failed";
  const nowIso = now.toISOString();
  await db
    .update(jobs)
    .set({
      status,
      progress: {
        stage: allDone ? "done" : "running",
        done,
        total,
        percent: total ? Math.round((done / total) * 100) : 100,
      },
      result: { succeeded, failed, cancelled, total, ...type.summarize(children) },
      errorCode: allFailed ? "all_children_failed" : null,
      errorMessage: allFailed ? type.allFailedMessage : null,
      finishedAt: allDone ? nowIso : null,
      updatedAt: nowIso,
    })
    .where(eq(jobs.id, parentId));
}
