import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { PublicMedia } from "../../src/media/library";
import { call, type TestUser } from "../helpers/api";

/** What the API answers for a media item: the server's own public shape. */
export type MediaJson = PublicMedia;

export type Bytes = Uint8Array | string;

export function form(file: Bytes, name: string, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  const bytes = typeof file === "string" ? new TextEncoder().encode(file) : file;
  data.append("file", new File([bytes], name));
  return data;
}

export function upload(
  user: TestUser,
  file: Bytes,
  name: string,
  fields: Record<string, string> = {},
  headers?: HeadersInit,
) {
  return call("/api/v1/media", {
    method: "POST",
    token: user.accessToken,
    body: form(file, name, fields),
    headers,
  });
}

export async function uploadOk(
  user: TestUser,
  file: Bytes,
  name: string,
  fields: Record<string, string> = {},
): Promise<MediaJson> {
  const res = await upload(user, file, name, fields);
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return (JSON.parse(text) as { media: MediaJson }).media;
}

export async function download(user: TestUser, id: string, headers?: HeadersInit) {
  return call(`/api/v1/media/${id}/content`, { token: user.accessToken, headers });
}

/**
 * A `randomBytes` seed no other test shares: test files share the bucket and database, so bytes a
 * test expects to be stored or purged alone must not be another test's too.
 */
export const freshSeed = () => crypto.getRandomValues(new Uint32Array(1))[0]! | 1;

/** Deterministic pseudo-random bytes (xorshift), fast enough for tens of megabytes. */
export function randomBytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, Math.floor(size / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < size; i++) out[i] = i & 255;
  return out;
}

export async function sha256(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function counts(userId: string) {
  const media = await env.DB.prepare("SELECT count(*) AS n FROM media WHERE owner_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  const user = await env.DB.prepare("SELECT used_bytes, used_files FROM users WHERE id = ?")
    .bind(userId)
    .first<{ used_bytes: number; used_files: number }>();
  return { rows: media?.n ?? 0, usedBytes: user?.used_bytes ?? 0, usedFiles: user?.used_files ?? 0 };
}

/** How many R2 objects hold these bytes (each write has an object of its own under `blobs/<sha256>`). */
export async function storedObjects(sha256: string): Promise<number> {
  return (await r2Keys(`blobs/${sha256}`)).length;
}

export async function r2Keys(prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.MEDIA.list({ prefix, cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/** A valid 1×1 PNG, and helpers to build hostile variants. */
export const TINY_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/+F9PQAJYwPUqXKrSgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

/** One page of the user's library for a query string (`folder=/a`, `trashed=true`, …). */
export async function list(user: TestUser, query: string): Promise<MediaJson[]> {
  const res = await call(`/api/v1/media?${query}`, { token: user.accessToken });
  expect(res.status).toBe(200);
  return (await res.json<{ items: MediaJson[] }>()).items;
}
