import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../../errors";

/**
 * tus 1.0 (https://tus.io/protocols/resumable-upload): the headers this server speaks and how it
 * reads the client's. Extensions: creation, creation-with-upload, termination, expiration and
 * checksum (sha256 only).
 */
export const TUS_VERSION = "1.0.0";
export const TUS_EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum";
export const TUS_CHECKSUM_ALGORITHMS = "sha256";
export const OFFSET_CONTENT_TYPE = "application/offset+octet-stream";
/** A PATCH with Upload-Checksum is verified before a byte of it is kept, so it is held in memory. */
export const MAX_CHECKSUMMED_PATCH_BYTES = 32 * 1024 * 1024;

/** What a browser on another origin (CORS_ORIGINS) sends and may read. */
export const TUS_REQUEST_HEADERS = [
  "Tus-Resumable",
  "Upload-Length",
  "Upload-Metadata",
  "Upload-Offset",
  "Upload-Checksum",
  "Upload-Defer-Length",
];
export const TUS_RESPONSE_HEADERS = [
  "Location",
  "Tus-Resumable",
  "Tus-Version",
  "Tus-Extension",
  "Tus-Max-Size",
  "Tus-Checksum-Algorithm",
  "Upload-Offset",
  "Upload-Length",
  "Upload-Metadata",
  "Upload-Expires",
  "Edgecraft-Media-Id",
  "Edgecraft-Conflict",
];

/** Headers every tus answer but OPTIONS carries. */
export const tusHeaders = (extra: Record<string, string> = {}) => ({
  "Tus-Resumable": TUS_VERSION,
  "Cache-Control": "no-store",
  ...extra,
});

/** What OPTIONS advertises. */
export const tusCapabilities = (maxSize: number) => ({
  "Tus-Resumable": TUS_VERSION,
  "Tus-Version": TUS_VERSION,
  "Tus-Extension": TUS_EXTENSIONS,
  "Tus-Max-Size": String(maxSize),
  "Tus-Checksum-Algorithm": TUS_CHECKSUM_ALGORITHMS,
});

const tusError = (status: ContentfulStatusCode, code: string, detail: string) =>
  new ApiError(status, code, detail, { headers: tusHeaders() });

/** A request that doesn't speak tus 1.0.0 is refused before anything is read (412, per the spec). */
export function checkTusResumable(header: string | undefined): void {
  if (header !== TUS_VERSION)
    throw new ApiError(412, "tus_version_unsupported", `Send Tus-Resumable: ${TUS_VERSION}.`, {
      headers: { "Tus-Version": TUS_VERSION },
    });
}

/** A non-negative integer header (Upload-Length, Upload-Offset). */
export function byteCount(name: string, value: string | undefined): number {
  if (value === undefined || !/^\d{1,16}$/.test(value))
    throw tusError(400, "invalid_tus_header", `${name} must be a non-negative integer.`);
  return Number(value);
}

/**
 * Upload-Metadata: `key base64value` pairs, comma-separated; a key may come without a value. Keys
 * are unique ASCII without spaces or commas; values are UTF-8.
 */
export function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const pair of header.split(",")) {
    const [key, value, extra] = pair.trim().split(" ");
    if (!key || extra !== undefined || !/^[\x21-\x7e]+$/.test(key) || key in out)
      throw tusError(400, "invalid_tus_metadata", "Upload-Metadata must be `key base64,key base64,…`.");
    try {
      const bytes = Uint8Array.from(atob(value ?? ""), (c) => c.charCodeAt(0));
      out[key] = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      throw tusError(400, "invalid_tus_metadata", `Upload-Metadata ${key} is not base64 of UTF-8 text.`);
    }
  }
  return out;
}

export function formatMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([k, v]) => `${k} ${btoa(String.fromCharCode(...new TextEncoder().encode(v)))}`)
    .join(",");
}

/** Upload-Checksum `sha256 <base64>` → the digest's bytes; other algorithms are a 400 (spec). */
export function parseChecksum(header: string | undefined): Uint8Array | null {
  if (header === undefined) return null;
  const [algorithm, digest] = header.trim().split(" ");
  if (algorithm !== "sha256")
    throw tusError(400, "checksum_algorithm_unsupported", "Upload-Checksum supports sha256 only.");
  try {
    const bytes = Uint8Array.from(atob(digest ?? ""), (c) => c.charCodeAt(0));
    if (bytes.length === 32) return bytes;
  } catch {}
  throw tusError(400, "invalid_tus_header", "Upload-Checksum must be `sha256 <base64 of 32 bytes>`.");
}

/** The HTTP date (RFC 9110 IMF-fixdate) Upload-Expires is written in. */
export const httpDate = (iso: string) => new Date(iso).toUTCString();

export { tusError };
