import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface BodyGuardOptions {
  /** Largest JSON body accepted, in bytes. */
  maxJsonBytes: number;
  /** Paths (matched by the predicate) that take other content types, e.g. multipart uploads. */
  allowsNonJson?: (path: string, method: string) => boolean;
}

/**
 * JSON endpoints refuse other content types (a CSRF defence as much as hygiene: a cross-site
 * HTML form cannot send application/json) and bodies above the limit, before any handler reads them.
 */
export function bodyGuard(options: BodyGuardOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!UNSAFE.has(c.req.method)) return next();
    const length = c.req.header("content-length");
    const hasBody =
      (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
    if (!hasBody) return next();
    if (options.allowsNonJson?.(c.req.path, c.req.method)) return next();
    if (!isJsonType(c.req.header("content-type"))) {
      throw new ApiError(415, "unsupported_media_type", "Send the body as application/json.");
    }
    if (await tooLarge(c.req.raw, length, options.maxJsonBytes)) {
      throw new ApiError(
        413,
        "payload_too_large",
        `JSON bodies are limited to ${options.maxJsonBytes} bytes.`,
      );
    }
    return next();
  });
}

/** application/json, or a JSON-based type (`application/problem+json`, …). */
function isJsonType(header: string | undefined): boolean {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9.+-]*\+json$/.test(type);
}

/**
 * Whether the body is over the limit: by its Content-Length, or — a chunked body has no length up
 * front — read with a cap from a copy, so the handler still gets the whole body.
 */
async function tooLarge(request: Request, length: string | undefined, limit: number): Promise<boolean> {
  if (length !== undefined) return Number(length) > limit;
  return exceeds(request.clone().body, limit);
}

/** Reads at most `limit + 1` bytes of a stream and says whether it is longer than `limit`. */
async function exceeds(body: ReadableStream<Uint8Array> | null, limit: number): Promise<boolean> {
  if (!body) return false;
  const reader = body.getReader();
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      seen += value.byteLength;
      if (seen > limit) return true;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
