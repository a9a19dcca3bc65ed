import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { notFound } from "../../errors";
import { mediaConfig } from "../../media/config";
import {
  byteCount,
  checkTusResumable,
  formatMetadata,
  httpDate,
  OFFSET_CONTENT_TYPE,
  parseChecksum,
  parseMetadata,
  tusCapabilities,
  tusError,
  tusHeaders,
} from "../../media/tus/protocol";
import { appended, createTusUpload, tusUpload } from "../../media/tus/service";
import { caller } from "../../policy";
import type * as routes from "./tus.routes";

const deps = (c: Context<AppEnv>) => ({
  db: getDb(c.env.DB),
  bucket: c.env.MEDIA,
  uploads: c.env.TUS_UPLOADS,
  now: c.var.clock(),
  ttlSeconds: mediaConfig(c.env).uploadTtlSeconds,
  maxBytes: mediaConfig(c.env).maxMultipartBytes,
});

/** A body of tus bytes, or null; any other content type is a 415 (creation-with-upload, PATCH). */
function offsetBody(c: Context<AppEnv>, required: boolean): ReadableStream<Uint8Array> | null {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const length = c.req.header("content-length");
  const empty = length === "0" || (length === undefined && c.req.header("transfer-encoding") === undefined);
  if (!required && empty) return null;
  if (type === OFFSET_CONTENT_TYPE) return c.req.raw.body;
  throw tusError(415, "unsupported_media_type", `Send the bytes as ${OFFSET_CONTENT_TYPE}.`);
}

/** On the last byte: the new file, and what happened to its name if it was taken. */
const finished = (p: { media: { id: string } | null; conflict?: { resolution: string } | null }) => ({
  ...(p.media ? { "Edgecraft-Media-Id": p.media.id } : {}),
  ...(p.conflict ? { "Edgecraft-Conflict": p.conflict.resolution } : {}),
});

export const tusOptionsHandler: RouteHandler<typeof routes.tusOptions, AppEnv> = (c) =>
  c.body(null, 204, tusCapabilities(mediaConfig(c.env).maxMultipartBytes));

export const tusCreateHandler: RouteHandler<typeof routes.tusCreate, AppEnv> = async (c) => {
  checkTusResumable(c.req.header("tus-resumable"));
  if (c.req.header("upload-defer-length") !== undefined)
    throw tusError(
      400,
      "defer_length_unsupported",
      "Upload-Defer-Length is not supported; send Upload-Length.",
    );
  const length = byteCount("Upload-Length", c.req.header("upload-length"));
  const metadata = parseMetadata(c.req.header("upload-metadata"));
  const body = offsetBody(c, false);
  const created = await createTusUpload(deps(c), caller(c).userId, { length, metadata, body });
  return c.body(null, 201, {
    ...tusHeaders({ Location: `/api/v1/tus/${created.id}`, "Upload-Expires": httpDate(created.expiresAt) }),
    ...(body ? { "Upload-Offset": String(created.offset) } : {}),
    ...finished(created),
  });
};

export const tusStatusHandler: RouteHandler<typeof routes.tusStatus, AppEnv> = async (c) => {
  checkTusResumable(c.req.header("tus-resumable"));
  const state = await tusUpload(deps(c), c.req.valid("param").id).status(caller(c).userId);
  if (!state) throw notFound("upload");
  return c.body(null, 200, {
    ...tusHeaders({
      "Upload-Offset": String(state.offset),
      "Upload-Length": String(state.length),
      "Upload-Expires": httpDate(state.expiresAt),
    }),
    ...(Object.keys(state.metadata).length ? { "Upload-Metadata": formatMetadata(state.metadata) } : {}),
    ...(state.mediaId ? { "Edgecraft-Media-Id": state.mediaId } : {}),
  });
};

export const tusAppendHandler: RouteHandler<typeof routes.tusAppend, AppEnv> = async (c) => {
  checkTusResumable(c.req.header("tus-resumable"));
  const body = offsetBody(c, true);
  const offset = byteCount("Upload-Offset", c.req.header("upload-offset"));
  const checksum = parseChecksum(c.req.header("upload-checksum"));
  const stub = tusUpload(deps(c), c.req.valid("param").id);
  const progress = appended(await stub.append(caller(c).userId, offset, body, checksum));
  return c.body(null, 204, {
    ...tusHeaders({
      "Upload-Offset": String(progress.offset),
      "Upload-Expires": httpDate(progress.expiresAt),
    }),
    ...finished(progress),
  });
};

export const tusTerminateHandler: RouteHandler<typeof routes.tusTerminate, AppEnv> = async (c) => {
  checkTusResumable(c.req.header("tus-resumable"));
  if (!(await tusUpload(deps(c), c.req.valid("param").id).terminate(caller(c).userId)))
    throw notFound("upload");
  return c.body(null, 204, tusHeaders());
};
