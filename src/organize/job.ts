import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import type { JobProgress } from "../db/jobs-schema";
import {
  CONFLICT_POLICIES,
  DUPLICATE_MODES,
  KEEP_POLICIES,
  type OrganizePlan,
  organizePlans,
  PLAN_STATES,
} from "../db/organize-schema";
import { defineJobType, type JobContext } from "../jobs/registry";
import { PermanentJobError } from "../jobs/runner";
import { organizeConfig } from "./config";
import { applyChunk } from "./stages/apply";
import type { OrganizeAction, Stage } from "./stages/chunk";
import { finish } from "./stages/finish";
import { duplicatesChunk, scanChunk } from "./stages/plan";
import { rollbackChunk } from "./stages/rollback";

/**
 * The organize job, one chunk per delivery. A plan job walks `duplicates → scan → (apply) → finish`;
 * an apply job `apply → finish`; a rollback job `rollback → finish`. Each chunk reads at most
 * `chunkSize` files, and writes its records, its moves and the plan's checkpoint in the one
 * lease-guarded batch the runner commits (see `continueJob`), so a chunk happens once or not at all
 * and a redelivery resumes at the last checkpoint.
 */

const organizeInput = z.union([
  z.object({
    action: z.literal("plan"),
    folder: z.string(),
    dryRun: z.boolean(),
    duplicates: z.enum(DUPLICATE_MODES),
    keep: z.enum(KEEP_POLICIES),
    template: z.string(),
    conflict: z.enum(CONFLICT_POLICIES),
    /** Only these files (the "organize new uploads" automation). */
    mediaIds: z.array(z.string()).optional(),
    auto: z.boolean().optional(),
  }),
  z.object({ action: z.enum(["apply", "rollback"]), planJobId: z.string() }),
]);

export type OrganizeInput = z.infer<typeof organizeInput>;

const organizeResult = z
  .object({
    planJobId: z.string(),
    action: z.enum(["plan", "apply", "rollback"]),
    dryRun: z.boolean(),
    state: z.enum(PLAN_STATES),
    files: z.number(),
    bytes: z.number(),
    statuses: z.record(z.string(), z.number()),
    duplicates: z.object({
      groups: z.number(),
      files: z.number(),
      redundantFiles: z.number(),
      reclaimableBytes: z.number(),
    }),
  })
  .openapi("OrganizeJobResult");

/** Organize jobs: a plan job, and apply / rollback jobs of a stored plan. Free of credits. */
export const organizeJob = defineJobType({
  name: "organize",
  input: organizeInput,
  result: organizeResult,
  queue: (env) => env.ORGANIZE_QUEUE,
  cost: () => 0,
  handler: (ctx) => runOrganizeChunk(ctx),
});

async function runOrganizeChunk(ctx: JobContext<OrganizeInput>) {
  const { db, claim, input } = ctx;
  const planId = "planJobId" in input ? input.planJobId : claim.job.id;
  const plan = await db.select().from(organizePlans).where(eq(organizePlans.jobId, planId)).get();
  if (!plan) throw new PermanentJobError("plan_missing", "The organize plan no longer exists.");
  if (plan.activeJobId !== claim.job.id)
    throw new PermanentJobError("plan_busy", "Another job is working on this plan.");
  const config = organizeConfig(ctx.env);
  const stage = plan.stage as Stage;
  const now = ctx.now();

  await ctx.step(progressOf(plan, input.action, stage, plan.done, plan.total));
  // A stage that ends without work (no duplicates, nothing left to apply) hands over to the next
  // stage within the same delivery; any chunk with work ends the delivery with its checkpoint.
  let current = plan;
  for (let hop = 0; ; hop++) {
    const at = current.stage as Stage;
    if (at === "finish") return finish(db, current, input.action, now);
    const chunk = await runStage(db, current, at, config.chunkSize, now);
    const stageChanged = chunk.next.stage !== at;
    const total = chunk.total ?? current.total;
    const reset = stageChanged && chunk.next.stage !== "scan";
    const done = reset ? 0 : current.done + chunk.processed;
    const nextTotal = reset ? 0 : total;
    if (chunk.statements.length === 0 && stageChanged && hop < 5) {
      current = { ...current, stage: chunk.next.stage, cursor: chunk.next.cursor, done, total: nextTotal };
      continue;
    }
    const checkpoint = rawInBatch(
      db,
      sql`UPDATE organize_plans SET stage = ${chunk.next.stage}, cursor = ${chunk.next.cursor},
        done = ${done}, total = ${nextTotal},
        state = CASE WHEN ${chunk.next.stage} = 'apply' THEN 'applying' ELSE state END,
        updated_at = ${now.toISOString()}
        WHERE job_id = ${plan.jobId} AND active_job_id = ${claim.job.id}`,
    );
    return {
      continue: true as const,
      checkpoint: [...chunk.statements, checkpoint],
      progress: progressOf(plan, input.action, chunk.next.stage, done, nextTotal || total),
    };
  }
}

function runStage(db: Db, plan: OrganizePlan, stage: Exclude<Stage, "finish">, chunkSize: number, now: Date) {
  switch (stage) {
    case "duplicates":
      return duplicatesChunk(db, plan, chunkSize, now);
    case "scan":
      return scanChunk(db, plan, chunkSize, now);
    case "apply":
      return applyChunk(db, plan, chunkSize, now);
    case "rollback":
      return rollbackChunk(db, plan, chunkSize, now);
  }
}

/** Progress for watchers: a plan that also applies spends the first half planning, the second applying. */
function progressOf(
  plan: OrganizePlan,
  action: OrganizeAction,
  stage: Stage,
  done: number,
  total: number,
): JobProgress {
  const fraction = total > 0 ? Math.min(1, done / total) : stage === "finish" ? 1 : 0;
  let percent = fraction * 100;
  if (action === "plan" && !plan.dryRun)
    percent = stage === "apply" || stage === "finish" ? 50 + fraction * 50 : fraction * 50;
  if (stage === "finish") percent = 99;
  return {
    stage: stage === "duplicates" || stage === "scan" ? `planning:${stage}` : stage,
    done,
    total,
    percent: Math.floor(percent),
  };
}
