import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runScheduled } from "../../src/scheduled";
import { call, newUser } from "../helpers/api";
import { counts, uploadOk } from "../media/helpers";
import { seed } from "../organize/helpers";

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

describe("bulk changes and the trash cron with more than 100 files (#9)", () => {
  it("bulk-trashes 150 files, and the cron purges them with its tasks isolated from each other", async () => {
    const user = await newUser();
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) ids.push((await uploadOk(user, `file number ${i}`, `f${i}.txt`)).id);
    const bulk = await call("/api/v1/media/bulk", {
      method: "POST",
      token: user.accessToken,
      json: { ids, action: "trash" },
    });
    expect(bulk.status, await bulk.clone().text()).toBe(200);
    expect(await bulk.json()).toEqual({ updated: 150 });

    // Another owner's expired row that can't be purged (its quota was never counted, so the
    // purge's CHECK fails), and a third user's abandoned resumable upload.
    const broken = await newUser();
    await seed(broken.id, [
      {
        name: "x.bin",
        folder: "/",
        mime: "application/octet-stream",
        kind: "other",
        size: 5,
        sha256: "ef".repeat(32),
        createdAt: new Date().toISOString(),
      },
    ]);
    const uploader = await newUser();
    const started = await call("/api/v1/media/uploads", {
      method: "POST",
      token: uploader.accessToken,
      json: { name: "big.bin" },
    });
    const uploadId = (await started.json<{ upload: { id: string } }>()).upload.id;
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await env.DB.batch([
      env.DB.prepare("UPDATE media SET trashed_at = ? WHERE owner_id IN (?, ?)").bind(
        old,
        user.id,
        broken.id,
      ),
      env.DB.prepare("UPDATE media_uploads SET expires_at = ? WHERE id = ?").bind(old, uploadId),
    ]);

    await runScheduled(env, new Date());
    expect(await counts(user.id)).toEqual({ rows: 0, usedBytes: 0, usedFiles: 0 });
    expect(
      await env.DB.prepare("SELECT 1 FROM media_uploads WHERE id = ?").bind(uploadId).first(),
    ).toBeNull();
    const kept = await env.DB.prepare("SELECT count(*) AS n FROM media WHERE owner_id = ?")
      .bind(broken.id)
      .first<{ n: number }>();
    expect(kept?.n).toBe(1);
  }, 120_000);
});

describe("trash retention goes owner by owner (#9)", () => {
  it("an owner with hundreds of expired files that can't be purged doesn't starve anyone else's", async () => {
    const broken = await newUser();
    // Quota never counted for these rows, so their purge fails its CHECK, run after run.
    await seed(
      broken.id,
      Array.from({ length: 250 }, (_, i) => ({
        name: `stuck${i}.bin`,
        folder: "/",
        mime: "application/octet-stream",
        kind: "other",
        size: 5,
        sha256: "fe".repeat(32),
        createdAt: new Date().toISOString(),
      })),
    );
    const user = await newUser();
    const file = await uploadOk(user, "expired bytes", "old.txt");
    const [older, old] = [80, 40].map((days) => new Date(Date.now() - days * 86_400_000).toISOString());
    await env.DB.batch([
      env.DB.prepare("UPDATE media SET trashed_at = ? WHERE owner_id = ?").bind(older, broken.id),
      env.DB.prepare("UPDATE media SET trashed_at = ? WHERE id = ?").bind(old, file.id),
    ]);
    await runScheduled(env, new Date());
    expect(await counts(user.id)).toEqual({ rows: 0, usedBytes: 0, usedFiles: 0 });
    const stuck = await env.DB.prepare("SELECT count(*) AS n FROM media WHERE owner_id = ?")
      .bind(broken.id)
      .first<{ n: number }>();
    expect(stuck?.n).toBe(250);
  });
});
