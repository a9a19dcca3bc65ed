import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { download, randomBytes, sha256 } from "../media/helpers";

/** tus 1.0 at /api/v1/tus, in workerd: the protocol's answers, and a resumed upload's bytes. */
const TUS = { "tus-resumable": "1.0.0" };
const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
const MiB = 1024 * 1024;

let user: TestUser;
beforeAll(async () => {
  user = await newUser();
});

async function create(length: number, filename: string, extra: Record<string, string> = {}) {
  const res = await call("/api/v1/tus", {
    method: "POST",
    token: user.accessToken,
    headers: {
      ...TUS,
      "upload-length": String(length),
      "upload-metadata": `filename ${b64(filename)}`,
      ...extra,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  expect(res.headers.get("tus-resumable")).toBe("1.0.0");
  expect(res.headers.get("upload-expires")).toMatch(/GMT$/);
  return res.headers.get("location")!;
}

function patch(location: string, offset: number, bytes: Uint8Array, headers: Record<string, string> = {}) {
  return call(location, {
    method: "PATCH",
    token: user.accessToken,
    headers: {
      ...TUS,
      "content-type": "application/offset+octet-stream",
      "upload-offset": String(offset),
      ...headers,
    },
    body: bytes,
  });
}

const head = (location: string) => call(location, { method: "HEAD", token: user.accessToken, headers: TUS });

describe("tus", () => {
  it("OPTIONS advertises version, extensions, max size and sha256", async () => {
    const res = await call("/api/v1/tus", { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("tus-version")).toBe("1.0.0");
    expect(res.headers.get("tus-extension")).toBe(
      "creation,creation-with-upload,termination,expiration,checksum",
    );
    expect(Number(res.headers.get("tus-max-size"))).toBeGreaterThan(100 * MiB);
    expect(res.headers.get("tus-checksum-algorithm")).toBe("sha256");
  });

  it("uploads 11 MiB in uneven PATCHes (parts buffered to 5 MiB), resumable from HEAD's offset; bytes and SHA-256 match", async () => {
    const bytes = randomBytes(11 * MiB + 12345, 7);
    const location = await create(bytes.length, "big ünïcode file.bin");
    expect(location).toMatch(/^\/api\/v1\/tus\/upl_/);
    // 3 MiB, then 4 MiB (a part fills at 5), then the rest in two pieces.
    const cuts = [0, 3 * MiB, 7 * MiB, 10 * MiB + 17, bytes.length];
    let media: string | null = null;
    for (let i = 0; i + 1 < cuts.length; i++) {
      const status = await head(location);
      expect(status.status).toBe(200);
      expect(Number(status.headers.get("upload-offset"))).toBe(cuts[i]);
      expect(Number(status.headers.get("upload-length"))).toBe(bytes.length);
      const res = await patch(location, cuts[i]!, bytes.subarray(cuts[i], cuts[i + 1]));
      expect(res.status, await res.clone().text()).toBe(204);
      expect(Number(res.headers.get("upload-offset"))).toBe(cuts[i + 1]);
      media = res.headers.get("edgecraft-media-id");
    }
    expect(media).toMatch(/^med_/);
    const content = await download(user, media!);
    const got = new Uint8Array(await content.arrayBuffer());
    expect(got.length).toBe(bytes.length);
    expect(await sha256(got)).toBe(await sha256(bytes));
    const meta = await call(`/api/v1/media/${media}`, { token: user.accessToken });
    expect(await meta.json()).toMatchObject({
      media: { name: "big ünïcode file.bin", sha256: await sha256(bytes) },
    });
  });

  it("creation-with-upload takes the first bytes with the POST", async () => {
    const bytes = new TextEncoder().encode("hello tus, in one request");
    const res = await call("/api/v1/tus", {
      method: "POST",
      token: user.accessToken,
      headers: {
        ...TUS,
        "upload-length": String(bytes.length),
        "upload-metadata": `filename ${b64("hello.txt")},folder ${b64("/notes")}`,
        "content-type": "application/offset+octet-stream",
      },
      body: bytes,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(res.headers.get("upload-offset")).toBe(String(bytes.length));
    const id = res.headers.get("edgecraft-media-id");
    const meta = await call(`/api/v1/media/${id}`, { token: user.accessToken });
    expect(await meta.json()).toMatchObject({ media: { name: "hello.txt", folder: "/notes" } });
    // The same name again, keep both: the answer says the name was taken and what was done.
    const again = await call("/api/v1/tus", {
      method: "POST",
      token: user.accessToken,
      headers: {
        ...TUS,
        "upload-length": "5",
        "upload-metadata": `filename ${b64("hello.txt")},folder ${b64("/notes")},onConflict ${b64("rename")}`,
        "content-type": "application/offset+octet-stream",
      },
      body: new TextEncoder().encode("again"),
    });
    expect(again.status).toBe(201);
    expect(again.headers.get("edgecraft-conflict")).toBe("renamed");
  });

  it("a checksum mismatch is 460 and keeps nothing; a right one is kept", async () => {
    const bytes = randomBytes(1000, 3);
    const location = await create(bytes.length * 2, "sums.bin");
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const good = `sha256 ${btoa(String.fromCharCode(...digest))}`;
    const wrong = await patch(location, 0, randomBytes(1000, 4), { "upload-checksum": good });
    expect(wrong.status).toBe(460);
    expect((await head(location)).headers.get("upload-offset")).toBe("0");
    await expectProblem(await patch(location, 0, bytes, { "upload-checksum": `md5 ${btoa("x")}` }), 400);
    const right = await patch(location, 0, bytes, { "upload-checksum": good });
    expect(right.status).toBe(204);
    expect(right.headers.get("upload-offset")).toBe("1000");
  });

  it("refuses what the spec refuses: wrong offset 409, wrong type 415, no Tus-Resumable 412, too large 413, others' uploads 404", async () => {
    const location = await create(10, "ten.bin");
    await expectProblem(await patch(location, 3, randomBytes(2)), 409, "offset_mismatch");
    const noType = await call(location, {
      method: "PATCH",
      token: user.accessToken,
      headers: { ...TUS, "content-type": "application/octet-stream", "upload-offset": "0" },
      body: randomBytes(2),
    });
    await expectProblem(noType, 415);
    const noVersion = await call(location, { method: "HEAD", token: user.accessToken });
    expect(noVersion.status).toBe(412);
    expect(noVersion.headers.get("tus-version")).toBe("1.0.0");
    await expectProblem(await patch(location, 0, randomBytes(11)), 400, "upload_length_exceeded");
    const huge = await call("/api/v1/tus", {
      method: "POST",
      token: user.accessToken,
      headers: { ...TUS, "upload-length": String(10 * 1024 ** 4), "upload-metadata": `filename ${b64("x")}` },
    });
    await expectProblem(huge, 413);
    const other = await newUser();
    expect((await call(location, { method: "HEAD", token: other.accessToken, headers: TUS })).status).toBe(
      404,
    );
    expect((await call(location, { method: "HEAD", headers: TUS })).status).toBe(401);
  });

  it("termination drops the upload", async () => {
    const location = await create(100, "gone.bin");
    expect((await patch(location, 0, randomBytes(40))).status).toBe(204);
    const del = await call(location, { method: "DELETE", token: user.accessToken, headers: TUS });
    expect(del.status).toBe(204);
    expect((await head(location)).status).toBe(404);
    await expectProblem(await patch(location, 40, randomBytes(10)), 404);
  });
});
