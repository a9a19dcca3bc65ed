import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mac } from "../../src/media/shares";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { type MediaJson, uploadOk } from "./helpers";

interface ShareJson {
  id: string;
  kind: string;
  url: string;
  token: string;
  name: string;
  files: number;
  expiresAt: string;
  views: number;
  downloads: number;
  lastAccessedAt: string | null;
  hasPassword: boolean;
  revokedAt: string | null;
}

const HTML = { accept: "text/html,application/xhtml+xml" };
const pathOf = (share: ShareJson) => new URL(share.url).pathname;

async function shareFile(user: TestUser, media: MediaJson, body: Record<string, unknown> = {}) {
  const res = await call(`/api/v1/media/${media.id}/shares`, {
    method: "POST",
    token: user.accessToken,
    json: body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ share: ShareJson }>()).share;
}

async function shareMany(user: TestUser, body: Record<string, unknown>) {
  const res = await call("/api/v1/shares", { method: "POST", token: user.accessToken, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ share: ShareJson }>()).share;
}

const srcs = (html: string) =>
  [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));

describe("share pages", () => {
  it("a browser gets a page with a preview, name, size and Download; others get the bytes", async () => {
    const user = await newUser();
    const photo = await uploadOk(user, await fixture("photo-exif.jpg"), "Beach <b>day<b> & more.jpg");
    const share = await shareFile(user, photo);
    // 30 days by default.
    expect(Math.round((Date.parse(share.expiresAt) - Date.now()) / 86_400_000)).toBe(30);

    const page = await call(pathOf(share), { headers: HTML });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain("Beach &lt;b&gt;day&lt;b&gt; &amp; more.jpg");
    expect(html).not.toContain("<b>day");
    expect(html).toContain("18 KB");
    expect(html).toMatch(/href="[^"]*\?download=1"[^>]*>Download</);
    expect(html).not.toMatch(/<script/i);
    // GPS and camera details are not shown publicly.
    expect(html).not.toContain("48.85");
    expect(html).not.toContain("Canon");

    // The preview is a signed transformation anyone with the link can load.
    const [preview] = srcs(html);
    const image = await call(preview!);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/webp");
    expect(image.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
    // Another size is not signed: the link covers only what its owner (or its page) signed.
    await expectProblem(await call(preview!.replace("w=1200", "w=1199")), 403, "unsigned_variant");
    await expectProblem(await call(preview!.replace(/&sig=[^&]+/, "")), 422);

    for (const res of [
      await call(`${pathOf(share)}?download=1`, { headers: HTML }),
      await call(pathOf(share)),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
      expect((await res.arrayBuffer()).byteLength).toBe(photo.size);
    }
    const mine = await (await call("/api/v1/me/shares", { token: user.accessToken })).json<{
      items: ShareJson[];
    }>();
    expect(mine.items[0]).toMatchObject({ id: share.id, views: 1, downloads: 2, hasPassword: false });
    expect(mine.items[0]!.lastAccessedAt).not.toBeNull();
  });

  it("expired, revoked and tampered links get friendly pages (problem+json for API clients)", async () => {
    const user = await newUser();
    const file = await uploadOk(user, "shared words", "notes.txt");
    const share = await shareFile(user, file, { expiresInSeconds: 3600 });
    const [id] = share.token.split(".");
    const tampered = await call(`/api/v1/shares/${id}.${"B".repeat(43)}`, { headers: HTML });
    expect(tampered.status).toBe(404);
    expect(tampered.headers.get("content-type")).toContain("text/html");
    expect(await tampered.text()).toContain("Link not found");
    await expectProblem(await call(`/api/v1/shares/${id}.${"B".repeat(43)}`), 404);

    await env.DB.prepare("UPDATE shares SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?")
      .bind(id)
      .run();
    const expired = await call(pathOf(share), { headers: HTML });
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link has expired");
    await expectProblem(await call(pathOf(share)), 410, "share_expired");

    // Extending brings the same URL back to life.
    const extended = await call(`/api/v1/me/shares/${share.id}`, {
      method: "PATCH",
      token: user.accessToken,
      json: { expiresInSeconds: 7 * 86_400 },
    });
    expect(extended.status).toBe(200);
    expect((await extended.json<{ share: ShareJson }>()).share.url).toBe(share.url);
    expect((await call(pathOf(share))).status).toBe(200);

    expect(
      (await call(`/api/v1/me/shares/${share.id}`, { method: "DELETE", token: user.accessToken })).status,
    ).toBe(204);
    const revoked = await call(pathOf(share), { headers: HTML });
    expect(revoked.status).toBe(410);
    expect(await revoked.text()).toContain("This link was turned off");
    await expectProblem(
      await call(`/api/v1/me/shares/${share.id}`, {
        method: "PATCH",
        token: user.accessToken,
        json: { expiresInSeconds: 3600 },
      }),
      409,
      "share_revoked",
    );
    const stranger = await newUser();
    await expectProblem(
      await call(`/api/v1/me/shares/${share.id}`, { method: "DELETE", token: stranger.accessToken }),
      404,
    );
    await expectProblem(
      await call(`/api/v1/media/${file.id}/shares`, {
        method: "POST",
        token: user.accessToken,
        json: { expiresInSeconds: 400 * 86_400 },
      }),
      422,
    );
  });

  it("links of the first token format keep working", async () => {
    const user = await newUser();
    const file = await uploadOk(user, "old link", "old.txt");
    const share = await shareFile(user, file);
    const exp = Math.floor(Date.parse(share.expiresAt) / 1000);
    const old = `${share.id}.${exp}.${await mac(env.AUTH_SECRET, `${share.id}.${exp}`)}`;
    const res = await call(`/api/v1/shares/${old}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("old link");
  });

  it("a password-protected link asks for it (hashed, rate limited), then opens with a cookie", async () => {
    const user = await newUser();
    const file = await uploadOk(user, "secret plans", "plans.txt");
    const share = await shareFile(user, file, { password: "open sesame" });
    expect(share.hasPassword).toBe(true);
    const stored = await env.DB.prepare("SELECT password_hash FROM shares WHERE id = ?")
      .bind(share.id)
      .first<{ password_hash: string }>();
    expect(stored?.password_hash).not.toContain("open sesame");

    const ip = "10.9.8.7";
    const form = await call(pathOf(share), { headers: HTML, ip });
    expect(form.status, await form.clone().text()).toBe(401);
    const formHtml = await form.text();
    expect(formHtml).toContain('type="password"');
    expect(formHtml).toContain(`action="${pathOf(share)}/unlock"`);
    await expectProblem(await call(pathOf(share), { ip }), 401, "share_password_required");

    const unlock = (password: string, client = ip) =>
      call(`${pathOf(share)}/unlock`, {
        method: "POST",
        ip: client,
        body: new URLSearchParams({ password }),
        headers: {
          ...HTML,
          "content-type": "application/x-www-form-urlencoded",
          origin: "http://localhost:8787",
        },
        redirect: "manual",
      });
    const wrong = await unlock("open barley");
    expect(wrong.status, await wrong.clone().text()).toBe(401);
    expect(await wrong.text()).toContain("That password is not right.");
    const right = await unlock("open sesame");
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe(pathOf(share));
    const cookie = right.headers.getSetCookie().find((c) => c.startsWith(`share_${share.id}=`))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toContain(`Path=${pathOf(share)}`);
    const opened = await call(pathOf(share), { headers: { ...HTML, cookie: cookie.split(";")[0]! }, ip });
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain("plans.txt");
    // API clients may send the password instead.
    const bytes = await call(pathOf(share), { headers: { "x-share-password": "open sesame" } });
    expect(await bytes.text()).toBe("secret plans");

    // Guessing is rate limited per link and client (3 a minute in the tests).
    const guesser = "10.9.8.99";
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await unlock(`guess ${i}`, guesser)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("a folder or a selection gets a page listing its files, each downloadable, and a ZIP", async () => {
    const user = await newUser();
    const a = await uploadOk(user, "alpha", "a.txt", { folder: "/trip" });
    const b = await uploadOk(user, await fixture("photo-exif.png"), "b.png", { folder: "/trip/day1" });
    const outside = await uploadOk(user, "not shared", "c.txt", { folder: "/private" });
    const folder = await shareMany(user, { folder: "/trip" });
    expect(folder).toMatchObject({ kind: "folder", name: "/trip" });
    const html = await (await call(pathOf(folder), { headers: HTML })).text();
    expect(html).toContain("a.txt");
    expect(html).toContain("b.png");
    expect(html).not.toContain("c.txt");
    expect(html).toContain("Download all (ZIP)");
    for (const src of srcs(html)) {
      if (src.startsWith("data:")) continue;
      expect((await call(src)).status).toBe(200);
    }
    const list = await (await call(pathOf(folder))).json<{ files: { id: string; url: string }[] }>();
    expect(list.files.map((f) => f.id).sort()).toEqual([a.id, b.id].sort());
    expect(
      await (
        await call(
          new URL(list.files.find((f) => f.id === a.id)!.url, "http://x").pathname +
            new URL(list.files.find((f) => f.id === a.id)!.url, "http://x").search,
        )
      ).text(),
    ).toBe("alpha");
    await expectProblem(await call(`${pathOf(folder)}?download=1&file=${outside.id}`), 404);
    const zip = await call(`${pathOf(folder)}/zip`);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    expect(new TextDecoder("latin1").decode(await zip.arrayBuffer())).toContain("trip/a.txt");

    const selection = await shareMany(user, { mediaIds: [a.id, outside.id] });
    expect(selection).toMatchObject({ kind: "selection", files: 2 });
    const selected = await (await call(pathOf(selection), { headers: HTML })).text();
    expect(selected).toContain("c.txt");
    expect(selected).not.toContain("b.png");
    const stranger = await uploadOk(await newUser(), "theirs", "t.txt");
    await expectProblem(
      await call("/api/v1/shares", {
        method: "POST",
        token: user.accessToken,
        json: { mediaIds: [stranger.id] },
      }),
      404,
    );
    await expectProblem(
      await call("/api/v1/shares", {
        method: "POST",
        token: user.accessToken,
        json: { folder: "/nothing-here" },
      }),
      404,
    );
    await expectProblem(
      await call("/api/v1/shares", {
        method: "POST",
        token: user.accessToken,
        json: { folder: "/trip", mediaIds: [a.id] },
      }),
      422,
    );
  });

  it("the owner signs public URLs of transformations for a link", async () => {
    const user = await newUser();
    const photo = await uploadOk(user, await fixture("photo-exif.webp"), "p.webp");
    const share = await shareFile(user, photo);
    const res = await call(`/api/v1/me/shares/${share.id}/image-url`, {
      method: "POST",
      token: user.accessToken,
      json: { w: 64, format: "png" },
    });
    expect(res.status).toBe(200);
    const { url } = await res.json<{ url: string }>();
    const u = new URL(url);
    const image = await call(u.pathname + u.search);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    await expectProblem(
      await call(`/api/v1/me/shares/${share.id}/image-url`, {
        method: "POST",
        token: (await newUser()).accessToken,
        json: { w: 64 },
      }),
      404,
    );
  });
});
