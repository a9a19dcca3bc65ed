import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, newUser } from "../helpers/api";

async function failedJobs(userId: string, count: number): Promise<string[]> {
  const ids = Array.from(
    { length: count },
    (_, i) => `job_lim${String(i).padStart(4, "0")}${crypto.randomUUID().slice(0, 9)}`,
  );
  const now = new Date().toISOString();
  const insert = env.DB.prepare(
    `INSERT INTO jobs (id, user_id, type, status, input, progress, created_at, updated_at, finished_at, error_code)
     VALUES (?, ?, 'organize', 'failed', '{"action":"plan","planJobId":"x"}', '{"stage":"done","done":0,"total":1,"percent":0}', ?, ?, ?, 'boom')`,
  );
  for (let i = 0; i < ids.length; i += 50)
    await env.DB.batch(ids.slice(i, i + 50).map((id) => insert.bind(id, userId, now, now, now)));
  return ids;
}

describe("no 500 from D1's 100 bound parameters (#9)", () => {
  it("POST /admin/jobs/retry with 150 ids requeues them all", async () => {
    const admin = await newUser({ role: "admin" });
    const owner = await newUser();
    const ids = await failedJobs(owner.id, 150);
    const res = await call("/api/v1/admin/jobs/retry", {
      method: "POST",
      token: admin.accessToken,
      json: { jobIds: ids },
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect((await res.json<{ requeued: string[] }>()).requeued.sort()).toEqual([...ids].sort());
    const queued = await env.DB.prepare(
      "SELECT count(*) AS n FROM jobs WHERE user_id = ? AND status = 'queued'",
    )
      .bind(owner.id)
      .first<{ n: number }>();
    expect(queued?.n).toBe(150);
  });
});
