import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import * as bulk from "../../media/bulk";
import { mediaConfig } from "../../media/config";
import { fingerprintBlob, wantsFingerprint } from "../../media/fingerprints/store";
import { isRenderable } from "../../media/images/sources";
import * as library from "../../media/library";
import { normalizeFileName, normalizeFolder, normalizeTags } from "../../media/names";
import * as queries from "../../media/queries";
import * as resumable from "../../media/resumable";
import { serveBlob } from "../../media/serve";
import { generateThumbnail, thumbnailResponse } from "../../media/thumbnails";
import { receiveUpload } from "../../media/upload";
import { takeToken } from "../../middleware/rate-limit";
import { organizeNewUpload } from "../../organize/service";
import { caller } from "../../policy";
import { auditContext } from "../audit-context";
import type * as routes from "./media.routes";
import { cachedRead } from "./read-cache";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

const contentLength = (c: Context<AppEnv>) => {
  const raw = c.req.header("content-length");
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
};

export const uploadMediaHandler: H<typeof routes.uploadMedia> = async (c) => {
  const { userId } = caller(c);
  const config = mediaConfig(c.env);
  const { row, conflict } = await receiveUpload(
    { db: getDb(c.env.DB), bucket: c.env.MEDIA, now: c.var.clock(), idempotency: c.var.idempotency },
    {
      ownerId: userId,
      body: c.req.raw.body,
      contentType: c.req.header("content-type"),
      contentLength: contentLength(c),
      limits: {
        maxBytes: config.maxUploadBytes,
        maxPixels: config.maxPixels,
        allowUnknown: config.allowUnknown,
      },
      onConflict: c.req.valid("query").onConflict,
    },
  );
  if (conflict?.resolution === "skipped") return c.json({ media: library.toPublic(row), conflict }, 200);
  if (isRenderable(row)) c.executionCtx.waitUntil(scheduleThumbnail(c, row.sha256));
  if (wantsFingerprint(row)) c.executionCtx.waitUntil(scheduleFingerprint(c, row.sha256));
  c.executionCtx.waitUntil(
    organizeNewUpload(c.env, row, c.var.clock(), async () => {
      const taken = await takeToken(c.env, "organize-user", row.ownerId);
      return taken?.result.allowed ?? true;
    }),
  );
  c.header("Location", `/api/v1/media/${row.id}`);
  return c.json({ media: library.toPublic(row), ...(conflict ? { conflict } : {}) }, 201);
};

/** Thumbnails are made after the answer is sent; the cron retries any that are still pending. */
async function scheduleThumbnail(c: Context<AppEnv>, sha256: string) {
  await generateThumbnail(getDb(c.env.DB), c.env.MEDIA, sha256).catch(() => {});
}

/** Image fingerprints (duplicate pictures, look-alikes) likewise; the cron retries pending ones. */
async function scheduleFingerprint(c: Context<AppEnv>, sha256: string) {
  await fingerprintBlob(getDb(c.env.DB), c.env.MEDIA, sha256).catch(() => {});
}

export const listMediaHandler: H<typeof routes.listMedia> = async (c) => {
  const query = c.req.valid("query");
  const folder = query.folder !== undefined ? normalizeFolder(query.folder) : undefined;
  const tag = query.tag !== undefined ? normalizeTags([query.tag])[0] : undefined;
  const normalized = { ...query, folder, tag };
  const page = await cachedRead(c, "list", normalized, (db, userId) =>
    queries.listMedia(db, userId, normalized),
  );
  const days = mediaConfig(c.env).trashRetentionDays;
  return c.json({ ...page, items: page.items.map((m) => library.withPurgeAt(m, days)) }, 200);
};

export const mediaStatsHandler: H<typeof routes.mediaStats> = async (c) => {
  return c.json(await cachedRead(c, "stats", null, queries.mediaStats), 200);
};

export const bulkMediaHandler: H<typeof routes.bulkMedia> = async (c) => {
  const { userId } = caller(c);
  const body = c.req.valid("json");
  const updated = await bulk.bulkChange(
    getDb(c.env.DB),
    userId,
    {
      ids: body.ids,
      action: body.action,
      folder: body.folder !== undefined ? normalizeFolder(body.folder) : undefined,
      tags: body.tags !== undefined ? normalizeTags(body.tags) : undefined,
    },
    c.var.clock(),
  );
  return c.json({ updated }, 200);
};

export const getMediaHandler: H<typeof routes.getMedia> = async (c) => {
  const row = await library.getOwned(getDb(c.env.DB), caller(c).userId, c.req.valid("param").id);
  return c.json(
    { media: library.withPurgeAt(library.toPublic(row), mediaConfig(c.env).trashRetentionDays) },
    200,
  );
};

export const patchMediaHandler: H<typeof routes.patchMedia> = async (c) => {
  const body = c.req.valid("json");
  const row = await library.updateMedia(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("param").id,
    {
      name: body.name !== undefined ? normalizeFileName(body.name) : undefined,
      folder: body.folder !== undefined ? normalizeFolder(body.folder) : undefined,
      tags: body.tags !== undefined ? normalizeTags(body.tags) : undefined,
    },
    c.var.clock(),
  );
  return c.json({ media: library.toPublic(row) }, 200);
};

export const deleteMediaHandler: H<typeof routes.deleteMedia> = async (c) => {
  const { userId } = caller(c);
  const { id } = c.req.valid("param");
  const db = getDb(c.env.DB);
  if (c.req.valid("query").purge === "true") {
    await library.getOwned(db, userId, id);
    await library.purgeMedia(db, c.env.MEDIA, userId, [id], c.var.clock(), {
      audit: auditContext(c),
      reason: "user",
    });
  } else {
    await library.setTrashed(db, userId, id, true, c.var.clock());
  }
  return c.body(null, 204);
};

export const restoreMediaHandler: H<typeof routes.restoreMedia> = async (c) => {
  const row = await library.setTrashed(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("param").id,
    false,
    c.var.clock(),
  );
  return c.json({ media: library.toPublic(row) }, 200);
};

export const mediaContentHandler: H<typeof routes.mediaContent> = async (c) => {
  const row = await library.getOwned(getDb(c.env.DB), caller(c).userId, c.req.valid("param").id);
  return serveBlob(getDb(c.env.DB), c.env.MEDIA, row, {
    range: c.req.header("range"),
    ifNoneMatch: c.req.header("if-none-match"),
    download: c.req.valid("query").download === "true",
  }) as never;
};

export const mediaThumbnailHandler: H<typeof routes.mediaThumbnail> = async (c) => {
  const db = getDb(c.env.DB);
  const row = await library.getOwned(db, caller(c).userId, c.req.valid("param").id);
  const { response, generate } = await thumbnailResponse(db, c.env.MEDIA, row, c.req.header("if-none-match"));
  if (generate) c.executionCtx.waitUntil(scheduleThumbnail(c, generate));
  return response as never;
};

export const createUploadHandler: H<typeof routes.createUpload> = async (c) => {
  const row = await resumable.createUpload(
    getDb(c.env.DB),
    c.env.MEDIA,
    caller(c).userId,
    c.req.valid("json"),
    c.var.clock(),
    mediaConfig(c.env).uploadTtlSeconds,
  );
  return c.json({ upload: resumable.publicUpload(row) }, 201);
};

export const uploadPartHandler: H<typeof routes.uploadPart> = async (c) => {
  const { id, partNumber } = c.req.valid("param");
  const part = await resumable.uploadPart(
    getDb(c.env.DB),
    c.env.MEDIA,
    caller(c).userId,
    {
      id,
      partNumber,
      body: c.req.raw.body,
      contentLength: contentLength(c),
      maxTotal: mediaConfig(c.env).maxMultipartBytes,
    },
    c.var.clock(),
  );
  return c.json(part, 200);
};

export const completeUploadHandler: H<typeof routes.completeUpload> = async (c) => {
  const config = mediaConfig(c.env);
  const { row, conflict } = await resumable.completeUpload(
    { db: getDb(c.env.DB), bucket: c.env.MEDIA, now: c.var.clock(), idempotency: c.var.idempotency },
    caller(c).userId,
    c.req.valid("param").id,
    {
      maxBytes: config.maxMultipartBytes,
      maxTotal: config.maxMultipartBytes,
      maxPixels: config.maxPixels,
      allowUnknown: config.allowUnknown,
    },
  );
  if (conflict?.resolution === "skipped") return c.json({ media: library.toPublic(row), conflict }, 200);
  if (isRenderable(row)) c.executionCtx.waitUntil(scheduleThumbnail(c, row.sha256));
  if (wantsFingerprint(row)) c.executionCtx.waitUntil(scheduleFingerprint(c, row.sha256));
  return c.json({ media: library.toPublic(row), ...(conflict ? { conflict } : {}) }, 201);
};

export const abortUploadHandler: H<typeof routes.abortUpload> = async (c) => {
  await resumable.abortUpload(
    getDb(c.env.DB),
    c.env.MEDIA,
    caller(c).userId,
    c.req.valid("param").id,
    c.var.clock(),
  );
  return c.body(null, 204);
};
