import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser } from "../helpers/api";
import { download, TINY_PNG, uploadOk } from "./helpers";

describe("someone else's media", () => {
  it("is a 404 on every media route, and unchanged afterwards", async () => {
    const owner = await newUser();
    const intruder = await newUser();
    const media = await uploadOk(owner, TINY_PNG, "private.png", { folder: "/secret", tags: "mine" });
    const shareRes = await call(`/api/v1/media/${media.id}/shares`, {
      method: "POST",
      token: owner.accessToken,
      json: {},
    });
    const share = (await shareRes.json<{ share: { id: string } }>()).share;
    const upload = (
      await (
        await call("/api/v1/media/uploads", {
          method: "POST",
          token: owner.accessToken,
          json: { name: "u.bin" },
        })
      ).json<{ upload: { id: string } }>()
    ).upload;

    const t = intruder.accessToken;
    const attempts: [string, string, unknown?][] = [
      ["GET", `/media/${media.id}`],
      ["GET", `/media/${media.id}/content`],
      ["GET", `/media/${media.id}/thumbnail`],
      ["PATCH", `/media/${media.id}`, { name: "mine-now.png" }],
      ["DELETE", `/media/${media.id}`],
      ["DELETE", `/media/${media.id}?purge=true`],
      ["POST", `/media/${media.id}/restore`],
      ["POST", `/media/${media.id}/shares`, {}],
      ["GET", `/media/${media.id}/shares`],
      ["DELETE", `/media/${media.id}/shares/${share.id}`],
      ["POST", "/media/bulk", { ids: [media.id], action: "trash" }],
      ["POST", `/media/uploads/${upload.id}/complete`],
      ["DELETE", `/media/uploads/${upload.id}`],
      ["PUT", `/media/uploads/${upload.id}/parts/1`],
    ];
    for (const [method, path, json] of attempts) {
      const res =
        method === "PUT"
          ? await call(`/api/v1${path}`, {
              method,
              token: t,
              body: "abc",
              headers: { "content-type": "application/octet-stream" },
            })
          : await call(`/api/v1${path}`, { method, token: t, json });
      await expectProblem(res, 404);
    }
    expect(
      (await (await call("/api/v1/media", { token: t })).json<{ items: unknown[] }>()).items,
    ).toHaveLength(0);
    expect(
      (await (await call("/api/v1/media?q=private", { token: t })).json<{ items: unknown[] }>()).items,
    ).toHaveLength(0);
    const tree = await (await call("/api/v1/folders", { token: t })).json<{ root: { totalFiles: number } }>();
    expect(tree.root.totalFiles).toBe(0);
    await expectProblem(
      await call("/api/v1/folders/move", { method: "POST", token: t, json: { from: "/secret", to: "/x" } }),
      404,
    );
    const stats = await (await call("/api/v1/media/stats", { token: t })).json<{ files: number }>();
    expect(stats.files).toBe(0);

    // The owner still has it, untouched.
    const mine = await (await call(`/api/v1/media/${media.id}`, { token: owner.accessToken })).json<{
      media: { name: string; folder: string; trashedAt?: string };
    }>();
    expect(mine.media).toMatchObject({ name: "private.png", folder: "/secret" });
    expect(mine.media.trashedAt).toBeUndefined();
    expect((await download(owner, media.id)).status).toBe(200);
  });

  it("needs credentials: anonymous calls are 401", async () => {
    await expectProblem(await call("/api/v1/media"), 401);
    await expectProblem(await call("/api/v1/media/med_x/content"), 401);
  });
});
