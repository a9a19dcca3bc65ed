import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "../../src/wasm/codecs";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { type MediaJson, r2Keys, uploadOk } from "./helpers";

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40" viewBox="0 0 80 40">
  <rect width="80" height="40" fill="#ff0000"/><rect x="40" width="40" height="40" fill="#0000ff"/></svg>`;

describe("GET /media/{id}/image", () => {
  let user: TestUser;
  let photo: MediaJson;
  let drawing: MediaJson;
  const image = (id: string, query: string, headers?: HeadersInit) =>
    call(`/api/v1/media/${id}/image?${query}`, { token: user.accessToken, headers });
  const decoded = async (res: Response) => {
    const text = res.ok ? null : await res.clone().text();
    expect(res.status, text ?? "").toBe(200);
    return decodeImage(res.headers.get("content-type")!, await res.arrayBuffer());
  };

  beforeAll(async () => {
    user = await newUser();
    // 320 × 200 as stored, EXIF orientation 6: shown (and transformed) as 200 × 320.
    photo = await uploadOk(user, await fixture("photo-exif.jpg"), "photo.jpg");
    drawing = await uploadOk(user, SVG, "flag.svg");
  });

  it("resizes inside a box by default, keeping the aspect ratio, as WebP", async () => {
    const res = await image(photo.id, "w=100");
    expect(res.headers.get("content-type")).toBe("image/webp");
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(res.headers.get("content-disposition")).toContain('filename="photo.webp"');
    const out = await decoded(res);
    expect([out.width, out.height]).toEqual([100, 160]);
    const both = await decoded(await image(photo.id, "w=100&h=100"));
    expect([both.width, both.height]).toEqual([63, 100]);
    const short = await decoded(await image(photo.id, "h=50"));
    expect([short.width, short.height]).toEqual([31, 50]);
  });

  it("cover crops to the box, contain pads it with transparency", async () => {
    const cover = await decoded(await image(photo.id, "w=100&h=100&fit=cover"));
    expect([cover.width, cover.height]).toEqual([100, 100]);
    expect(cover.data[3]).toBe(255);
    const contain = await decoded(await image(photo.id, "w=100&h=100&fit=contain&format=png"));
    expect([contain.width, contain.height]).toEqual([100, 100]);
    expect(contain.data[(50 * 100 + 0) * 4 + 3]).toBe(0); // padding on the left
    expect(contain.data[(50 * 100 + 50) * 4 + 3]).toBe(255); // the photo
    const jpeg = await decoded(await image(photo.id, "w=100&h=100&fit=contain&format=jpeg"));
    const left = (50 * 100 + 2) * 4;
    expect([...jpeg.data.subarray(left, left + 3)].every((v) => v > 240)).toBe(true); // white padding
  });

  it("converts to AVIF, JPEG and PNG with the asked quality", async () => {
    const avif = await image(photo.id, "w=64&format=avif&q=40");
    expect(avif.status).toBe(200);
    expect(avif.headers.get("content-type")).toBe("image/avif");
    const bytes = new Uint8Array(await avif.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(4, 12))).toBe("ftypavif");
    const low = await image(photo.id, "w=200&format=jpeg&q=10");
    const high = await image(photo.id, "w=200&format=jpeg&q=95");
    expect((await low.arrayBuffer()).byteLength).toBeLessThan((await high.arrayBuffer()).byteLength);
    const png = await decoded(await image(photo.id, "w=32&format=png"));
    expect(png.width).toBe(32);
  });

  it("draws SVG at the size asked for", async () => {
    const out = await decoded(await image(drawing.id, "w=400&format=png"));
    expect([out.width, out.height]).toEqual([400, 200]);
    expect([...out.data.subarray(0, 3)]).toEqual([255, 0, 0]);
    const right = (100 * 400 + 399) * 4;
    expect([...out.data.subarray(right, right + 3)]).toEqual([0, 0, 255]);
  });

  it("caches the output in R2 by (sha256, canonical parameters), with an ETag", async () => {
    const first = await image(photo.id, "w=120&format=webp");
    expect(first.headers.get("x-transform-cache")).toBe("MISS");
    const etag = first.headers.get("etag")!;
    const body = new Uint8Array(await first.arrayBuffer());
    // The same variant spelled differently (defaults written out, other order) is the same entry.
    const second = await image(photo.id, "format=webp&fit=inside&q=80&w=120");
    expect(second.headers.get("x-transform-cache")).toBe("HIT");
    expect(second.headers.get("etag")).toBe(etag);
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(body);
    const revalidated = await image(photo.id, "w=120", { "if-none-match": etag });
    expect(revalidated.status).toBe(304);
    expect((await r2Keys(`derived/${photo.sha256}/`)).length).toBeGreaterThan(0);
    // The same bytes under another name share the cache.
    const copy = await uploadOk(user, await fixture("photo-exif.jpg"), "copy.jpg");
    expect((await image(copy.id, "w=120")).headers.get("x-transform-cache")).toBe("HIT");
  });

  it("derived images go when their source blob goes", async () => {
    const file = await uploadOk(user, SVG.replace("#0000ff", "#00ff00"), "only-copy.svg");
    const res = await image(file.id, "w=10&format=png");
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(await r2Keys(`derived/${file.sha256}/`)).toHaveLength(1);
    const gone = await call(`/api/v1/media/${file.id}?purge=true`, {
      method: "DELETE",
      token: user.accessToken,
    });
    expect(gone.status).toBe(204);
    expect(await r2Keys(`derived/${file.sha256}/`)).toEqual([]);
  });

  it("refuses what it can't or mustn't make with a clear 4xx", async () => {
    await expectProblem(await image(photo.id, "w=5000"), 422, "validation_failed");
    await expectProblem(await image(photo.id, "w=0"), 422, "validation_failed");
    await expectProblem(await image(photo.id, "w=10&q=0"), 422, "validation_failed");
    await expectProblem(await image(photo.id, "fit=banana"), 422, "validation_failed");
    await expectProblem(await image(photo.id, "format=gif"), 422, "validation_failed");
    await expectProblem(await image(photo.id, "w=4096&h=4096&fit=cover"), 422, "output_too_large");
    await expectProblem(await image(drawing.id, "w=4096&h=4096&fit=contain"), 422, "output_too_large");
    const text = await uploadOk(user, "words", "words.txt");
    await expectProblem(await image(text.id, "w=10"), 415, "not_transformable");
    const huge = await uploadOk(user, await fixture("photo-exif.jpg"), "huge.jpg");
    await env.DB.prepare("UPDATE media SET width = 5000, height = 5000 WHERE id = ?").bind(huge.id).run();
    await expectProblem(await image(huge.id, "w=10"), 413, "source_too_large");
    const stranger = await newUser();
    await expectProblem(
      await call(`/api/v1/media/${photo.id}/image?w=10`, { token: stranger.accessToken }),
      404,
    );
    await expectProblem(await call(`/api/v1/media/${photo.id}/image?w=10`), 401);
  });
});
