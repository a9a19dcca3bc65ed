import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { counts, form, randomBytes } from "../media/helpers";

const MiB = 1024 * 1024;

async function setQuota(user: TestUser, bytes: number) {
  await env.DB.prepare("UPDATE users SET quota_bytes = ? WHERE id = ?").bind(bytes, user.id).run();
}

async function start(user: TestUser, name = "big.bin") {
  const res = await call("/api/v1/media/uploads", {
    method: "POST",
    token: user.accessToken,
    json: { name },
  });
  return res;
}

async function started(user: TestUser, name = "big.bin"): Promise<string> {
  const res = await start(user, name);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ upload: { id: string } }>()).upload.id;
}

const putPart = (user: TestUser, id: string, n: number, bytes: Uint8Array) =>
  call(`/api/v1/media/uploads/${id}/parts/${n}`, {
    method: "PUT",
    token: user.accessToken,
    body: bytes,
    headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
  });

const complete = (user: TestUser, id: string) =>
  call(`/api/v1/media/uploads/${id}/complete`, { method: "POST", token: user.accessToken });

describe("resumable uploads count against the storage quota as their parts arrive (#4)", () => {
  it("a part that doesn't fit the quota is refused before any byte is stored", async () => {
    const user = await newUser();
    await setQuota(user, MiB);
    const id = await started(user);
    await expectProblem(await putPart(user, id, 1, randomBytes(5 * MiB, 1)), 413, "quota_exceeded");
    await expectProblem(await putPart(user, id, 2, randomBytes(2 * MiB, 2)), 413, "quota_exceeded");
    const parts = await env.DB.prepare("SELECT count(*) AS n FROM media_upload_parts WHERE upload_id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(parts?.n).toBe(0);
    // What fits is still taken.
    expect((await putPart(user, id, 1, randomBytes(MiB - 10, 3))).status).toBe(200);
  });

  it("parts of all open uploads add up: no more than the quota is ever held, across uploads and single posts", async () => {
    const user = await newUser();
    await setQuota(user, 12 * MiB);
    const a = await started(user, "a.bin");
    const b = await started(user, "b.bin");
    expect((await putPart(user, a, 1, randomBytes(5 * MiB, 4))).status).toBe(200);
    expect((await putPart(user, b, 1, randomBytes(5 * MiB, 5))).status).toBe(200);
    await expectProblem(await putPart(user, a, 2, randomBytes(5 * MiB, 6)), 413, "quota_exceeded");
    // A retried part replaces its own reservation instead of adding to it.
    expect((await putPart(user, b, 1, randomBytes(5 * MiB, 7))).status).toBe(200);
    // A single upload sees the reservations too.
    const single = await call("/api/v1/media", {
      method: "POST",
      token: user.accessToken,
      body: form(randomBytes(3 * MiB, 8), "c.bin"),
    });
    await expectProblem(single, 413, "quota_exceeded");

    // Completing turns the reservation into used bytes; aborting gives it back.
    const done = await complete(user, a);
    expect(done.status, await done.clone().text()).toBe(201);
    expect(await counts(user.id)).toMatchObject({ usedBytes: 5 * MiB, usedFiles: 1 });
    expect(
      (await call(`/api/v1/media/uploads/${b}`, { method: "DELETE", token: user.accessToken })).status,
    ).toBe(204);
    const c = await started(user, "c.bin");
    expect((await putPart(user, c, 1, randomBytes(5 * MiB, 9))).status).toBe(200);
    expect((await complete(user, c)).status).toBe(201);
    expect(await counts(user.id)).toMatchObject({ usedBytes: 10 * MiB, usedFiles: 2 });
  });

  it("parallel parts can't together overshoot the quota", async () => {
    const user = await newUser();
    await setQuota(user, 11 * MiB);
    const ids = [await started(user, "p1.bin"), await started(user, "p2.bin"), await started(user, "p3.bin")];
    const results = await Promise.all(ids.map((id, i) => putPart(user, id, 1, randomBytes(5 * MiB, 10 + i))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 413]);
    const held = await env.DB.prepare(
      "SELECT coalesce(sum(p.size), 0) AS n FROM media_upload_parts p JOIN media_uploads u ON u.id = p.upload_id WHERE u.owner_id = ?",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(held?.n).toBe(10 * MiB);
  });

  it("a user can hold only so many open uploads", async () => {
    const user = await newUser();
    for (let i = 0; i < 10; i++) await started(user, `u${i}.bin`);
    await expectProblem(await start(user, "one-more.bin"), 409, "too_many_uploads");
    const open = await env.DB.prepare("SELECT count(*) AS n FROM media_uploads WHERE owner_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(open?.n).toBe(10);
  });
});
