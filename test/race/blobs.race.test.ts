import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { purgeExpiredTrash } from "../../src/media/housekeeping";
import { call, newUser } from "../helpers/api";
import { download, randomBytes, upload, uploadOk } from "../media/helpers";

/**
 * Races on shared blobs (#1). Blobs are shared by content: one user's purge of bytes another user is
 * uploading at that moment must never leave the uploader with a 201 and no bytes.
 */
describe("upload vs purge of the same bytes", () => {
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
  });

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
  });
});
