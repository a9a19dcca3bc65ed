import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../db/client";
import type { Job, JobProgress } from "../db/jobs-schema";
import {
  type StorageConnection,
  type StorageTransfer,
  storageConnections,
  storageTransfers,
  type TransferError,
} from "../db/storage-schema";
import { ApiError } from "../errors";
import { createJobStatements } from "../jobs/create";
import { enqueueJobs } from "../jobs/dispatch";
import { getJobRow } from "../jobs/lifecycle";
import { defineJobType, type JobContext, type QueuedJobType } from "../jobs/registry";
import { PermanentJobError } from "../jobs/runner";
import { normalizeFolder } from "../media/names";
import { addUsage } from "../usage/rollup";
import { storageConfig } from "./config";
import { connectionProvider, ownedConnection } from "./connections";
import type { StorageProvider } from "./provider";

/** Failures kept in the result (the counts cover all of them). */
const MAX_ERRORS = 20;

export const transferResultSchema = z
  .object({
    copied: z.number().int().openapi({ description: "Files imported into the library, or objects written." }),
    skipped: z.number().int().openapi({ description: "Already there with the same bytes." }),
    failed: z.number().int(),
    bytes: z.number().int().openapi({ description: "Bytes copied." }),
    errors: z
      .array(z.object({ key: z.string(), code: z.string(), message: z.string() }))
      .openapi({ description: `The first ${MAX_ERRORS} failures.` }),
  })
  .openapi("StorageTransferResult");
export type TransferResult = z.infer<typeof transferResultSchema>;

export const transferInputSchema = z.object({ connectionId: z.string() });

/** The counts of a transfer as one delivery changes them. */
export class Tally {
  copied: number;
  skipped: number;
  failed: number;
  bytes: number;
  done: number;
  errors: TransferError[];

  constructor(row: StorageTransfer) {
    this.copied = row.copied;
    this.skipped = row.skipped;
    this.failed = row.failed;
    this.bytes = row.bytes;
    this.done = row.done;
    this.errors = [...row.errors];
  }

  add(outcome: "copied" | "skipped", size: number) {
    this.done += 1;
    this[outcome] += 1;
    if (outcome === "copied") this.bytes += size;
  }

  fail(key: string, error: unknown) {
    this.done += 1;
    this.failed += 1;
    if (this.errors.length < MAX_ERRORS)
      this.errors.push({
        key,
        code: error instanceof ApiError ? error.code : "transfer_failed",
        message: (error instanceof Error ? error.message : String(error)).slice(0, 300),
      });
  }

  result(): TransferResult {
    return {
      copied: this.copied,
      skipped: this.skipped,
      failed: this.failed,
      bytes: this.bytes,
      errors: this.errors,
    };
  }

  progress(stage: string, total: number): JobProgress {
    const all = Math.max(total, this.done);
    return {
      stage,
      unit: "files",
      done: this.done,
      total: all,
      percent: all === 0 ? 100 : Math.floor((100 * this.done) / all),
      bytesDone: this.bytes,
    };
  }

  /** The delivery's checkpoint: the counts and where the next one starts. */
  save(db: Db, jobId: string, cursor: string | null, total: number): BatchItem<"sqlite"> {
    return db
      .update(storageTransfers)
      .set({
        cursor,
        total,
        done: this.done,
        copied: this.copied,
        skipped: this.skipped,
        failed: this.failed,
        bytes: this.bytes,
        errors: this.errors,
      })
      .where(eq(storageTransfers.jobId, jobId));
  }
}

/** The transfer row of a running job and its connection's provider. */
export async function openTransfer(ctx: JobContext<unknown>): Promise<{
  transfer: StorageTransfer;
  connection: StorageConnection;
  provider: StorageProvider;
  /** Objects or files this delivery handles: few enough for one invocation's time and subrequests. */
  chunkSize: number;
  /** Objects handled at a time within the page. */
  concurrency: number;
}> {
  const transfer = await ctx.db
    .select()
    .from(storageTransfers)
    .where(eq(storageTransfers.jobId, ctx.claim.job.id))
    .get();
  if (!transfer) throw new PermanentJobError("transfer_missing", "The transfer's record is gone.");
  const connection = await ctx.db
    .select()
    .from(storageConnections)
    .where(eq(storageConnections.id, transfer.connectionId))
    .get();
  if (!connection)
    throw new PermanentJobError(
      "connection_deleted",
      "The storage connection was deleted during the transfer.",
    );
  const config = storageConfig(ctx.env);
  const provider = await connectionProvider({ authSecret: ctx.env.AUTH_SECRET, config }, connection);
  return { transfer, connection, provider, chunkSize: config.chunkSize, concurrency: config.concurrency };
}

/** Creates an import or export job and its transfer row in one batch, then queues it. */
export async function startTransfer(
  env: Env,
  db: Db,
  type: QueuedJobType<{ connectionId: string }, TransferResult>,
  request: {
    userId: string;
    connectionId: string;
    direction: "import" | "export";
    prefix: string;
    folder: string;
    mediaIds?: string[];
  },
  now: Date,
): Promise<Job> {
  await ownedConnection(db, request.userId, request.connectionId);
  const created = createJobStatements(
    db,
    env,
    { type, userId: request.userId, input: { connectionId: request.connectionId } },
    now,
  );
  await db.batch([
    ...(created.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]),
    db.insert(storageTransfers).values({
      jobId: created.id,
      ownerId: request.userId,
      connectionId: request.connectionId,
      direction: request.direction,
      prefix: request.prefix.replace(/^\/+/, ""),
      folder: normalizeFolder(request.folder),
      mediaIds: request.mediaIds ?? null,
    }),
  ]);
  const job = (await getJobRow(db, created.id))!;
  await enqueueJobs(env, db, created.delivery, now);
  return job;
}

export type OpenedTransfer = Awaited<ReturnType<typeof openTransfer>>;

/** The usage class of a transfer's bytes: no route's, so no API call's bytes merge into it. */
export const TRANSFERS_CLASS = "transfers";

/**
 * The bytes a page copied, in its owner's usage for the day (`GET /me/usage`): an import's as
 * uploaded, an export's as served, under the class `transfers` (no route's). Written with the page's
 * checkpoint, so a page run again after a crash before it never counts twice: an export counts what
 * the committing run wrote; an import's rerun skips what the cut-off run copied, leaving it uncounted.
 */
function transferUsage(db: Db, transfer: StorageTransfer, bytes: number, now: Date) {
  if (bytes <= 0) return [];
  const inbound = transfer.direction === "import";
  return [
    addUsage(db, {
      userId: transfer.ownerId,
      day: now.toISOString().slice(0, 10),
      routeClass: TRANSFERS_CLASS,
      calls: 0,
      bytesIn: inbound ? bytes : 0,
      bytesOut: inbound ? 0 : bytes,
    }),
  ];
}

/** One delivery's page of a transfer: where the next starts (null: the last page) and the total. */
export interface TransferPage {
  cursor: string | null;
  total: number;
  /** Written with the page's checkpoint (an import's object hashes). */
  statements?: BatchItem<"sqlite">[];
}

/**
 * An import or export job: each delivery opens the transfer, lets `runPage` handle one page into
 * the tally (calling `tick` now and then: progress, lease, cancellation), and commits the counts
 * and the next cursor as its checkpoint — or, after the last page, as the job's result.
 */
export function defineTransferJob(
  name: string,
  stage: string,
  runPage: (
    ctx: JobContext<{ connectionId: string }>,
    opened: OpenedTransfer,
    tally: Tally,
    tick: (total: number) => Promise<void>,
  ) => Promise<TransferPage>,
) {
  return defineJobType<{ connectionId: string }, TransferResult>({
    name,
    input: transferInputSchema,
    result: transferResultSchema,
    // Shares the organizer's queue: the consumer dispatches by job type.
    queue: (env) => env.ORGANIZE_QUEUE,
    cost: () => 0,
    // A replay transfers again from the start, with the failed one's connection, prefix, folder and
    // selection; an import skips what is already in its folder, so what the failed run copied stays once.
    replay: async (db, failedJobId, replayId) => [
      rawInBatch(
        db,
        sql`INSERT INTO storage_transfers (job_id, owner_id, connection_id, direction, prefix, folder, media_ids)
          SELECT ${replayId}, owner_id, connection_id, direction, prefix, folder, media_ids
          FROM storage_transfers WHERE job_id = ${failedJobId}`,
      ),
    ],
    async handler(ctx) {
      const opened = await openTransfer(ctx);
      const tally = new Tally(opened.transfer);
      // Every 5 objects or so, one step at a time (objects may finish together: no step overtakes another).
      let stepped = tally.done;
      let stepping = false;
      const tick = async (total: number) => {
        if (stepping || tally.done - stepped < 5) return;
        stepping = true;
        stepped = tally.done;
        try {
          await ctx.step(tally.progress(stage, total));
        } finally {
          stepping = false;
        }
      };
      const { cursor, total, statements = [] } = await runPage(ctx, opened, tally, tick);
      const checkpoint = [
        tally.save(ctx.db, opened.transfer.jobId, cursor, total),
        ...statements,
        ...transferUsage(ctx.db, opened.transfer, tally.bytes - opened.transfer.bytes, ctx.now()),
      ];
      if (cursor) return { continue: true as const, checkpoint, progress: tally.progress(stage, total) };
      return { result: tally.result(), domain: checkpoint, progress: tally.progress("done", tally.done) };
    },
  });
}
