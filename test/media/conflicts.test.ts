import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { counts, list, type MediaJson, r2Keys, sha256, storedObjects, upload } from "./helpers";

interface Answer {
  media: MediaJson;
  conflict?: { resolution: string; existingId: string };
}

async function send(
  user: TestUser,
  body: string,
  name: string,
  fields: Record<string, string> = {},
  query = "",
  expected = 201,
): Promise<Answer> {
  const res = await call(`/api/v1/media${query}`, {
    method: "POST",
    token: user.accessToken,
    body: (() => {
      const data = new FormData();
      for (const [k, v] of Object.entries(fields)) data.append(k, v);
      data.append("file", new File([body], name));
      return data;
    })(),
  });
  const text = await res.text();
  expect(res.status, text).toBe(expected);
  return JSON.parse(text) as Answer;
}

describe("upload conflicts: onConflict=rename|replace|skip", () => {
  it("renames by default: name (1).ext, then (2), case-insensitive, per folder, trash not counted", async () => {
    const user = await newUser();
    const first = await send(user, "one", "photo.png.txt", { folder: "/a" });
    expect(first.conflict).toBeUndefined();
    const second = await send(user, "two", "photo.png.txt", { folder: "/a" });
    expect(second.media.name).toBe("photo.png (1).txt");
    expect(second.conflict).toEqual({ resolution: "renamed", existingId: first.media.id });
    const third = await send(user, "three", "PHOTO.PNG.TXT", { folder: "/a" });
    expect(third.media.name).toBe("PHOTO.PNG (2).TXT");
    expect((await send(user, "x", "photo.png.txt", { folder: "/b" })).conflict).toBeUndefined();
    const noExt = await send(user, "x", "README", { folder: "/a" });
    expect((await send(user, "y", "README", { folder: "/a" })).media.name).toBe("README (1)");
    await call(`/api/v1/media/${noExt.media.id}`, { method: "DELETE", token: user.accessToken });
    expect((await send(user, "z", "README", { folder: "/a" })).conflict).toBeUndefined();
  });

  it("parallel uploads of one name all get a name of their own", async () => {
    const user = await newUser();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => send(user, `copy ${i}`, "same.txt", { folder: "/race" })),
    );
    const names = answers.map((a) => a.media.name).sort();
    expect(new Set(names).size).toBe(6);
    expect(names).toContain("same.txt");
    expect((await list(user, "folder=/race")).length).toBe(6);
  });

  it("replace keeps the old version in the trash", async () => {
    const user = await newUser();
    const old = await send(user, "version 1", "notes.txt", { folder: "/docs" });
    const fresh = await send(user, "version 2", "notes.txt", { folder: "/docs" }, "?onConflict=replace");
    expect(fresh.media.name).toBe("notes.txt");
    expect(fresh.conflict).toEqual({ resolution: "replaced", existingId: old.media.id });
    const live = await list(user, "folder=/docs");
    expect(live.map((m) => m.id)).toEqual([fresh.media.id]);
    const trash = await list(user, "trashed=true");
    expect(trash.map((m) => m.id)).toEqual([old.media.id]);
    expect(trash[0]!.purgeAt).toBeDefined();
    const content = await call(`/api/v1/media/${old.media.id}/content`, { token: user.accessToken });
    expect(await content.text()).toBe("version 1");
  });

  it("skip stores nothing and answers 200 with the file that is there (form field too)", async () => {
    const user = await newUser();
    const kept = await send(user, "original", "keep.txt");
    const before = await counts(user.id);
    const bytes = "a different body that must not be stored";
    const skipped = await send(user, bytes, "keep.txt", { onConflict: "skip" }, "", 200);
    expect(skipped.media.id).toBe(kept.media.id);
    expect(skipped.conflict).toEqual({ resolution: "skipped", existingId: kept.media.id });
    expect(await counts(user.id)).toEqual(before);
    expect(await r2Keys(`blobs/${await sha256(new TextEncoder().encode(bytes))}`)).toEqual([]);
    // Without a conflict, skip stores the file.
    expect((await send(user, "new", "other.txt", { onConflict: "skip" })).conflict).toBeUndefined();
  });

  it("skip and replace with the same bytes keep the stored object and drop only the one they wrote", async () => {
    const user = await newUser();
    const bytes = "the very same bytes";
    const first = await send(user, bytes, "same.txt");
    const sha = await sha256(new TextEncoder().encode(bytes));
    expect(await storedObjects(sha)).toBe(1);
    await send(user, bytes, "same.txt", { onConflict: "skip" }, "", 200);
    expect(await storedObjects(sha)).toBe(1);
    const replaced = await send(user, bytes, "same.txt", { onConflict: "replace" });
    expect(await storedObjects(sha)).toBe(1);
    for (const id of [first.media.id, replaced.media.id]) {
      const content = await call(`/api/v1/media/${id}/content`, { token: user.accessToken });
      expect(await content.text()).toBe(bytes);
    }
  });

  it("resumable uploads honour the onConflict they were started with", async () => {
    const user = await newUser();
    await send(user, "there first", "big.txt");
    const startAndFinish = async (onConflict: string) => {
      const started = await call("/api/v1/media/uploads", {
        method: "POST",
        token: user.accessToken,
        json: { name: "big.txt", onConflict },
      });
      expect(started.status, await started.clone().text()).toBe(201);
      const { upload: u } = await started.json<{ upload: { id: string; onConflict: string } }>();
      expect(u.onConflict).toBe(onConflict);
      const part = new TextEncoder().encode(`resumable ${onConflict}`);
      const put = await call(`/api/v1/media/uploads/${u.id}/parts/1`, {
        method: "PUT",
        token: user.accessToken,
        body: part,
        headers: { "content-type": "application/octet-stream", "content-length": String(part.length) },
      });
      expect(put.status).toBe(200);
      return call(`/api/v1/media/uploads/${u.id}/complete`, { method: "POST", token: user.accessToken });
    };
    const skipped = await startAndFinish("skip");
    expect(skipped.status).toBe(200);
    expect((await skipped.json<Answer>()).conflict?.resolution).toBe("skipped");
    const renamed = await startAndFinish("rename");
    expect(renamed.status).toBe(201);
    expect((await renamed.json<Answer>()).media.name).toBe("big (1).txt");
  });

  it("refuses an unknown onConflict, in the query or the form", async () => {
    const user = await newUser();
    const data = new FormData();
    data.append("file", new File(["x"], "b.txt"));
    await expectProblem(
      await call("/api/v1/media?onConflict=overwrite", {
        method: "POST",
        token: user.accessToken,
        body: data,
      }),
      422,
      "validation_failed",
    );
    await expectProblem(await upload(user, "x", "c.txt", { onConflict: "merge" }), 422, "validation_failed");
  });
});

describe("fixes seen by a new user", () => {
  it("a 0-byte upload is refused as empty, not stored as text/plain", async () => {
    const user = await newUser();
    await expectProblem(await upload(user, new Uint8Array(0), "empty.png"), 422, "empty_file");
    await expectProblem(await upload(user, "", "empty.txt"), 422, "empty_file");
    expect((await counts(user.id)).rows).toBe(0);
  });

  it("GET /media?type=banana is a 422 like a bad sort; kinds, MIME types and image/* work", async () => {
    const user = await newUser();
    await expectProblem(
      await call("/api/v1/media?type=banana", { token: user.accessToken }),
      422,
      "validation_failed",
    );
    await expectProblem(
      await call("/api/v1/media?type=image/png%20OR%201", { token: user.accessToken }),
      422,
      "validation_failed",
    );
    for (const type of ["image", "image/*", "image/png", "application/vnd.ms-excel"]) {
      const res = await call(`/api/v1/media?type=${encodeURIComponent(type)}`, { token: user.accessToken });
      expect(res.status, type).toBe(200);
    }
  });
});
