import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { getConfig } from "../../config";
import { type Db, getDb } from "../../db/client";
import * as bulk from "../../media/bulk";
import { cached } from "../../media/cache";
import { mediaConfig } from "../../media/config";
import * as folders from "../../media/folders";
import { isRenderable } from "../../media/images/sources";
import * as library from "../../media/library";
import { normalizeFileName, normalizeFolder, normalizeTags } from "../../media/names";
import * as queries from "../../media/queries";
import * as resumable from "../../media/resumable";
import { serveBlob } from "../../media/serve";
import * as shareService from "../../media/shares";
import { generateThumbnail, thumbnailResponse } from "../../media/thumbnails";
import { receiveUpload } from "../../media/upload";
import { takeToken } from "../../middleware/rate-limit";
import { organizeNewUpload } from "../../organize/service";
import { caller } from "../../policy";
import type * as routes from "./media.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

const contentLength = (c: Context<AppEnv>) => {
  const raw = c.req.header("content-length");
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
};

/**
 * A read of the caller's library through the KV cache (src/media/cache.ts): `Cache-Control:
 * no-cache` skips a cached answer, and `X-Cache` tells which it was.
 */
async function cachedRead<T>(
  c: Context<AppEnv>,
  kind: "list" | "stats" | "folders",
  query: unknown,
  read: (db: Db, userId: string) => Promise<T>,
): Promise<T> {
  const { userId } = caller(c);
  const db = getDb(c.env.DB);
  const bypass = /no-cache|no-store/i.test(c.req.header("cache-control") ?? "");
  const result = await cached(
    c.env.CACHE,
    db,
    { userId, kind, query, ttl: mediaConfig(c.env).cacheTtlSeconds, bypass },
    () => read(db, userId),
  );
  c.header("X-Cache", result.hit ? "HIT" : "MISS");
  return result.value;
}

export const uploadMediaHandler: H<typeof routes.uploadMedia> = async (c) => {
  const { userId } = caller(c);
  const config = mediaConfig(c.env);
  const row = await receiveUpload(
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
    },
  );
  if (isRenderable(row)) c.executionCtx.waitUntil(scheduleThumbnail(c, row.sha256));
  c.executionCtx.waitUntil(
    organizeNewUpload(c.env, row, c.var.clock(), async () => {
      const taken = await takeToken(c.env, "organize-user", row.ownerId);
      return taken?.result.allowed ?? true;
    }),
  );
  c.header("Location", `/api/v1/media/${row.id}`);
  return c.json({ media: library.toPublic(row) }, 201);
};

/** Thumbnails are made after the answer is sent; the cron retries any that are still pending. */
async function scheduleThumbnail(c: Context<AppEnv>, sha256: string) {
  await generateThumbnail(getDb(c.env.DB), c.env.MEDIA, sha256).catch(() => {});
}

export const listMediaHandler: H<typeof routes.listMedia> = async (c) => {
  const query = c.req.valid("query");
  const folder = query.folder !== undefined ? normalizeFolder(query.folder) : undefined;
  const tag = query.tag !== undefined ? normalizeTags([query.tag])[0] : undefined;
  const normalized = { ...query, folder, tag };
  const page = await cachedRead(c, "list", normalized, (db, userId) =>
    queries.listMedia(db, userId, normalized),
  );
  return c.json(page, 200);
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
  return c.json({ media: library.toPublic(row) }, 200);
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
      actorId: userId,
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

export const createShareHandler: H<typeof routes.createShare> = async (c) => {
  const { share, token } = await shareService.createShare(
    getDb(c.env.DB),
    c.env.AUTH_SECRET,
    caller(c).userId,
    c.req.valid("param").id,
    c.req.valid("json").expiresInSeconds,
    c.var.clock(),
  );
  return c.json({ share: shareService.publicShare(share, token, getConfig(c.env).appOrigin) }, 201);
};

export const listSharesHandler: H<typeof routes.listShares> = async (c) => {
  const page = await shareService.listShares(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("param").id,
    c.req.valid("query"),
  );
  const origin = getConfig(c.env).appOrigin;
  return c.json(
    { items: page.items.map((r) => shareService.publicShare(r, null, origin)), nextCursor: page.nextCursor },
    200,
  );
};

export const revokeShareHandler: H<typeof routes.revokeShare> = async (c) => {
  const { id, shareId } = c.req.valid("param");
  await shareService.revokeShare(getDb(c.env.DB), caller(c).userId, id, shareId, c.var.clock());
  return c.body(null, 204);
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
  const row = await resumable.completeUpload(
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
  if (isRenderable(row)) c.executionCtx.waitUntil(scheduleThumbnail(c, row.sha256));
  return c.json({ media: library.toPublic(row) }, 201);
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

export const folderTreeHandler: H<typeof routes.folderTree> = async (c) => {
  return c.json({ root: await cachedRead(c, "folders", null, folders.folderTree) }, 200);
};

export const moveFolderHandler: H<typeof routes.moveFolder> = async (c) => {
  const body = c.req.valid("json");
  const from = normalizeFolder(body.from, "from");
  const to = normalizeFolder(body.to, "to");
  const moved = await folders.moveFolder(getDb(c.env.DB), caller(c).userId, from, to, c.var.clock());
  return c.json({ moved, from, to }, 200);
};
