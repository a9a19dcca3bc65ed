import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import type { FolderNode as FolderNodeShape } from "../../src/media/folders";
import { zipSelection } from "../../src/media/zip";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { counts, list, type MediaJson, uploadOk } from "./helpers";

const json = (user: TestUser, method: string, path: string, body?: unknown) =>
  call(`/api/v1${path}`, { method, token: user.accessToken, json: body });

async function tree(user: TestUser): Promise<Map<string, FolderNodeShape>> {
  const res = await call("/api/v1/folders", {
    token: user.accessToken,
    headers: { "cache-control": "no-cache" },
  });
  const { root } = await res.json<{ root: FolderNodeShape }>();
  const out = new Map<string, FolderNodeShape>();
  const walk = (n: FolderNodeShape) => {
    out.set(n.path, n);
    n.children.forEach(walk);
  };
  walk(root);
  return out;
}

describe("folders: create, rename, move, delete", () => {
  it("creates empty folders that show in the tree, with their parents", async () => {
    const user = await newUser();
    expect((await json(user, "POST", "/folders", { path: "/projects/logos" })).status).toBe(201);
    expect((await json(user, "POST", "/folders", { path: "projects/logos/" })).status).toBe(200);
    const t = await tree(user);
    expect(t.get("/projects/logos")).toMatchObject({ files: 0, totalFiles: 0, children: [] });
    expect(t.get("/projects")?.children.map((c) => c.path)).toEqual(["/projects/logos"]);
    await expectProblem(await json(user, "POST", "/folders", { path: "/" }), 422, "invalid_folder");
    await expectProblem(await json(user, "POST", "/folders", { path: "/a/../b" }), 422, "invalid_folder");
    await expectProblem(await json(user, "POST", "/folders", { path: "/x", extra: 1 }), 422);
    // Another user's tree doesn't see it.
    expect((await tree(await newUser())).has("/projects")).toBe(false);
  });

  it("PATCH /folders renames a folder with its files and empty sub-folders in one batch", async () => {
    const user = await newUser();
    await json(user, "POST", "/folders", { path: "/trip/empty" });
    const file = await uploadOk(user, "postcard", "card.txt", { folder: "/trip/day1" });
    const res = await json(user, "PATCH", "/folders", { from: "/trip", to: "/holidays/2024" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ moved: 1, from: "/trip", to: "/holidays/2024" });
    const t = await tree(user);
    expect(t.has("/trip")).toBe(false);
    expect(t.has("/holidays/2024/empty")).toBe(true);
    expect(t.get("/holidays/2024/day1")?.files).toBe(1);
    const moved = await (await call(`/api/v1/media/${file.id}`, { token: user.accessToken })).json<{
      media: MediaJson;
    }>();
    expect(moved.media.folder).toBe("/holidays/2024/day1");
    // An empty folder alone moves too; the old POST /folders/move does the same.
    await json(user, "POST", "/folders", { path: "/lonely" });
    expect((await json(user, "POST", "/folders/move", { from: "/lonely", to: "/alone" })).status).toBe(200);
    expect((await tree(user)).has("/alone")).toBe(true);
    await expectProblem(await json(user, "PATCH", "/folders", { from: "/nowhere", to: "/x" }), 404);
    await expectProblem(await json(user, "PATCH", "/folders", { from: "/alone", to: "/alone/in" }), 422);
    await expectProblem(await json(user, "PATCH", "/folders", { from: "/", to: "/x" }), 422);
  });

  it("an empty folder counts when a move re-checks depth: too deep is a 422 and nothing moves", async () => {
    const user = await newUser();
    const deep = `/${Array.from({ length: 20 }, (_, i) => `e${i}`).join("/")}`; // depth 20, no files
    expect((await json(user, "POST", "/folders", { path: deep })).status).toBe(201);
    await expectProblem(
      await json(user, "PATCH", "/folders", { from: "/e0", to: "/more/e0" }),
      422,
      "invalid_move",
    );
    expect((await tree(user)).has(deep)).toBe(true);
    expect((await json(user, "PATCH", "/folders", { from: "/e0", to: "/f0" })).status).toBe(200);
    expect((await tree(user)).has(deep.replace("/e0", "/f0"))).toBe(true);
  });

  it("DELETE /folders?path= trashes everything under it; restoring a file brings its folder back", async () => {
    const user = await newUser();
    await json(user, "POST", "/folders", { path: "/old/empty" });
    const a = await uploadOk(user, "a", "a.txt", { folder: "/old" });
    await uploadOk(user, "b", "b.txt", { folder: "/old/deep" });
    await uploadOk(user, "keep", "c.txt", { folder: "/older" });
    const res = await call("/api/v1/folders?path=/old", { method: "DELETE", token: user.accessToken });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: "/old", trashed: 2 });
    const t = await tree(user);
    expect([...t.keys()].filter((p) => p.startsWith("/old"))).toEqual(["/older"]);
    expect((await list(user, "trashed=true")).length).toBe(2);
    await json(user, "POST", `/media/${a.id}/restore`);
    expect((await tree(user)).get("/old")?.files).toBe(1);
    await expectProblem(
      await call("/api/v1/folders?path=/never", { method: "DELETE", token: user.accessToken }),
      404,
    );
    await expectProblem(
      await call("/api/v1/folders?path=/", { method: "DELETE", token: user.accessToken }),
      422,
    );
  });
});

describe("trash", () => {
  it("POST /trash/empty deletes every trashed file for good and frees the quota", async () => {
    const user = await newUser();
    const live = await uploadOk(user, "stays", "live.txt");
    for (let i = 0; i < 3; i++) {
      const m = await uploadOk(user, `gone ${i}`, `gone-${i}.txt`);
      await call(`/api/v1/media/${m.id}`, { method: "DELETE", token: user.accessToken });
    }
    const trashed = await list(user, "trashed=true");
    expect(trashed).toHaveLength(3);
    // The trash says when each file goes for good (30 days by default).
    const { purgeAt, trashedAt } = trashed[0]!;
    expect(Date.parse(purgeAt!) - Date.parse(trashedAt!)).toBe(30 * 86_400_000);
    const res = await json(user, "POST", "/trash/empty");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ purged: 3, remaining: 0 });
    expect(await list(user, "trashed=true")).toEqual([]);
    expect(await counts(user.id)).toMatchObject({ rows: 1, usedFiles: 1, usedBytes: live.size });
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'media.purge' AND actor_id = ?",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(3);
    expect(await (await json(user, "POST", "/trash/empty")).json()).toEqual({ purged: 0, remaining: 0 });
  });
});

describe("ZIP of a selection", () => {
  it("streams the files stored, with their folders as paths and a known length", async () => {
    const user = await newUser();
    const a = await uploadOk(user, "alpha file", "a.txt", { folder: "/docs" });
    const b = await uploadOk(user, "beta file", "b.txt");
    const res = await call(`/api/v1/media/zip?ids=${a.id},${b.id}`, { token: user.accessToken });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toContain("edgecraft-2-files.zip");
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBe(Number(res.headers.get("content-length")));
    expect([...body.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const text = new TextDecoder("latin1").decode(body);
    for (const piece of ["docs/a.txt", "b.txt", "alpha file", "beta file"]) expect(text).toContain(piece);
  });

  it("refuses unknown ids, others' files and selections over the caps", async () => {
    const user = await newUser();
    const a = await uploadOk(user, "x".repeat(100), "big.txt");
    const other = await uploadOk(await newUser(), "theirs", "t.txt");
    await expectProblem(
      await call(`/api/v1/media/zip?ids=${a.id},${other.id}`, { token: user.accessToken }),
      404,
    );
    await expectProblem(await call("/api/v1/media/zip?ids=", { token: user.accessToken }), 422);
    const many = Array.from({ length: 501 }, (_, i) => `med_${String(i).padStart(20, "0")}`).join(",");
    await expectProblem(
      await call(`/api/v1/media/zip?ids=${many}`, { token: user.accessToken }),
      413,
      "zip_too_large",
    );
    await expect(zipSelection(getDb(env.DB), env.MEDIA, user.id, [a.id], 99)).rejects.toMatchObject({
      code: "zip_too_large",
    });
  });
});
