import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "../../src/db/client";
import { renderSvgRgba } from "../../src/lib/resvg.workerd";
import { mediaInsertStatements } from "../../src/media/library";
import { generateThumbnail } from "../../src/media/thumbnails";
import { decodeImage } from "../../src/wasm/codecs";
import { call, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { sha256, TINY_PNG, uploadOk } from "./helpers";

/** Fetches the thumbnail until it is made (the upload's waitUntil, or here, makes it). */
async function thumbnail(user: TestUser, media: { id: string; sha256: string }) {
  for (let i = 0; i < 20; i++) {
    const res = await call(`/api/v1/media/${media.id}/thumbnail`, { token: user.accessToken });
    if (res.status === 200) return res;
    expect(res.status).toBe(202);
    expect(res.headers.get("retry-after")).toBe("2");
    await res.arrayBuffer();
    await generateThumbnail(getDb(env.DB), env.MEDIA, media.sha256);
  }
  throw new Error("the thumbnail was never made");
}

const pixels = async (res: Response) =>
  decodeImage(res.headers.get("content-type")!, await res.arrayBuffer());

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400" viewBox="0 0 80 40">
  <rect width="80" height="40" fill="#ff0000"/><circle cx="60" cy="20" r="15" fill="#0000ff"/></svg>`;

describe("previews for every file", () => {
  it("raster images get a WebP thumbnail that fits 256 px", async () => {
    const user = await newUser();
    const media = await uploadOk(user, await fixture("animals__birds__crow_01.png"), "crow.png");
    const res = await thumbnail(user, media);
    expect(res.headers.get("content-type")).toBe("image/webp");
    const image = await pixels(res);
    expect(Math.max(image.width, image.height)).toBe(256);
    // 794 × 1123 keeps its aspect ratio.
    expect(image.width).toBe(Math.round((794 * 256) / 1123));
  });

  it("small images are not enlarged", async () => {
    const user = await newUser();
    const media = await uploadOk(user, TINY_PNG, "dot.png");
    const image = await pixels(await thumbnail(user, media));
    expect([image.width, image.height]).toEqual([1, 1]);
  });

  it("SVG gets a real thumbnail drawn by resvg, not a blank tile", async () => {
    const user = await newUser();
    const media = await uploadOk(user, LOGO, "logo.svg");
    const res = await thumbnail(user, media);
    expect(res.headers.get("content-type")).toBe("image/webp");
    const image = await pixels(res);
    expect([image.width, image.height]).toEqual([256, 128]);
    const at = (x: number, y: number) => [...image.data.subarray((y * 256 + x) * 4, (y * 256 + x) * 4 + 3)];
    const [r, g, b] = at(20, 64);
    expect(r).toBeGreaterThan(200);
    expect(g! + b!).toBeLessThan(60);
    const [r2, , b2] = at(192, 64);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
  });

  it("an SVG stored by another service (the vectorizer's results) gets its thumbnail on first request", async () => {
    const user = await newUser();
    const bytes = new TextEncoder().encode(LOGO.replace("#0000ff", "#00ff00"));
    const sha = await sha256(bytes);
    const key = `blobs/${sha}/written-by-the-test`;
    await env.MEDIA.put(key, bytes);
    const db = getDb(env.DB);
    const { row, statements } = mediaInsertStatements(
      db,
      {
        ownerId: user.id,
        name: "traced.svg",
        folder: "/",
        tags: [],
        mime: "image/svg+xml",
        kind: "image",
        size: bytes.length,
        sha256: sha,
        width: null,
        height: null,
        objectKey: key,
      },
      new Date(),
    );
    await db.batch(statements);
    // Rows made before SVG thumbnails existed have no thumbnail asked for at all.
    await env.DB.prepare("UPDATE blobs SET thumb_status = 'none' WHERE sha256 = ?").bind(sha).run();
    const first = await call(`/api/v1/media/${row.id}/thumbnail`, { token: user.accessToken });
    expect(first.status).toBe(202);
    await first.arrayBuffer();
    const image = await pixels(await thumbnail(user, { id: row.id, sha256: sha }));
    expect(image.width).toBe(256);
  });

  it("other files get an icon of their type", async () => {
    const user = await newUser();
    const pdf = await uploadOk(user, "%PDF-1.4\n%%EOF\n", "report.pdf");
    const res = await call(`/api/v1/media/${pdf.id}/thumbnail`, { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    const svg = await res.text();
    expect(svg).toContain(">PDF</text>");
    const odd = await uploadOk(user, "plain words", `notes.<script>`);
    const icon = await (await call(`/api/v1/media/${odd.id}/thumbnail`, { token: user.accessToken })).text();
    expect(icon).not.toContain("<script");
    expect(icon).toContain(">TEXT</text>");
    expect(odd.thumbnailUrl).toBe(`/api/v1/media/${odd.id}/thumbnail`);
  });
});

describe("the SVG renderer", () => {
  it("draws nothing from outside the file and fetches nothing", async () => {
    const spy = vi.spyOn(globalThis, "fetch");
    const image = await renderSvgRgba(
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">
        <image href="http://127.0.0.1:9/x.png" width="20" height="20"/>
        <image xlink:href="file:///etc/passwd" width="20" height="20"/>
        <rect width="20" height="20" fill="url(http://127.0.0.1:9/p.svg#x)" fill-opacity="0"/></svg>`,
    );
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    expect(image.width).toBe(20);
    expect(image.data.every((v) => v === 0)).toBe(true);
  });

  it("gives straight (not premultiplied) alpha, like the decoders", async () => {
    const image = await renderSvgRgba(
      `<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#ff0000" fill-opacity="0.5"/></svg>`,
    );
    const [r, g, b, a] = image.data;
    expect(a).toBeGreaterThanOrEqual(127);
    expect(a).toBeLessThanOrEqual(128);
    expect(r).toBe(255);
    expect(g! + b!).toBe(0);
  });
});
