import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, type TestUser } from "../helpers/api";

export interface JobJson {
  id: string;
  type: string;
  status: string;
  attempts: number;
  input: Record<string, unknown>;
  progress: {
    stage: string;
    percent: number;
    done: number;
    total: number;
    unit?: string;
    bytesDone?: number;
    bytesTotal?: number;
  };
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

export interface FileJson {
  mediaId: string;
  originalPath: string;
  newPath: string | null;
  category: string;
  size: number;
  sha256: string;
  action: string;
  status: string;
  reason: string | null;
  duplicateOf: string | null;
  rule: string | null;
  tags: string[] | null;
  width: number | null;
  height: number | null;
}

export async function getJob(user: TestUser, id: string): Promise<JobJson> {
  const res = await call(`/api/v1/jobs/${id}`, { token: user.accessToken });
  expect(res.status).toBe(200);
  return ((await res.json()) as { job: JobJson }).job;
}

export async function waitFinal(user: TestUser, id: string, timeoutMs = 25_000): Promise<JobJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(user, id);
    if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} still ${job.status} (${JSON.stringify(job.progress)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function post(user: TestUser, path: string, json?: unknown) {
  return call(`/api/v1${path}`, { method: "POST", token: user.accessToken, json: json ?? {} });
}

export async function organize(user: TestUser, body: Record<string, unknown>): Promise<JobJson> {
  const res = await post(user, "/organize", body);
  const text = await res.text();
  expect(res.status, text).toBe(202);
  return waitFinal(user, (JSON.parse(text) as { job: JobJson }).job.id);
}

export async function followUp(user: TestUser, jobId: string, what: "apply" | "rollback"): Promise<JobJson> {
  const res = await post(user, `/jobs/${jobId}/${what}`);
  const text = await res.text();
  expect(res.status, text).toBe(202);
  return waitFinal(user, (JSON.parse(text) as { job: JobJson }).job.id);
}

export async function allFiles(user: TestUser, jobId: string, query = ""): Promise<FileJson[]> {
  const out: FileJson[] = [];
  let cursor: string | null = null;
  do {
    const res = await call(
      `/api/v1/jobs/${jobId}/files?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { token: user.accessToken },
    );
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: FileJson[]; nextCursor: string | null };
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export interface SeedFile {
  name: string;
  folder: string;
  mime: string;
  kind: string;
  size: number;
  sha256: string;
  createdAt: string;
  tags?: string[];
  width?: number;
  height?: number;
}

const hex = (n: number, width = 64) => n.toString(16).padStart(width, "0");

/**
 * A mixed library written straight into D1 (the organizer never reads bytes): several types, nested
 * folders, same names in different folders, and `groups` planted duplicate groups.
 */
export function mixedLibrary(count: number, groups: { copies: number }[] = []): SeedFile[] {
  const types = [
    ["photo", "png", "image/png", "image"],
    ["shot", "jpg", "image/jpeg", "image"],
    ["logo", "svg", "image/svg+xml", "image"],
    ["report", "pdf", "application/pdf", "document"],
    ["table", "csv", "text/csv", "text"],
    ["letter", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"],
    ["deck", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "document"],
    ["song", "mp3", "audio/mpeg", "audio"],
    ["clip", "mp4", "video/mp4", "video"],
    ["backup", "zip", "application/zip", "archive"],
    ["script", "ts", "text/plain", "text"],
    ["font", "ttf", "application/octet-stream", "other"],
    ["blob", "xyz", "application/octet-stream", "other"],
    ["notes", "txt", "text/plain", "text"],
  ] as const;
  const folders = ["/", "/inbox", "/projects/alpha", "/projects/beta", "/old/2019/stuff"];
  const files: SeedFile[] = [];
  let serial = 1;
  for (let i = 0; i < count; i++) {
    const [stem, ext, mime, kind] = types[i % types.length]!;
    const year = 2023 + (i % 3);
    const month = String(1 + (i % 12)).padStart(2, "0");
    files.push({
      // Same names recur across folders (and within one destination), so conflicts happen.
      name: `${stem}-${i % 7}.${ext}`,
      folder: folders[i % folders.length]!,
      mime,
      kind,
      size: 1000 + i,
      sha256: hex(serial++),
      createdAt: `${year}-${month}-${String(1 + (i % 28)).padStart(2, "0")}T10:00:${String(i % 60).padStart(2, "0")}.${String(i % 1000).padStart(3, "0")}Z`,
      tags: i % 4 === 0 ? ["work"] : [],
    });
  }
  groups.forEach((g, gi) => {
    const sha = hex(0xd0000 + gi);
    for (let c = 0; c < g.copies; c++) {
      files.push({
        name: c === 0 ? `dup-${gi}.png` : `copy ${c} of dup-${gi}.png`,
        folder: c === 0 ? "/inbox" : `/projects/deep/nest-${c}`,
        mime: "image/png",
        kind: "image",
        size: 50_000 + gi,
        sha256: sha,
        createdAt: `2024-0${1 + (c % 9)}-1${gi % 10}T00:00:00.000Z`,
      });
    }
  });
  return files;
}

/** Inserts media rows for a user directly (plus matching blob rows and quota), 50 per batch. */
export async function seed(userId: string, files: SeedFile[]): Promise<string[]> {
  const ids: string[] = [];
  const statements: D1PreparedStatement[] = [];
  for (const f of files) {
    const id = `med_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
    ids.push(id);
    statements.push(
      env.DB.prepare(
        `INSERT INTO media (id, owner_id, name, name_key, folder, mime, kind, size, sha256, width, height, tags, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        id,
        userId,
        f.name,
        f.name.toLowerCase(),
        f.folder,
        f.mime,
        f.kind,
        f.size,
        f.sha256,
        f.width ?? null,
        f.height ?? null,
        JSON.stringify(f.tags ?? []),
        f.createdAt,
        f.createdAt,
      ),
    );
  }
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
  return ids;
}

export interface Snapshot {
  path: string;
  sha256: string;
  trashed: boolean;
}

/** Every media row of a user: id → path, hash, trashed. */
export async function snapshot(userId: string): Promise<Map<string, Snapshot>> {
  const rows = await env.DB.prepare(
    "SELECT id, folder, name, sha256, trashed_at FROM media WHERE owner_id = ? ORDER BY id",
  )
    .bind(userId)
    .all<{ id: string; folder: string; name: string; sha256: string; trashed_at: string | null }>();
  return new Map(
    rows.results.map((r) => [
      r.id,
      {
        path: r.folder === "/" ? `/${r.name}` : `${r.folder}/${r.name}`,
        sha256: r.sha256,
        trashed: r.trashed_at !== null,
      },
    ]),
  );
}
