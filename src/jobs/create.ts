import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { jobs } from "../db/jobs-schema";
import { outbox } from "../db/schema";
import { newId } from "../lib/ids";
import { lowCreditsEvent, lowCreditsThreshold, reserveCredits } from "./credits";
import { DONE_PROGRESS, QUEUED_PROGRESS } from "./lifecycle";
import type { AnyJobType, GroupJobType, QueuedJobType } from "./registry";

// Creating a job: the statements a service puts in its own db.batch() (the job row, its credits at
// the type's cost, the outbox row), and the deliveries it hands to `enqueueJobs` afterwards. What
// happens to a job once it exists is lifecycle.ts.

export interface NewJob<Input> {
  type: QueuedJobType<Input, Record<string, unknown>> | GroupJobType<Input, Record<string, unknown>>;
  userId: string;
  input: Input;
  id?: string;
  parentId?: string | null;
  /** The failed job this one replays (src/jobs/bulk.ts). */
  replayOf?: string;
  /**
   * A job answered in the request itself (e.g. a cache hit): created `succeeded` with this result,
   * at this cost instead of the type's, and owed no queue message.
   */
  settled?: { result: Record<string, unknown>; creditCost: number };
}

/** A created job: its id, the statements for the caller's one db.batch(), and whether it needs a message. */
export interface CreatedJob {
  id: string;
  type: AnyJobType;
  statements: BatchItem<"sqlite">[];
  /** Pass these to `enqueueJobs` after the batch (only jobs that wait for a queue delivery). */
  delivery: Delivery[];
}

/** A job that waits for a `{jobId}` message on its type's queue. */
export interface Delivery {
  id: string;
  type: QueuedJobType;
}

/**
 * The statements that create a job: the row, its credit reservation (the type's cost, refused as a
 * whole batch when the balance can't cover it) and an outbox event (the promise of a queue message).
 * A group job starts `running` and owes nothing: it follows its children.
 */
export function createJobStatements<Input>(db: Db, env: Env, job: NewJob<Input>, now: Date): CreatedJob {
  const { type } = job;
  const checked = type.input.safeParse(job.input);
  if (!checked.success) throw new Error(`${type.name} job input is invalid: ${checked.error.message}`);
  const id = job.id ?? newId("job");
  const nowIso = now.toISOString();
  const row = {
    id,
    userId: job.userId,
    type: type.name,
    parentId: job.parentId ?? null,
    replayOf: job.replayOf ?? null,
    input: job.input as Record<string, unknown>,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  if (type.kind === "group") {
    const progress = { stage: "running", done: 0, total: 0, percent: 0 };
    return {
      id,
      type,
      statements: [db.insert(jobs).values({ ...row, status: "running", progress, startedAt: nowIso })],
      delivery: [],
    };
  }
  const creditCost = job.settled ? job.settled.creditCost : type.cost(job.input, env);
  const statements: BatchItem<"sqlite">[] = [
    db.insert(jobs).values({
      ...row,
      creditCost,
      maxAttempts: type.maxAttempts ?? 5,
      ...(job.settled
        ? {
            status: "succeeded" as const,
            result: job.settled.result,
            progress: DONE_PROGRESS,
            startedAt: nowIso,
            finishedAt: nowIso,
          }
        : { progress: QUEUED_PROGRESS }),
    }),
  ];
  if (!job.settled) {
    statements.push(
      db.insert(outbox).values({
        id: newId("evt"),
        topic: "job.created",
        payload: { jobId: id, type: type.name },
        createdAt: nowIso,
      }),
    );
  }
  if (creditCost > 0) {
    statements.push(
      ...reserveCredits(db, job.userId, id, creditCost, nowIso),
      lowCreditsEvent(db, job.userId, creditCost, lowCreditsThreshold(env), nowIso),
    );
  }
  return { id, type, statements, delivery: job.settled ? [] : [{ id, type }] };
}
