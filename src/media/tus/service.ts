import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Db } from "../../db/client";
import type { AppendResult, TusState } from "../../durable/tus-upload";
import { ApiError } from "../../errors";
import { parseOnConflict } from "../conflicts";
import { normalizeFolder } from "../names";
import { createUpload } from "../resumable";
import { tusError, tusHeaders } from "./protocol";

export interface TusDeps {
  db: Db;
  bucket: R2Bucket;
  uploads: DurableObjectNamespace<import("../../durable/tus-upload").TusUpload>;
  now: Date;
  ttlSeconds: number;
  maxBytes: number;
}

export const tusUpload = (deps: Pick<TusDeps, "uploads">, id: string) =>
  deps.uploads.get(deps.uploads.idFromName(id));

/** The DO's refusal as the API's problem (tus headers on it), or its progress. */
export function appended(result: AppendResult): Exclude<AppendResult, { refused: unknown }> {
  if ("refused" in result) {
    const { status, code, detail } = result.refused;
    throw new ApiError(status as ContentfulStatusCode, code, detail, { headers: tusHeaders() });
  }
  return result;
}

/**
 * tus creation: a media upload (R2 multipart, the open-upload cap and quota check of the multipart
 * API) and its Durable Object; with creation-with-upload, the request's bytes are appended at 0.
 */
export async function createTusUpload(
  deps: TusDeps,
  ownerId: string,
  input: { length: number; metadata: Record<string, string>; body: ReadableStream<Uint8Array> | null },
): Promise<{ id: string } & Exclude<AppendResult, { refused: unknown }>> {
  if (input.length > deps.maxBytes)
    throw tusError(413, "file_too_large", `Uploads are limited to ${deps.maxBytes} bytes (Tus-Max-Size).`);
  if (input.length === 0) throw tusError(400, "empty_upload", "Upload-Length must be at least 1.");
  const filename = input.metadata.filename;
  if (!filename)
    throw tusError(400, "invalid_tus_metadata", "Upload-Metadata must name the file (filename).");
  const row = await createUpload(
    deps.db,
    deps.bucket,
    ownerId,
    {
      name: filename,
      folder: normalizeFolder(input.metadata.folder ?? "/"),
      // As the upload form's field: what to do when the name is taken in the folder.
      onConflict: parseOnConflict(input.metadata.onConflict),
    },
    deps.now,
    deps.ttlSeconds,
  );
  const state: TusState = {
    uploadId: row.id,
    ownerId,
    length: input.length,
    metadata: input.metadata,
    expiresAt: row.expiresAt,
    offset: 0,
    parts: 0,
    tailChunks: 0,
    mediaId: null,
  };
  const stub = tusUpload(deps, row.id);
  await stub.start(state);
  if (!input.body) return { id: row.id, offset: 0, expiresAt: row.expiresAt, media: null, conflict: null };
  const progress = appended(await stub.append(ownerId, 0, input.body, null));
  return { id: row.id, ...progress };
}
