import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { StorageError, type StorageProvider } from "../../src/storage/provider";
import { r2Provider } from "../../src/storage/r2";
import { freshPrefix, inParallel, testBucket } from "./helpers";

/**
 * One contract, two providers: R2 through the binding and a real S3-compatible server over HTTP
 * with SigV4 (test/servers/s3-server.ts). Keys with spaces, unicode and URL-special characters go
 * in and come back byte for byte; listing pages through more than 1,000 keys.
 */
const providers: [string, (prefix: string) => StorageProvider][] = [
  ["r2", (prefix) => r2Provider(env.MEDIA, `provider-test/${prefix}`)],
  ["s3", (prefix) => testBucket(prefix)],
];

const ODD_KEYS = [
  "a b/ü ñ (1).txt",
  "日本語/写真 01.jpg",
  "plus+and%percent/x?y#z.txt",
  "quotes'and\"amp&<lt>.txt",
  "emoji/🙂 smile.png",
];

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

async function listAll(p: StorageProvider, prefix: string, limit?: number) {
  const keys: string[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await p.list(prefix, { cursor, limit });
    keys.push(...page.items.map((i) => i.key));
    pages.push(page.items.length);
    cursor = page.cursor;
  } while (cursor);
  return { keys, pages };
}

describe.each(providers)("%s provider", (_kind, make) => {
  it("round-trips keys with spaces, unicode and URL-special characters (put, list, head, get, copy, delete)", async () => {
    const p = make(freshPrefix("odd"));
    for (const key of ODD_KEYS)
      await p.put(key, bytes(`body of ${key}`), { size: bytes(`body of ${key}`).length });
    const { keys } = await listAll(p, "");
    expect(keys).toEqual([...ODD_KEYS].sort());
    for (const key of ODD_KEYS) {
      const head = await p.head(key);
      expect(head).toMatchObject({ key, size: bytes(`body of ${key}`).length });
      expect(head!.etag).not.toMatch(/"/);
      const got = await p.get(key);
      expect(await text(got!.body)).toBe(`body of ${key}`);
    }
    await p.copy(ODD_KEYS[0]!, `copied/${ODD_KEYS[1]}`);
    expect(await text((await p.get(`copied/${ODD_KEYS[1]}`))!.body)).toBe(`body of ${ODD_KEYS[0]}`);
    await p.delete(ODD_KEYS[0]!);
    expect(await p.head(ODD_KEYS[0]!)).toBeNull();
    expect(await p.get(ODD_KEYS[0]!)).toBeNull();
    // Deleting what is not there is not an error.
    await p.delete(ODD_KEYS[0]!);
    // Small pages carry a cursor from one to the next.
    const paged = await listAll(p, "", 2);
    expect(paged.pages).toEqual([2, 2, 1]);
    expect(paged.keys).toEqual(
      keys
        .filter((k) => k !== ODD_KEYS[0])
        .concat(`copied/${ODD_KEYS[1]}`)
        .sort(),
    );
    // Listing by a sub-prefix sees only that prefix.
    expect((await listAll(p, "日本語/")).keys).toEqual(["日本語/写真 01.jpg"]);
  });

  it("streams a put of a known length", async () => {
    const p = make(freshPrefix("stream"));
    const payload = new Uint8Array(300_000).map((_, i) => i % 251);
    const stream = new Blob([payload]).stream();
    await p.put("big.bin", stream, { size: payload.length, contentType: "application/octet-stream" });
    const got = await p.get("big.bin");
    expect(got!.size).toBe(payload.length);
    expect(new Uint8Array(await new Response(got!.body).arrayBuffer())).toEqual(payload);
  });
});

// Over the S3 API only: seeding 1,203 keys into local R2 takes ~20 s, and R2's cursor is the binding's.
describe("listing over 1,000 keys", () => {
  it("s3 pages with continuation tokens: 1,000 then the rest, every key once, in order", async () => {
    const p = testBucket(freshPrefix("many"));
    const names = Array.from({ length: 1_203 }, (_, i) => `k ${String(i).padStart(5, "0")} é.txt`);
    await inParallel(names, 12, (name) => p.put(name, bytes("x"), { size: 1 }));
    const { keys, pages } = await listAll(p, "");
    expect(pages).toEqual([1000, 203]);
    expect(keys).toEqual(names);
    // A smaller page size is honoured too.
    expect((await listAll(p, "", 500)).pages).toEqual([500, 500, 203]);
  });
});

describe("s3 provider errors", () => {
  it("a wrong secret is an auth error, an unknown bucket not_found, a closed port unreachable", async () => {
    const wrong = testBucket("x/", "not-the-secret");
    await expect(wrong.list("")).rejects.toMatchObject({ reason: "auth", status: 403 });
    await expect(wrong.put("k", bytes("x"), { size: 1 })).rejects.toBeInstanceOf(StorageError);
    expect((await testBucket("x/").list("")).items).toEqual([]);

    const { s3Provider } = await import("../../src/storage/s3");
    const settings = {
      endpoint: env.TEST_S3_ENDPOINT,
      region: "us-east-1",
      bucket: "no-such-bucket",
      prefix: "",
      accessKeyId: env.TEST_S3_ACCESS_KEY_ID,
      secretAccessKey: env.TEST_S3_SECRET_ACCESS_KEY,
    };
    await expect(s3Provider(settings).list("")).rejects.toMatchObject({ reason: "not_found", status: 404 });
    await expect(
      s3Provider({ ...settings, endpoint: "http://127.0.0.1:9" }, { timeoutMs: 3000 }).list(""),
    ).rejects.toMatchObject({ reason: "unreachable" });
  });
});
