import type { Db } from "../db/client";
import { ApiError } from "../errors";
import { blobObjectKey } from "./blob-store";
import { contentDisposition } from "./names";

export type ByteRange = { start: number; end: number };

/**
 * RFC 9110 Range for one range: `bytes=a-b`, `bytes=a-` (open), `bytes=-n` (suffix). Multiple ranges
 * or syntax we don't understand are ignored (full answer, as the RFC allows); a range that can't be
 * satisfied is "unsatisfiable" (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | null {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === "" && b === "") return null;
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  if (b !== "" && Number(b) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: b === "" ? size - 1 : Math.min(Number(b), size - 1) };
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/** Types a browser may render inline from our origin; everything else is an attachment. */
const INLINE = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/bmp",
  "image/x-icon",
]);

export interface Servable {
  sha256: string;
  size: number;
  mime: string;
  name: string;
}

/**
 * The bytes of a blob with ETag (the SHA-256), If-None-Match → 304, Range → 206/416, a safe
 * Content-Disposition, and `Content-Security-Policy: sandbox` so nothing served here can run script
 * on our origin (SVG above all).
 */
export async function serveBlob(
  db: Db,
  bucket: R2Bucket,
  file: Servable,
  request: { range?: string; ifNoneMatch?: string; download?: boolean; cache?: string },
): Promise<Response> {
  const etag = `"${file.sha256}"`;
  const headers = new Headers({
    ETag: etag,
    "Accept-Ranges": "bytes",
    "Cache-Control": request.cache ?? "private, no-cache",
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": contentDisposition(
      !request.download && INLINE.has(file.mime) ? "inline" : "attachment",
      file.name,
    ),
  });
  if (etagMatches(request.ifNoneMatch, etag)) return new Response(null, { status: 304, headers });
  const range = parseRange(request.range, file.size);
  if (range === "unsatisfiable") {
    throw new ApiError(
      416,
      "range_not_satisfiable",
      `The file is ${file.size} bytes; that range is outside it.`,
      {
        headers: { "Content-Range": `bytes */${file.size}`, "Accept-Ranges": "bytes" },
      },
    );
  }
  const key = await blobObjectKey(db, file.sha256);
  const object =
    key &&
    (await bucket.get(
      key,
      range ? { range: { offset: range.start, length: range.end - range.start + 1 } } : undefined,
    ));
  if (!object) throw new ApiError(404, "content_missing", "The file's bytes are missing from storage.");
  headers.set("Content-Type", file.mime);
  if (range) {
    headers.set("Content-Range", `bytes ${range.start}-${range.end}/${file.size}`);
    headers.set("Content-Length", String(range.end - range.start + 1));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(file.size));
  return new Response(object.body, { status: 200, headers });
}
