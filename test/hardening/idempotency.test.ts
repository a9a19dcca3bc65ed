import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { counts, form, freshSeed, randomBytes, sha256, storedObjects } from "../media/helpers";

/** A multipart body with a boundary of our choosing, as two different clients would frame the same file. */
function framed(bytes: Uint8Array, name: string, boundary: string, fields: Record<string, string> = {}) {
  const enc = new TextEncoder();
  const head = Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join("");
  const parts = [
    enc.encode(
      `${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    bytes,
    enc.encode(`\r\n--${boundary}--\r\n`),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function post(user: TestUser, key: string, body: Uint8Array, boundary: string) {
  return call("/api/v1/media", {
    method: "POST",
    token: user.accessToken,
    body,
    headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "idempotency-key": key },
  });
}

describe("Idempotency-Key on uploads fingerprints the file's content (#2)", () => {
  it("another file of the same size under the same key is 422, and is not stored", async () => {
    const user = await newUser();
    const first = randomBytes(4096, freshSeed());
    const second = randomBytes(4096, freshSeed());
    const a = await post(user, "upload-1", framed(first, "a.bin", "b0"), "b0");
    expect(a.status, await a.clone().text()).toBe(201);
    const b = await post(user, "upload-1", framed(second, "a.bin", "b0"), "b0");
    await expectProblem(b, 422, "idempotency_key_reused");
    expect(await counts(user.id)).toEqual({ rows: 1, usedBytes: 4096, usedFiles: 1 });
    expect(await storedObjects(await sha256(second))).toBe(0);
  });

  it("the same file framed with another boundary is the same request: the first answer is replayed", async () => {
    const user = await newUser();
    const bytes = randomBytes(3000, 3);
    const fields = { folder: "/in", tags: "x,y" };
    const first = await post(user, "upload-2", framed(bytes, "r.bin", "one", fields), "one");
    expect(first.status).toBe(201);
    const again = await post(user, "upload-2", framed(bytes, "r.bin", "two-other", fields), "two-other");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(await first.text());
    expect(await counts(user.id)).toEqual({ rows: 1, usedBytes: 3000, usedFiles: 1 });
  });

  it("the same bytes with another name, folder or tags is another request: 422", async () => {
    const user = await newUser();
    const bytes = randomBytes(2000, 4);
    expect((await post(user, "upload-3", framed(bytes, "n.bin", "q", { folder: "/a" }), "q")).status).toBe(
      201,
    );
    for (const [name, fields] of [
      ["n.bin", { folder: "/b" }],
      ["other.bin", { folder: "/a" }],
      ["n.bin", { folder: "/a", tags: "t" }],
    ] as const) {
      await expectProblem(
        await post(user, "upload-3", framed(bytes, name, "q", fields), "q"),
        422,
        "idempotency_key_reused",
      );
    }
    expect(await counts(user.id)).toEqual({ rows: 1, usedBytes: 2000, usedFiles: 1 });
  });

  it("a refused upload (bad type) leaves the key free for the corrected request", async () => {
    const user = await newUser();
    const res = await call("/api/v1/media", {
      method: "POST",
      token: user.accessToken,
      body: form("%PDF-1.7 not really", "x.png"),
      headers: { "idempotency-key": "upload-4" },
    });
    await expectProblem(res, 415, "type_mismatch");
    const ok = await call("/api/v1/media", {
      method: "POST",
      token: user.accessToken,
      body: form("plain text", "x.txt"),
      headers: { "idempotency-key": "upload-4" },
    });
    expect(ok.status, await ok.clone().text()).toBe(201);
  });
});
