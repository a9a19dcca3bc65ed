import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import {
  counts,
  download,
  freshSeed,
  r2Keys,
  randomBytes,
  sha256,
  storedObjects,
  TINY_PNG,
  upload,
  uploadOk,
} from "./helpers";

const JPEG_BODY = Uint8Array.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
  0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01,
  0x03, 0x11, 0x01, 0xff, 0xd9,
]);

function pngWithSize(width: number, height: number): Uint8Array {
  const out = TINY_PNG.slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("upload round trips", () => {
  it("stores small and clip-art files byte for byte, with header dimensions (empty ones are refused)", async () => {
    const user = await newUser();
    const small = await uploadOk(user, "hello, world\n", "hello.txt");
    expect(small).toMatchObject({ mime: "text/plain", kind: "text", size: 13, folder: "/", tags: [] });
    expect(await (await download(user, small.id)).text()).toBe("hello, world\n");

    await expectProblem(await upload(user, new Uint8Array(0), "empty.bin"), 422, "empty_file");

    for (const file of [
      "animals__birds__crow_01.png",
      "buildings__homes__my_house_01.png",
      "computer__bluepane_01.png",
    ]) {
      const bytes = await fixture(file);
      const media = await uploadOk(user, bytes, file, { folder: "/clipart", tags: "corpus" });
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      expect(media).toMatchObject({
        mime: "image/png",
        kind: "image",
        width: view.getUint32(16),
        height: view.getUint32(20),
      });
      expect(media.sha256).toBe(await sha256(bytes));
      expect(new Uint8Array(await (await download(user, media.id)).arrayBuffer())).toEqual(bytes);
    }
  });

  it("streams a 30 MB file through and back unchanged", async () => {
    const user = await newUser();
    const bytes = randomBytes(30 * 1024 * 1024, 7);
    const media = await uploadOk(user, bytes, "big.bin");
    expect(media.size).toBe(bytes.length);
    expect(media.sha256).toBe(await sha256(bytes));
    const back = new Uint8Array(await (await download(user, media.id)).arrayBuffer());
    expect(back.length).toBe(bytes.length);
    expect(await sha256(back)).toBe(media.sha256);
    // Nothing is left at temporary keys.
    expect((await env.MEDIA.list({ prefix: "tmp/" })).objects).toHaveLength(0);
  });

  it("writes a file streamed in parts once: the blob's object is the completed multipart upload, not a copy (#19)", async () => {
    const user = await newUser();
    const bytes = randomBytes(17 * 1024 * 1024, 19);
    const objectKey = async (sha: string) =>
      (
        await env.DB.prepare("SELECT object_key FROM blobs WHERE sha256 = ?")
          .bind(sha)
          .first<{ object_key: string }>()
      )?.object_key;
    const before = await r2Keys("blobs/");
    const media = await uploadOk(user, bytes, "parts.bin");
    const key = await objectKey(media.sha256);
    // One new object, and an R2 multipart ETag ("<hash>-<parts>": 17 MiB in 8 MiB parts), so no
    // copy was made of it.
    expect((await r2Keys("blobs/")).filter((k) => !before.includes(k))).toEqual([key]);
    const head = await env.MEDIA.head(key!);
    expect(head?.size).toBe(bytes.length);
    expect(head?.etag).toMatch(/-3$/);
    expect(await sha256(new Uint8Array(await (await download(user, media.id)).arrayBuffer()))).toBe(
      media.sha256,
    );
    // The same bytes again: deduplicated in D1, the object just written is dropped.
    const again = await uploadOk(user, bytes, "again.bin");
    expect(again.sha256).toBe(media.sha256);
    expect(await objectKey(media.sha256)).toBe(key);
    expect((await r2Keys("blobs/")).filter((k) => !before.includes(k))).toEqual([key]);
  });

  it("stores the same bytes once, counts references, and keeps the other copy on purge", async () => {
    const user = await newUser();
    const bytes = randomBytes(5000, freshSeed());
    const a = await uploadOk(user, bytes, "a.bin");
    const b = await uploadOk(user, bytes, "b.bin", { folder: "/other" });
    expect(a.id).not.toBe(b.id);
    expect(a.sha256).toBe(b.sha256);
    const blob = await env.DB.prepare("SELECT ref_count FROM blobs WHERE sha256 = ?")
      .bind(a.sha256)
      .first<{ ref_count: number }>();
    expect(blob?.ref_count).toBe(2);
    expect(await storedObjects(a.sha256)).toBe(1);

    expect(
      (await call(`/api/v1/media/${a.id}?purge=true`, { method: "DELETE", token: user.accessToken })).status,
    ).toBe(204);
    expect(new Uint8Array(await (await download(user, b.id)).arrayBuffer())).toEqual(bytes);
    expect(await counts(user.id)).toEqual({ rows: 1, usedBytes: 5000, usedFiles: 1 });

    expect(
      (await call(`/api/v1/media/${b.id}?purge=true`, { method: "DELETE", token: user.accessToken })).status,
    ).toBe(204);
    expect(await storedObjects(a.sha256)).toBe(0);
    expect(await env.DB.prepare("SELECT 1 FROM blobs WHERE sha256 = ?").bind(a.sha256).first()).toBeNull();
    const audit = await env.DB.prepare(
      "SELECT actor_id, detail FROM audit_log WHERE action = 'media.purge' AND target_id IN (?, ?)",
    )
      .bind(a.id, b.id)
      .all<{ actor_id: string; detail: string }>();
    expect(audit.results).toHaveLength(2);
    expect(JSON.parse(audit.results[0]!.detail)).toMatchObject({
      sha256: a.sha256,
      size: 5000,
      reason: "user",
    });
    expect(audit.results[0]!.actor_id).toBe(user.id);
  });
});

describe("hostile and malformed uploads", () => {
  const cases: [string, Uint8Array | string, string, number, string][] = [
    ["PNG header with a JPEG body", concat(TINY_PNG.slice(0, 33), JPEG_BODY), "x.png", 422, "invalid_image"],
    ["PNG signature then JPEG", concat(TINY_PNG.slice(0, 8), JPEG_BODY), "x.png", 422, "invalid_image"],
    ["truncated PNG", TINY_PNG.slice(0, 50), "t.png", 422, "invalid_image"],
    ["PNG with a 100000×100000 IHDR", pngWithSize(100_000, 100_000), "huge.png", 413, "image_too_large"],
    [
      "PNG with an oversized compressed chunk",
      concat(
        TINY_PNG.slice(0, 33),
        Uint8Array.from([0x00, 0x20, 0x00, 0x00, 0x7a, 0x54, 0x58, 0x74]),
        new Uint8Array(64),
      ),
      "bomb.png",
      413,
      "image_bomb",
    ],
    ["JPEG named .png", JPEG_BODY, "photo.png", 415, "type_mismatch"],
    ["text named .pdf", "just text", "report.pdf", 415, "type_mismatch"],
    ["PNG named .jpg", TINY_PNG, "photo.jpg", 415, "type_mismatch"],
    [
      "SVG with <script>",
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      "s.svg",
      422,
      "unsafe_svg",
    ],
    [
      "SVG with onload",
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
      "s.svg",
      422,
      "unsafe_svg",
    ],
    [
      "SVG with an external reference",
      '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
      "s.svg",
      422,
      "unsafe_svg",
    ],
    [
      "SVG with foreignObject",
      "<svg><foreignObject><div/></foreignObject></svg>",
      "s.svg",
      422,
      "unsafe_svg",
    ],
    ["name with ../", TINY_PNG, "../../etc/passwd.png", 422, "invalid_file_name"],
    ["name with NUL", TINY_PNG, "a\u0000b.png", 422, "invalid_file_name"],
    ["name with RTL override", TINY_PNG, "evil\u202Egnp.exe", 422, "invalid_file_name"],
    ["10 kB name", TINY_PNG, `${"x".repeat(10_000)}.png`, 422, "invalid_file_name"],
  ];

  let user: TestUser;
  beforeAll(async () => {
    user = await newUser();
  });

  it.each(cases)(
    "refuses %s with a clear 4xx and stores nothing",
    async (_label, bytes, name, status, code) => {
      const before = (await env.MEDIA.list({ prefix: "blobs/" })).objects.length;
      const problem = await expectProblem(await upload(user, bytes, name), status, code);
      expect(problem.detail.length).toBeGreaterThan(10);
      expect(await counts(user.id)).toEqual({ rows: 0, usedBytes: 0, usedFiles: 0 });
      expect((await env.MEDIA.list({ prefix: "blobs/" })).objects.length).toBe(before);
    },
  );

  it("refuses a missing file, a non-multipart body, a truncated form and a bad folder", async () => {
    const noFile = new FormData();
    noFile.append("folder", "/x");
    await expectProblem(
      await call("/api/v1/media", { method: "POST", token: user.accessToken, body: noFile }),
      422,
      "file_required",
    );
    await expectProblem(
      await call("/api/v1/media", {
        method: "POST",
        token: user.accessToken,
        body: "raw",
        headers: { "content-type": "text/plain" },
      }),
      415,
      "unsupported_media_type",
    );
    await expectProblem(
      await call("/api/v1/media", {
        method: "POST",
        token: user.accessToken,
        body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc',
        headers: { "content-type": "multipart/form-data; boundary=b" },
      }),
      400,
      "malformed_multipart",
    );
    await expectProblem(await upload(user, TINY_PNG, "ok.png", { folder: "/a/../b" }), 422, "invalid_folder");
    expect(await counts(user.id)).toEqual({ rows: 0, usedBytes: 0, usedFiles: 0 });
  });

  it("normalizes benign names (NFC, control characters, length cap) and keeps them out of storage keys", async () => {
    const user = await newUser(); // this one stores files
    const media = await uploadOk(user, "x", "Cafe\u0301\tmenu.txt");
    expect(media.name).toBe("Café menu.txt");
    const long = await uploadOk(user, "y", `${"n".repeat(300)}.txt`);
    expect([...long.name].length).toBe(255);
    expect(long.name.endsWith(".txt")).toBe(true);
    // This user's objects (other test files share the bucket): keys are a random part, after the
    // content hash when it is known before the write (a file streamed in parts is written before
    // its hash is known), never the name; and no key anywhere carries the names.
    const { results } = await env.DB.prepare(
      "SELECT b.object_key AS key FROM media m JOIN blobs b ON b.sha256 = m.sha256 WHERE m.owner_id = ?",
    )
      .bind(user.id)
      .all<{ key: string }>();
    const ownKeys = results.map((r) => r.key);
    expect(ownKeys).toHaveLength(2);
    for (const key of ownKeys) {
      expect(key).toMatch(/^blobs\/(?:[0-9a-f]{64}\/)?[0-9a-f-]{36}$/);
      expect(await env.MEDIA.head(key), key).not.toBeNull();
    }
    expect((await r2Keys()).filter((k) => /menu|n{20}/i.test(k))).toEqual([]); // never hex: m, u, n
  });
});

describe("quota", () => {
  it("never lets parallel uploads exceed the byte quota", async () => {
    const user = await newUser();
    await env.DB.prepare("UPDATE users SET quota_bytes = 10000 WHERE id = ?").bind(user.id).run();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => upload(user, randomBytes(3000, 1000 + i), `part${i}.bin`)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    for (const r of results.filter((x) => x.status !== 201)) await expectProblem(r, 413, "quota_exceeded");
    const after = await counts(user.id);
    expect(after).toEqual({ rows: 3, usedBytes: 9000, usedFiles: 3 });
    // Failed uploads left no blob behind.
    const blobs = await env.DB.prepare(
      "SELECT count(*) AS n FROM media m JOIN blobs b ON b.sha256 = m.sha256 WHERE m.owner_id = ?",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(blobs?.n).toBe(3);
    for (let i = 0; i < 6; i++) {
      const sha = await sha256(randomBytes(3000, 1000 + i));
      const row = await env.DB.prepare("SELECT 1 FROM media WHERE sha256 = ?").bind(sha).first();
      expect((await storedObjects(sha)) === 1).toBe(row !== null);
    }
  });

  it("never lets parallel uploads exceed the file-count quota", async () => {
    const user = await newUser();
    await env.DB.prepare("UPDATE users SET quota_files = 2 WHERE id = ?").bind(user.id).run();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => upload(user, `file ${i}`, `f${i}.txt`)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect((await counts(user.id)).usedFiles).toBe(2);
  });
});
