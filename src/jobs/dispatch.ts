import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { outbox } from "../db/schema";
import type { Delivery } from "./create";

/**
 * Sends `{jobId}` for jobs just created (each on its type's queue), then marks their outbox rows
 * delivered. If a send fails the rows stay pending and the scheduled relay sends them later: a job
 * is never stranded.
 */
export async function enqueueJobs(env: Env, db: Db, created: Delivery[], now: Date): Promise<void> {
  if (created.length === 0) return;
  try {
    for (const type of new Set(created.map((j) => j.type))) {
      const ofType = created.filter((j) => j.type === type);
      for (let i = 0; i < ofType.length; i += 100) {
        await type.queue(env).sendBatch(ofType.slice(i, i + 100).map((j) => ({ body: { jobId: j.id } })));
      }
    }
  } catch (error) {
    console.log(JSON.stringify({ level: "warn", event: "enqueue_failed", error: String(error) }));
    return;
  }
  await markJobEventsDelivered(
    db,
    created.map((j) => j.id),
    now,
  );
}

async function markJobEventsDelivered(db: Db, jobIds: string[], now: Date) {
  for (let i = 0; i < jobIds.length; i += 50) {
    await db
      .update(outbox)
      .set({ deliveredAt: now.toISOString() })
      .where(
        and(
          eq(outbox.topic, "job.created"),
          isNull(outbox.deliveredAt),
          inArray(sql`json_extract(${outbox.payload}, '$.jobId')`, jobIds.slice(i, i + 50)),
        ),
      );
  }
}
