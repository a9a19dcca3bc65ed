import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { cleanupUploads } from "../../src/media/resumable";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { counts, download, type MediaJson, randomBytes, sha256 } from "./helpers";

const MiB = 1024 * 1024;

async function start(user: TestUser, name: string, extra: Record<string, unknown> = {}) {
  const res = await call("/api/v1/media/uploads", {
    method: "POST",
    token: user.accessToken,
    json: { name, ...extra },
  });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return (JSON.parse(text) as { upload: { id: string; minPartSize: number } }).upload;
}

const putPart = (user: TestUser, id: string, n: number, bytes: Uint8Array) =>
  call(`/api/v1/media/uploads/${id}/parts/${n}`, {
    method: "PUT",
    token: user.accessToken,
    body: bytes,
    headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
  });

describe("resumable multipart uploads", () => {
  it("assembles 3 parts (sent out of order, one retried) into a byte-identical file", async () => {
    const user = await newUser();
    const whole = randomBytes(11 * MiB, 42);
    const parts = [whole.subarray(0, 5 * MiB), whole.subarray(5 * MiB, 10 * MiB), whole.subarray(10 * MiB)];
    const upload = await start(user, "video.bin", { folder: "/big", tags: ["raw"] });
    expect(upload.minPartSize).toBe(5 * MiB);
    expect((await putPart(user, upload.id, 3, randomBytes(MiB, 1))).status).toBe(200); // wrong bytes…
    expect((await putPart(user, upload.id, 1, parts[0]!)).status).toBe(200);
    expect((await putPart(user, upload.id, 3, parts[2]!)).status).toBe(200); // …replaced by a retry
    expect((await putPart(user, upload.id, 2, parts[1]!)).status).toBe(200);
    const done = await call(`/api/v1/media/uploads/${upload.id}/complete`, {
      method: "POST",
      token: user.accessToken,
    });
    const text = await done.text();
    expect(done.status, text).toBe(201);
    const media = (JSON.parse(text) as { media: MediaJson }).media;
    expect(media).toMatchObject({ name: "video.bin", folder: "/big", tags: ["raw"], size: whole.length });
    expect(media.sha256).toBe(await sha256(whole));
    const back = new Uint8Array(await (await download(user, media.id)).arrayBuffer());
    expect(await sha256(back)).toBe(media.sha256);
    expect((await env.MEDIA.list({ prefix: "uploads/" })).objects).toHaveLength(0);
    expect(await counts(user.id)).toEqual({ rows: 1, usedBytes: whole.length, usedFiles: 1 });
    await expectProblem(
      await call(`/api/v1/media/uploads/${upload.id}/complete`, { method: "POST", token: user.accessToken }),
      409,
      "upload_not_open",
    );
  });

  it("checks the assembled bytes like a single upload: a lie is refused and nothing is kept", async () => {
    const user = await newUser();
    const upload = await start(user, "photo.png");
    expect((await putPart(user, upload.id, 1, randomBytes(1000, 9))).status).toBe(200);
    await expectProblem(
      await call(`/api/v1/media/uploads/${upload.id}/complete`, { method: "POST", token: user.accessToken }),
      415,
      "type_mismatch",
    );
    expect(await counts(user.id)).toEqual({ rows: 0, usedBytes: 0, usedFiles: 0 });
    expect((await env.MEDIA.list({ prefix: "uploads/" })).objects).toHaveLength(0);
  });

  it("refuses bad names, missing lengths, completing with no parts; aborts; the cron cleans abandoned uploads", async () => {
    const user = await newUser();
    await expectProblem(
      await call("/api/v1/media/uploads", {
        method: "POST",
        token: user.accessToken,
        json: { name: "a\u202Eb.txt" },
      }),
      422,
      "invalid_file_name",
    );
    const upload = await start(user, "x.bin");
    await expectProblem(
      await call(`/api/v1/media/uploads/${upload.id}/complete`, { method: "POST", token: user.accessToken }),
      422,
      "no_parts",
    );
    await expectProblem(
      await call(`/api/v1/media/uploads/${upload.id}/parts/0`, {
        method: "PUT",
        token: user.accessToken,
        body: "x",
        headers: { "content-type": "application/octet-stream" },
      }),
      422,
      "validation_failed",
    );
    expect(
      (await call(`/api/v1/media/uploads/${upload.id}`, { method: "DELETE", token: user.accessToken }))
        .status,
    ).toBe(204);
    await expectProblem(await putPart(user, upload.id, 1, randomBytes(10)), 404);

    const abandoned = await start(user, "y.bin");
    expect((await putPart(user, abandoned.id, 1, randomBytes(100))).status).toBe(200);
    await cleanupUploads(getDb(env.DB), env.MEDIA, new Date(Date.now() + 2 * 86_400_000));
    expect(
      await env.DB.prepare("SELECT 1 FROM media_uploads WHERE id = ?").bind(abandoned.id).first(),
    ).toBeNull();
    await expectProblem(await putPart(user, abandoned.id, 1, randomBytes(10)), 404);
  });
});
