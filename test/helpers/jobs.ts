import { env } from "cloudflare:workers";
import { vectorizeOptionsSchema } from "../../src/vectorize/options";

const options = vectorizeOptionsSchema.parse({});

/**
 * A user row written directly (no sign-up, no password that works), with `credits` granted in the
 * same batch — for tests of the job engine, which needs an owner and a balance and nothing else.
 */
export async function userRow(credits = 0): Promise<string> {
  const id = `usr_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const now = new Date().toISOString();
  const grant = env.DB.prepare(
    "INSERT INTO credit_ledger (id, user_id, kind, amount, ref, created_at) VALUES (?, ?, 'grant', ?, 'signup', ?)",
  ).bind(`crd_${id}`, id, credits, now);
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO users (id, email, role, password_hash, created_at, updated_at) VALUES (?, ?, 'user', 'x', ?, ?)",
    ).bind(id, `${id}@example.com`, now, now),
    ...(credits ? [grant] : []),
  ]);
  return id;
}

/**
 * A vectorize job row as the engine leaves it (failed, queued, …), written directly so a test can
 * set up any state; `mediaId` names its source file.
 */
export async function jobRow(
  userId: string,
  fields: { status: string; errorCode?: string; mediaId?: string; createdAt?: string; parentId?: string },
): Promise<string> {
  const id = `job_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const now = fields.createdAt ?? new Date().toISOString();
  const input = {
    mediaId: fields.mediaId ?? "med_missing",
    options,
    optionsHash: "h",
    sourceSha256: "0".repeat(64),
    pricing: "production",
  };
  await env.DB.prepare(
    `INSERT INTO jobs (id, user_id, type, parent_id, status, input, progress, attempts, error_code, error_message, credit_cost, created_at, updated_at)
     VALUES (?, ?, 'vectorize', ?, ?, ?, '{"stage":"x","done":0,"total":1,"percent":0}', 1, ?, ?, 10, ?, ?)`,
  )
    .bind(
      id,
      userId,
      fields.parentId ?? null,
      fields.status,
      JSON.stringify(input),
      fields.errorCode ?? null,
      fields.errorCode ? "it broke" : null,
      now,
      now,
    )
    .run();
  return id;
}
