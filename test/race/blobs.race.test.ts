import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import type { Media } from "../../src/db/schema";
import { mediaConfig } from "../../src/media/config";
import { purgeExpiredTrash } from "../../src/media/housekeeping";
import { receiveUpload } from "../../src/media/upload";
import { call, newUser, type TestUser } from "../helpers/api";
import { racingD1 } from "../helpers/racing-d1";
import { download, form, freshSeed, randomBytes, upload, uploadOk } from "../media/helpers";

/**
 * An upload as POST /media makes it (`receiveUpload`), with `beforeCommit` run once just before its
 * batch: after its bytes went to R2 (or were found there), before its blob reference is taken.
 */
function uploadThrough(
  user: TestUser,
  bytes: Uint8Array,
  name: string,
  beforeCommit: () => Promise<unknown>,
) {
  let done = false;
  const db = getDb(
    racingD1(async () => {
      if (done) return;
      done = true;
      await beforeCommit();
    }),
  );
  const framed = new Response(form(bytes, name));
  const config = mediaConfig(env);
  return receiveUpload(
    { db, bucket: env.MEDIA, now: new Date(), idempotency: null },
    {
      ownerId: user.id,
      body: framed.body,
      contentType: framed.headers.get("content-type") ?? undefined,
      contentLength: null,
      limits: {
        maxBytes: config.maxUploadBytes,
        maxPixels: config.maxPixels,
        allowUnknown: config.allowUnknown,
      },
    },
  ).then((committed) => committed.row);
}

async function expectBytes(user: TestUser, id: string, bytes: Uint8Array) {
  const back = await download(user, id);
  expect(back.status, await back.clone().text()).toBe(200);
  expect(new Uint8Array(await back.arrayBuffer())).toEqual(bytes);
}

/**
 * Races on shared blobs (#1). Blobs are shared by content: one user's purge of bytes another user is
 * uploading at that moment, or another upload's discard after it failed, must never leave the
 * uploader with a 201 and no bytes. The loops race real requests with staggered starts; the last
 * two tests put the other writer exactly inside the window (between the upload's R2 write and its
 * commit), where the code before ADR 0008 answered `content_missing` every time.
 */
describe("upload vs purge or discard of the same bytes", () => {
  it("every 201 stays readable, over many racing pairs", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const lost: string[] = [];
    let uploaded = 0;
    for (let i = 0; i < 60; i++) {
      const bytes = randomBytes(2048 + i, 1000 + i);
      const first = await uploadOk(a, bytes, `a${i}.bin`);
      // Stagger the start a little differently each round so every interleaving gets its turn.
      const purge = new Promise((r) => setTimeout(r, i % 4)).then(() =>
        call(`/api/v1/media/${first.id}?purge=true`, { method: "DELETE", token: a.accessToken }),
      );
      const [, second] = await Promise.all([purge, upload(b, bytes, `b${i}.bin`)]);
      if (second.status !== 201) continue;
      uploaded += 1;
      const { media } = await second.json<{ media: { id: string } }>();
      const back = await download(b, media.id);
      if (back.status !== 200 || (await back.arrayBuffer()).byteLength !== bytes.length) lost.push(media.id);
    }
    expect(uploaded).toBe(60);
    expect(lost).toEqual([]);
  }, 180_000);

  it("the retention cron racing uploads of the same bytes loses nothing either", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const rounds = 30;
    const fresh: { id: string; size: number }[] = [];
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    for (let i = 0; i < rounds; i++) {
      const m = await uploadOk(a, randomBytes(1500 + i, 5000 + i), `t${i}.bin`);
      await env.DB.prepare("UPDATE media SET trashed_at = ? WHERE id = ?").bind(old, m.id).run();
    }
    const uploads = Array.from({ length: rounds }, (_, i) =>
      uploadOk(b, randomBytes(1500 + i, 5000 + i), `u${i}.bin`).then((m) =>
        fresh.push({ id: m.id, size: m.size }),
      ),
    );
    await Promise.all([purgeExpiredTrash(env, new Date()), ...uploads]);
    for (const m of fresh) {
      const back = await download(b, m.id);
      expect(back.status, m.id).toBe(200);
      expect((await back.arrayBuffer()).byteLength).toBe(m.size);
    }
  }, 120_000);

  it("a purge between an upload's write and its commit leaves the upload its bytes", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const bytes = randomBytes(4000, freshSeed());
    const first = await uploadOk(a, bytes, "a.bin");
    // B's bytes are stored (or, before the fix, found stored); A purges the only other reference.
    const row = await uploadThrough(b, bytes, "b.bin", async () => {
      const purged = await call(`/api/v1/media/${first.id}?purge=true`, {
        method: "DELETE",
        token: a.accessToken,
      });
      expect(purged.status).toBe(204);
    });
    await expectBytes(b, row.id, bytes);
  });

  it("a failed upload's discard leaves a concurrent upload of the same bytes its bytes", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const bytes = randomBytes(4000, freshSeed());
    let arrived = () => {};
    const bAtCommit = new Promise<void>((r) => {
      arrived = r;
    });
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let second: Promise<Media> | null = null;
    const failed = await uploadThrough(a, bytes, "a.bin", async () => {
      // A has written its bytes. B uploads the same bytes and waits at its commit...
      second = uploadThrough(b, bytes, "b.bin", async () => {
        arrived();
        await gate;
      });
      await bAtCommit;
      // ...while A's commit fails (no room left in A's quota) and A discards what it wrote.
      await env.DB.prepare("UPDATE users SET quota_bytes = used_bytes WHERE id = ?").bind(a.id).run();
    }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 413, code: "quota_exceeded" });
    release();
    const row = await (second as Promise<Media> | null);
    expect(row).not.toBeNull();
    await expectBytes(b, (row as Media).id, bytes);
  });
});

describe("uploads with a name conflict vs purge of the same bytes (#15)", () => {
  it("rename, replace and skip racing a purge leave every file readable", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const lost: string[] = [];
    const policies = ["rename", "replace", "skip"] as const;
    for (let i = 0; i < 30; i++) {
      const bytes = randomBytes(1800 + i, 9000 + i);
      const policy = policies[i % 3]!;
      const theirs = await uploadOk(a, bytes, `a${i}.bin`);
      // b already has a file of this name (other bytes), so every upload below meets a conflict.
      await uploadOk(b, randomBytes(100, i), `b${i}.bin`);
      const purge = new Promise((r) => setTimeout(r, i % 4)).then(() =>
        call(`/api/v1/media/${theirs.id}?purge=true`, { method: "DELETE", token: a.accessToken }),
      );
      const [, answer] = await Promise.all([purge, upload(b, bytes, `b${i}.bin`, { onConflict: policy })]);
      expect(answer.status, await answer.clone().text()).toBe(policy === "skip" ? 200 : 201);
      const { media } = await answer.json<{ media: { id: string; size: number } }>();
      const back = await download(b, media.id);
      if (back.status !== 200 || (await back.arrayBuffer()).byteLength !== media.size) lost.push(media.id);
    }
    expect(lost).toEqual([]);
  }, 120_000);
});
