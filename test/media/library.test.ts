import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { RECENT_MAX_CHARS } from "../../src/media/cache";
import { purgeExpiredTrash } from "../../src/media/housekeeping";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { counts, freshSeed, type MediaJson, randomBytes, storedObjects, TINY_PNG, uploadOk } from "./helpers";

interface Page {
  items: MediaJson[];
  nextCursor: string | null;
}

async function list(
  user: TestUser,
  query = "",
  headers?: HeadersInit,
): Promise<Page & { cache: string | null }> {
  const res = await call(`/api/v1/media${query ? `?${query}` : ""}`, { token: user.accessToken, headers });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return { ...(JSON.parse(text) as Page), cache: res.headers.get("x-cache") };
}

const names = (page: Page) => page.items.map((m) => m.name);
const json = (user: TestUser, method: string, path: string, body?: unknown) =>
  call(`/api/v1${path}`, { method, token: user.accessToken, json: body });

describe("browse and search", () => {
  let user: TestUser;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    user = await newUser();
    const files: [string, Uint8Array | string, Record<string, string>][] = [
      ["Sunset Beach.png", TINY_PNG, { folder: "/photos/2024", tags: "holiday,beach" }],
      ["notes.txt", "some notes about the beach trip", { folder: "/docs", tags: "work" }],
      ["archive.bin", randomBytes(4000, 3), { folder: "/photos", tags: "" }],
      ["alpha.txt", "a", { folder: "/docs/old", tags: "work,old" }],
      ["Zebra.txt", "zebra stripes", { folder: "/", tags: "animals" }],
    ];
    for (const [name, bytes, fields] of files) ids[name] = (await uploadOk(user, bytes, name, fields)).id;
  });

  it("sorts by name, date and size in both directions and pages with a cursor", async () => {
    expect(names(await list(user, "sort=name"))).toEqual([
      "alpha.txt",
      "archive.bin",
      "notes.txt",
      "Sunset Beach.png",
      "Zebra.txt",
    ]);
    expect(names(await list(user, "sort=-name"))[0]).toBe("Zebra.txt");
    expect(names(await list(user, "sort=-date"))[0]).toBe("Zebra.txt");
    expect(names(await list(user, "sort=date"))[0]).toBe("Sunset Beach.png");
    expect(names(await list(user, "sort=-size"))[0]).toBe("archive.bin");
    expect(names(await list(user, "sort=size"))[0]).toBe("alpha.txt");

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(user, `sort=name&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...names(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["alpha.txt", "archive.bin", "notes.txt", "Sunset Beach.png", "Zebra.txt"]);
    await expectProblem(
      await call("/api/v1/media?cursor=garbage!", { token: user.accessToken }),
      400,
      "invalid_cursor",
    );
    await expectProblem(
      await call("/api/v1/media?limit=1000", { token: user.accessToken }),
      422,
      "validation_failed",
    );
    await expectProblem(
      await call("/api/v1/media?sort=evil", { token: user.accessToken }),
      422,
      "validation_failed",
    );
  });

  it("filters by kind, MIME, tag, folder (with and without sub-folders), size and date", async () => {
    expect(names(await list(user, "type=image"))).toEqual(["Sunset Beach.png"]);
    expect(names(await list(user, "type=text/plain&sort=name"))).toEqual([
      "alpha.txt",
      "notes.txt",
      "Zebra.txt",
    ]);
    expect(names(await list(user, "type=image/*"))).toEqual(["Sunset Beach.png"]);
    expect(names(await list(user, "tag=WORK&sort=name"))).toEqual(["alpha.txt", "notes.txt"]);
    expect(names(await list(user, "folder=/photos&sort=name"))).toEqual(["archive.bin", "Sunset Beach.png"]);
    expect(names(await list(user, "folder=/photos&subfolders=false"))).toEqual(["archive.bin"]);
    expect(names(await list(user, "folder=docs&sort=name"))).toEqual(["alpha.txt", "notes.txt"]);
    expect(names(await list(user, "minSize=100"))).toEqual(["archive.bin"]);
    expect(names(await list(user, "maxSize=1&sort=name"))).toEqual(["alpha.txt"]);
    expect((await list(user, "from=2000-01-01&to=2999-01-01")).items).toHaveLength(5);
    expect((await list(user, "from=2999-01-01")).items).toHaveLength(0);
    await expectProblem(
      await call("/api/v1/media?from=yesterday", { token: user.accessToken }),
      422,
      "validation_failed",
    );
  });

  it("searches names and tags with FTS5 (prefix, case and accent insensitive, operators are inert)", async () => {
    expect(names(await list(user, "q=sunset"))).toEqual(["Sunset Beach.png"]);
    expect(names(await list(user, "q=beac&sort=name"))).toEqual(["Sunset Beach.png"]);
    expect(names(await list(user, "q=holiday"))).toEqual(["Sunset Beach.png"]);
    expect(names(await list(user, "q=work%20old"))).toEqual(["alpha.txt"]);
    expect((await list(user, `q=${encodeURIComponent('" OR * NEAR(')}`)).items).toBeDefined();
    expect((await list(user, "q=nothingmatches")).items).toHaveLength(0);
  });

  it("folders: tree with counts, rename/move with contents in one go", async () => {
    const tree = await (await call("/api/v1/folders", { token: user.accessToken })).json<{
      root: { totalFiles: number; children: { path: string; totalFiles: number }[] };
    }>();
    expect(tree.root.totalFiles).toBe(5);
    expect(tree.root.children.map((c) => [c.path, c.totalFiles])).toEqual([
      ["/docs", 2],
      ["/photos", 2],
    ]);
    const moved = await json(user, "POST", "/folders/move", { from: "/docs", to: "/archive/documents" });
    expect(await moved.json()).toEqual({ moved: 2, from: "/docs", to: "/archive/documents" });
    expect(names(await list(user, "folder=/archive&sort=name"))).toEqual(["alpha.txt", "notes.txt"]);
    const alpha = (await list(user, "q=alpha")).items[0]!;
    expect(alpha.folder).toBe("/archive/documents/old");
    await expectProblem(
      await json(user, "POST", "/folders/move", { from: "/archive", to: "/archive/x" }),
      422,
      "invalid_move",
    );
    await expectProblem(
      await json(user, "POST", "/folders/move", { from: "/nope", to: "/x" }),
      404,
      "not_found",
    );
    await json(user, "POST", "/folders/move", { from: "/archive/documents", to: "/docs" });
  });
});

describe("changes, trash and cache", () => {
  it("PATCH renames, moves and tags; every kind of write invalidates cached listings and stats", async () => {
    const user = await newUser();
    const a = await uploadOk(user, "first", "one.txt");
    const b = await uploadOk(user, "second", "two.txt");

    expect((await list(user)).cache).toBe("MISS");
    expect((await list(user)).cache).toBe("HIT");
    const stats1 = await call("/api/v1/media/stats", { token: user.accessToken });
    expect(stats1.headers.get("x-cache")).toBe("MISS");
    expect((await call("/api/v1/media/stats", { token: user.accessToken })).headers.get("x-cache")).toBe(
      "HIT",
    );

    const expectFresh = async (check: (page: Page) => void) => {
      const page = await list(user, "sort=name");
      expect(page.cache).toBe("MISS");
      check(page);
      expect((await list(user, "sort=name")).cache).toBe("HIT");
    };
    await list(user, "sort=name");

    // rename
    const patched = await json(user, "PATCH", `/media/${a.id}`, {
      name: "uno.txt",
      folder: "/x/y",
      tags: ["B", "a", "a"],
    });
    expect((await patched.json<{ media: MediaJson }>()).media).toMatchObject({
      name: "uno.txt",
      folder: "/x/y",
      tags: ["a", "b"],
    });
    await expectFresh((p) => expect(names(p)).toEqual(["two.txt", "uno.txt"]));
    expect(names(await list(user, "tag=a"))).toEqual(["uno.txt"]);
    expect(names(await list(user, "q=uno"))).toEqual(["uno.txt"]);
    await expectProblem(
      await json(user, "PATCH", `/media/${a.id}`, { name: "../x" }),
      422,
      "invalid_file_name",
    );
    await expectProblem(await json(user, "PATCH", `/media/${a.id}`, { bogus: 1 }), 422, "validation_failed");

    // trash
    expect((await json(user, "DELETE", `/media/${b.id}`)).status).toBe(204);
    await expectFresh((p) => expect(names(p)).toEqual(["uno.txt"]));
    expect(names(await list(user, "trashed=true"))).toEqual(["two.txt"]);
    const got = await (await json(user, "GET", `/media/${b.id}`)).json<{ media: MediaJson }>();
    expect(got.media.trashedAt).toBeTypeOf("string");

    // restore
    const restored = await json(user, "POST", `/media/${b.id}/restore`);
    expect((await restored.json<{ media: MediaJson }>()).media.trashedAt).toBeUndefined();
    await expectFresh((p) => expect(names(p)).toEqual(["two.txt", "uno.txt"]));

    // upload
    await uploadOk(user, "third", "three.txt");
    await expectFresh((p) => expect(p.items).toHaveLength(3));

    // bulk
    const bulk = await json(user, "POST", "/media/bulk", {
      ids: [a.id, b.id],
      action: "tag",
      tags: ["Bulk"],
    });
    expect(await bulk.json()).toEqual({ updated: 2 });
    await expectFresh((p) => expect(p.items.filter((m) => m.tags.includes("bulk"))).toHaveLength(2));

    // folder move
    await json(user, "POST", "/folders/move", { from: "/x", to: "/z" });
    await expectFresh((p) => expect(p.items.find((m) => m.id === a.id)?.folder).toBe("/z/y"));

    // purge
    await json(user, "DELETE", `/media/${a.id}?purge=true`);
    await expectFresh((p) => expect(p.items).toHaveLength(2));

    const stats = await call("/api/v1/media/stats", { token: user.accessToken });
    expect(stats.headers.get("x-cache")).toBe("MISS");
    expect(await stats.json()).toMatchObject({
      files: 2,
      bytes: 11,
      byKind: [{ kind: "text", files: 2, bytes: 11 }],
      byFolder: [{ folder: "/", files: 2, bytes: 11 }],
      trash: { files: 0, bytes: 0 },
      quota: { usedBytes: 11, usedFiles: 2 },
    });
    // Bypass header skips a cached answer.
    expect((await list(user, "sort=name", { "cache-control": "no-cache" })).cache).toBe("MISS");
  });

  it("a repeated listing is served from the isolate without a KV read, and a change made anywhere still shows at once", async () => {
    const user = await newUser();
    await uploadOk(user, "first", "one.txt");
    expect((await list(user)).cache).toBe("MISS");
    // The KV copy gone (its TTL ran out, or another colo never had it): the isolate still has it.
    const stored = await env.CACHE.list({ prefix: `media:list:${user.id}:` });
    expect(stored.keys.length).toBeGreaterThan(0);
    await Promise.all(stored.keys.map((k) => env.CACHE.delete(k.name)));
    expect((await list(user)).cache).toBe("HIT");
    // A write through another isolate (straight into D1) bumps the version the key carries: read anew.
    await env.DB.prepare("UPDATE media SET name = 'renamed.txt' WHERE owner_id = ?").bind(user.id).run();
    await env.DB.prepare("UPDATE users SET cache_version = cache_version + 1 WHERE id = ?")
      .bind(user.id)
      .run();
    const fresh = await list(user);
    expect(fresh.cache).toBe("MISS");
    expect(names(fresh)).toEqual(["renamed.txt"]);
  });

  it("the isolate keeps at most RECENT_MAX_CHARS of listing answers, the oldest going first", async () => {
    const user = await newUser();
    const long = "n".repeat(240);
    for (let i = 0; i < 100; i++)
      await uploadOk(user, `file ${i}`, `${long}-${String(i).padStart(3, "0")}.txt`);
    // 150 answers (fewer than the 200 the isolate keeps by count), far more characters than it keeps.
    const queries = ["name", "-name", "size"].flatMap((sort) =>
      Array.from({ length: 50 }, (_, i) => `sort=${sort}&limit=${51 + i}`),
    );
    let chars = 0;
    for (const query of queries) {
      const res = await call(`/api/v1/media?${query}`, { token: user.accessToken });
      expect(res.headers.get("x-cache")).toBe("MISS");
      chars += (await res.text()).length;
    }
    expect(chars).toBeGreaterThan(1.5 * RECENT_MAX_CHARS);
    // Without the KV copies, only what the isolate kept is a HIT: the newest, not the oldest.
    const stored = await env.CACHE.list({ prefix: `media:list:${user.id}:` });
    await Promise.all(stored.keys.map((k) => env.CACHE.delete(k.name)));
    expect((await list(user, queries.at(-1))).cache).toBe("HIT");
    expect((await list(user, queries[0])).cache).toBe("MISS");
  });

  it("bulk actions are all or nothing", async () => {
    const user = await newUser();
    const other = await newUser();
    const mine = await uploadOk(user, "m1", "m1.txt");
    const mine2 = await uploadOk(user, "m2", "m2.txt");
    const theirs = await uploadOk(other, "t1", "t1.txt");
    await expectProblem(
      await json(user, "POST", "/media/bulk", {
        ids: [mine.id, theirs.id],
        action: "move",
        folder: "/moved",
      }),
      404,
      "not_found",
    );
    expect(names(await list(user, "folder=/moved"))).toEqual([]);
    const moved = await json(user, "POST", "/media/bulk", {
      ids: [mine.id, mine2.id],
      action: "move",
      folder: "moved",
    });
    expect(await moved.json()).toEqual({ updated: 2 });
    expect(names(await list(user, "folder=/moved&sort=name"))).toEqual(["m1.txt", "m2.txt"]);
    await json(user, "POST", "/media/bulk", { ids: [mine.id, mine2.id], action: "trash" });
    expect((await list(user)).items).toHaveLength(0);
    await json(user, "POST", "/media/bulk", { ids: [mine.id], action: "restore" });
    expect(names(await list(user))).toEqual(["m1.txt"]);
    await json(user, "POST", "/media/bulk", { ids: [mine.id], action: "tag", tags: ["x", "y"] });
    await json(user, "POST", "/media/bulk", { ids: [mine.id], action: "untag", tags: ["x"] });
    expect((await list(user)).items[0]!.tags).toEqual(["y"]);
    await expectProblem(
      await json(user, "POST", "/media/bulk", { ids: [], action: "trash" }),
      422,
      "validation_failed",
    );
  });

  it("the cron purges trash past retention with an audit row, and leaves recent trash alone", async () => {
    const user = await newUser();
    const old = await uploadOk(user, randomBytes(100, freshSeed()), "old.bin");
    const recent = await uploadOk(user, randomBytes(100, freshSeed()), "recent.bin");
    await json(user, "DELETE", `/media/${old.id}`);
    await json(user, "DELETE", `/media/${recent.id}`);
    await env.DB.prepare("UPDATE media SET trashed_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 31 * 86_400_000).toISOString(), old.id)
      .run();
    expect(await purgeExpiredTrash(env, new Date())).toBeGreaterThanOrEqual(1);
    expect(await counts(user.id)).toEqual({ rows: 1, usedBytes: 100, usedFiles: 1 });
    expect(await storedObjects(old.sha256)).toBe(0);
    const audit = await env.DB.prepare("SELECT actor_id, detail FROM audit_log WHERE target_id = ?")
      .bind(old.id)
      .first<{ actor_id: string | null; detail: string }>();
    expect(audit?.actor_id).toBeNull();
    expect(JSON.parse(audit!.detail)).toMatchObject({
      name: "old.bin",
      sha256: old.sha256,
      size: 100,
      reason: "retention",
    });
  });
});
