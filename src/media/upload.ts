import type { IdempotencyHandle } from "../app-env";
import type { Db } from "../db/client";
import { ApiError } from "../errors";
import { BlobWriter, type StoredBlob } from "./blob-store";
import { type Committed, commitUpload } from "./commit";
import { type OnConflict, parseOnConflict } from "./conflicts";
import { boundaryOf, type PartSink, parseMultipart } from "./form-parser";
import { type Inspected, Inspector, inspectedFields } from "./ingest";
import { normalizeFileName, normalizeFolder, normalizeTags } from "./names";
import { quotaLeft } from "./quota";

/** Slack on top of the file limit for the multipart envelope (boundaries, small fields). */
const FORM_OVERHEAD = 64 * 1024;
const MAX_FIELD_BYTES = 4096;

export interface UploadDeps {
  db: Db;
  bucket: R2Bucket;
  now: Date;
  idempotency: IdempotencyHandle | null;
}

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
  allowUnknown: boolean;
}

/**
 * `POST /media`: streams the `file` part through the inspector (type, size, header checks, SHA-256)
 * into R2, claims an Idempotency-Key by what was sent (file hash and fields), then commits row +
 * quota + blob reference + outbox in one batch. The bytes go to an object of their own; when the
 * content was already stored, the blob keeps its object and this one is dropped. On any failure
 * nothing stays behind: the R2 multipart upload is aborted, or the object written is deleted.
 */
export async function receiveUpload(
  deps: UploadDeps,
  input: {
    ownerId: string;
    body: ReadableStream<Uint8Array> | null;
    contentType: string | undefined;
    contentLength: number | null;
    limits: UploadLimits;
    /** From the query string; a form field `onConflict` is read when this is absent. */
    onConflict?: OnConflict;
  },
): Promise<Committed> {
  const boundary = boundaryOf(input.contentType);
  if (input.contentLength !== null && input.contentLength > input.limits.maxBytes + FORM_OVERHEAD)
    throw new ApiError(
      413,
      "file_too_large",
      `Files above ${input.limits.maxBytes} bytes must use a resumable upload (POST /media/uploads).`,
    );
  if (!input.body) throw new ApiError(422, "file_required", "The form has no `file` field.");
  const left = await quotaLeft(deps.db, input.ownerId, deps.now);

  const writer = new BlobWriter(deps.bucket);
  const fields: Record<string, string> = {};
  // Set by the part callbacks, which control-flow analysis does not follow: typed, not narrowed to null.
  let fileName = null as string | null;
  let inspected: Inspected | null = null;
  let fileSeen = false;
  let folder = "/";
  let tags: string[] = [];
  let onConflict: OnConflict = "rename";

  try {
    await parseMultipart(
      input.body,
      boundary,
      (info): PartSink => {
        if (info.filename !== null || info.name === "file") {
          if (info.name !== "file")
            throw new ApiError(
              422,
              "unexpected_file",
              `Send the file in the \`file\` field, not \`${info.name}\`.`,
            );
          if (fileSeen) throw new ApiError(422, "too_many_files", "Send one file per request.");
          fileSeen = true;
          fileName = normalizeFileName(info.filename ?? "", "file");
          const inspector = new Inspector(
            fileName,
            { ...input.limits, quotaBytesLeft: left.bytes },
            { write: (chunk) => writer.write(chunk) },
          );
          return {
            write: (chunk) => inspector.write(chunk),
            close: async () => {
              inspected = await inspector.close();
            },
          };
        }
        const name = info.name;
        const parts: string[] = [];
        let size = 0;
        const decoder = new TextDecoder();
        return {
          write: (chunk) => {
            size += chunk.length;
            if (size > MAX_FIELD_BYTES)
              throw new ApiError(422, "field_too_long", `The \`${name}\` field is too long.`);
            parts.push(decoder.decode(chunk, { stream: true }));
          },
          close: () => {
            fields[name] = parts.join("") + decoder.decode();
          },
        };
      },
      { maxBytes: input.limits.maxBytes + FORM_OVERHEAD },
    );
    if (!fileSeen || !inspected) throw new ApiError(422, "file_required", "The form has no `file` field.");
    if (fields.name !== undefined && fields.name.trim() !== "")
      fileName = normalizeFileName(fields.name, "name");
    folder = normalizeFolder(fields.folder ?? "/");
    tags = normalizeTags(fields.tags ?? "");
    onConflict = input.onConflict ?? parseOnConflict(fields.onConflict);
    // Two sends of the same file frame it differently; what they mean is the bytes and the fields.
    await deps.idempotency?.claimForBody(
      JSON.stringify([(inspected as Inspected).sha256, fileName, folder, tags, onConflict]),
    );
  } catch (error) {
    await writer.abort();
    throw error;
  }

  const file = inspected as Inspected;

  let stored: StoredBlob;
  try {
    stored = await writer.finish(file.sha256);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return commitUpload(
    deps,
    {
      ownerId: input.ownerId,
      // Set with the file part, which the form has (checked above).
      name: fileName!,
      folder,
      tags,
      ...inspectedFields(file),
      objectKey: stored.key,
    },
    onConflict,
  );
}
