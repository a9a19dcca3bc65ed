import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { download, type MediaJson, TINY_PNG, uploadOk } from "./helpers";

const TEXT = "0123456789abcdefghij"; // 20 bytes

describe("content: ranges, ETag, headers", () => {
  let user: TestUser;
  let file: MediaJson;
  beforeAll(async () => {
    user = await newUser();
    file = await uploadOk(user, TEXT, "digits.txt");
  });

  const range = async (value: string) => download(user, file.id, { range: value });

  it("answers closed, open and suffix ranges with 206 and Content-Range", async () => {
    const cases: [string, string, string][] = [
      ["bytes=0-4", "01234", "bytes 0-4/20"],
      ["bytes=5-", "56789abcdefghij", "bytes 5-19/20"],
      ["bytes=-3", "hij", "bytes 17-19/20"],
      ["bytes=-100", TEXT, "bytes 0-19/20"],
      ["bytes=18-1000", "ij", "bytes 18-19/20"],
      ["bytes=19-19", "j", "bytes 19-19/20"],
    ];
    for (const [header, body, contentRange] of cases) {
      const res = await range(header);
      expect(res.status, header).toBe(206);
      expect(res.headers.get("content-range")).toBe(contentRange);
      expect(res.headers.get("content-length")).toBe(String(body.length));
      expect(await res.text()).toBe(body);
    }
  });

  it("416 for unsatisfiable ranges; ignores multi-range and malformed ones (full 200)", async () => {
    for (const header of ["bytes=20-", "bytes=100-200", "bytes=-0"]) {
      const res = await range(header);
      expect(res.headers.get("content-range")).toBe("bytes */20");
      await expectProblem(res, 416, "range_not_satisfiable");
    }
    for (const header of ["bytes=0-1,3-4", "bytes=5-2", "items=0-3", "bytes=abc"]) {
      const res = await range(header);
      expect(res.status, header).toBe(200);
      expect(await res.text()).toBe(TEXT);
    }
  });

  it("ETag is the SHA-256; If-None-Match gives 304; type and disposition are safe", async () => {
    const res = await download(user, file.id);
    expect(res.headers.get("etag")).toBe(`"${file.sha256}"`);
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="digits.txt"; filename*=UTF-8''digits.txt`,
    );
    for (const inm of [`"${file.sha256}"`, `W/"${file.sha256}"`, `"other", "${file.sha256}"`, "*"]) {
      const again = await download(user, file.id, { "if-none-match": inm });
      expect(again.status, inm).toBe(304);
      expect(await again.text()).toBe("");
    }
    expect((await download(user, file.id, { "if-none-match": '"other"' })).status).toBe(200);
  });

  it("uses RFC 6266 filename* for non-ASCII names and serves SVG as a sandboxed attachment", async () => {
    const named = await uploadOk(user, "x", "résumé «final».txt");
    const cd = (await download(user, named.id)).headers.get("content-disposition")!;
    expect(cd).toContain(`filename*=UTF-8''r%C3%A9sum%C3%A9%20%C2%ABfinal%C2%BB.txt`);
    expect(cd).toMatch(/^attachment; filename="[\x20-\x7e]+";/);

    const svg = await uploadOk(
      user,
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
      "box.svg",
    );
    expect(svg).toMatchObject({ mime: "image/svg+xml", kind: "image" });
    const res = await download(user, svg.id);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(res.headers.get("content-security-policy")).toMatch(/^sandbox(;|$)/);

    const png = await uploadOk(user, TINY_PNG, "dot.png");
    expect((await download(user, png.id)).headers.get("content-disposition")).toMatch(/^inline;/);
  });
});

describe("share links", () => {
  it("creates a signed link anyone can download until it is revoked or expires", async () => {
    const user = await newUser();
    const media = await uploadOk(user, TEXT, "shared.txt");
    const created = await call(`/api/v1/media/${media.id}/shares`, {
      method: "POST",
      token: user.accessToken,
      json: { expiresInSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    const { share } = await created.json<{
      share: { id: string; url: string; token: string; expiresAt: string };
    }>();
    expect(Date.parse(share.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    const path = new URL(share.url).pathname;

    const anon = await call(path);
    expect(anon.status).toBe(200);
    expect(await anon.text()).toBe(TEXT);
    expect(anon.headers.get("content-disposition")).toMatch(/^attachment;/);
    const part = await call(path, { headers: { range: "bytes=-2" } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("ij");

    // Tampering with the signature is a 404.
    const [id, sig] = share.token.split(".");
    expect(sig).toHaveLength(43);
    await expectProblem(await call(`/api/v1/shares/${id}.${"A".repeat(43)}`), 404);
    await expectProblem(await call(`/api/v1/shares/${id}.1700000000.${sig}`), 404);
    await expectProblem(await call("/api/v1/shares/not-a-token"), 404);

    // The owner's list shows the link again (the token is derived, not stored).
    const listed = await (await call(`/api/v1/media/${media.id}/shares`, { token: user.accessToken })).json<{
      items: { id: string; url: string; downloads: number }[];
    }>();
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]!.url).toBe(share.url);

    expect(
      (
        await call(`/api/v1/media/${media.id}/shares/${share.id}`, {
          method: "DELETE",
          token: user.accessToken,
        })
      ).status,
    ).toBe(204);
    await expectProblem(await call(path), 410, "share_revoked");

    // Expiry: a link made with the shortest life, checked after it ends.
    const short = await call(`/api/v1/media/${media.id}/shares`, {
      method: "POST",
      token: user.accessToken,
      json: { expiresInSeconds: 60 },
    });
    const shortShare = (await short.json<{ share: { id: string; url: string } }>()).share;
    await env.DB.prepare("UPDATE shares SET expires_at = ? WHERE id = ?")
      .bind("2000-01-01T00:00:00.000Z", shortShare.id)
      .run();
    await expectProblem(await call(new URL(shortShare.url).pathname), 410, "share_expired");
    await expectProblem(
      await call(`/api/v1/media/${media.id}/shares`, {
        method: "POST",
        token: user.accessToken,
        json: { expiresInSeconds: 5 },
      }),
      422,
      "validation_failed",
    );
    // Trashed files are not served through links.
    const again = await (
      await call(`/api/v1/media/${media.id}/shares`, { method: "POST", token: user.accessToken, json: {} })
    ).json<{ share: { url: string } }>();
    await call(`/api/v1/media/${media.id}`, { method: "DELETE", token: user.accessToken });
    await expectProblem(await call(new URL(again.share.url).pathname), 404);
  });
});
