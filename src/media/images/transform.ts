import type { Db } from "../../db/client";
import { ApiError } from "../../errors";
import { base64url, sha256Hex } from "../../lib/crypto";
import { FORMAT_MIME, type OutputFormat } from "../../wasm/codecs";
import { blobObjectKey, derivedKey } from "../blob-store";
import { contentDisposition } from "../names";
import { type Fit, layout, render, sourceInfo } from "./pipeline";
import { DECODE_MAX_PIXELS, isRenderable, SVG } from "./sources";

/**
 * Image transformations by URL (`?w=&h=&fit=&format=&q=`): the parameters are made canonical, the
 * output is cached in R2 at `derived/<sha256>/<variant>` (variant = hash of source SHA-256 +
 * canonical parameters) and served with that variant as ETag, so a repeat costs one R2 read and a
 * revalidation none. Caps: the source must be decodable (DECODE_MAX_PIXELS), the scaled image at
 * most MAX_OUTPUT_PIXELS and each side MAX_SIDE, the encoded output at most MAX_OUTPUT_BYTES.
 */
export const MAX_SIDE = 4096;
export const MAX_OUTPUT_PIXELS = 8_388_608;
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Bumped when the output of the same parameters changes (codec settings), so old cache entries go unused. */
const PIPELINE_VERSION = 1;

export const DEFAULT_QUALITY: Record<OutputFormat, number> = { webp: 80, jpeg: 80, avif: 50, png: 100 };

export interface TransformParams {
  w?: number;
  h?: number;
  fit: Fit;
  format: OutputFormat;
  q?: number;
}

export interface Canonical extends TransformParams {
  quality: number;
  /** The parameters as one string, in a fixed order with defaults filled in. */
  key: string;
}

export function canonical(params: TransformParams): Canonical {
  const quality = params.format === "png" ? 100 : (params.q ?? DEFAULT_QUALITY[params.format]);
  const key = `v${PIPELINE_VERSION};w=${params.w ?? ""};h=${params.h ?? ""};fit=${params.fit};f=${params.format};q=${quality}`;
  return { ...params, quality, key };
}

/** A share link's signature over one variant: links carry only the variants their owner signed. */
export async function signVariant(secret: string, shareId: string, key: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(`edgecraft/share-image/v1:${secret}`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    ),
    new TextEncoder().encode(`${shareId}|${key}`),
  );
  return base64url(new Uint8Array(mac)).slice(0, 22);
}

/** The query string of a variant, as `canonical` reads it back. */
export function variantQuery(params: TransformParams): string {
  const q = new URLSearchParams();
  if (params.w !== undefined) q.set("w", String(params.w));
  if (params.h !== undefined) q.set("h", String(params.h));
  q.set("fit", params.fit);
  q.set("format", params.format);
  if (params.q !== undefined) q.set("q", String(params.q));
  return q.toString();
}

export interface Source {
  sha256: string;
  mime: string;
  name: string;
  width: number | null;
  height: number | null;
}

const notTransformable = (source: Source) =>
  source.mime === SVG || ["image/png", "image/jpeg", "image/webp"].includes(source.mime)
    ? new ApiError(
        413,
        "source_too_large",
        `The image is ${source.width}×${source.height}; transformations read images up to ${DECODE_MAX_PIXELS / 1e6} megapixels.`,
      )
    : new ApiError(
        415,
        "not_transformable",
        `Transformations work on PNG, JPEG, WebP and SVG images; this file is ${source.mime}.`,
      );

const tooLarge = (width: number, height: number) =>
  new ApiError(
    422,
    "output_too_large",
    `The result would be ${width}×${height} px; the limit is ${MAX_SIDE} px a side and ${MAX_OUTPUT_PIXELS / 2 ** 20} megapixels.`,
  );

function etagMatches(header: string | undefined, etag: string): boolean {
  return !!header && header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

export interface TransformAnswer {
  response: Response;
  cache: "HIT" | "MISS" | "REVALIDATED";
}

/** Renders the variant; an unreadable image is a 422, a result over the size limits too. */
async function renderVariant(
  mime: string,
  bytes: Uint8Array,
  variant: ReturnType<typeof canonical>,
): Promise<Uint8Array> {
  try {
    const info = await sourceInfo(mime, bytes);
    const plan = layout(info.size, { width: variant.w, height: variant.h, fit: variant.fit });
    for (const s of [plan.scaled, plan.output])
      if (s.width > MAX_SIDE || s.height > MAX_SIDE || s.width * s.height > MAX_OUTPUT_PIXELS)
        throw tooLarge(s.width, s.height);
    return await render({
      mime,
      bytes,
      source: info,
      layout: plan,
      format: variant.format,
      quality: variant.quality,
    });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(422, "invalid_image", `The image could not be read: ${String(error)}`);
  }
}

/** The transformed image of `source` (cached), or a 4xx problem for what can't or mustn't be made. */
export async function transformImage(
  db: Db,
  bucket: R2Bucket,
  source: Source,
  params: TransformParams,
  request: { ifNoneMatch?: string; cacheControl: string },
): Promise<TransformAnswer> {
  if (!isRenderable(source)) throw notTransformable(source);
  const variant = canonical(params);
  if ((variant.w ?? 0) > MAX_SIDE || (variant.h ?? 0) > MAX_SIDE)
    throw tooLarge(variant.w ?? 0, variant.h ?? 0);
  const id = (await sha256Hex(`${source.sha256}|${variant.key}`)).slice(0, 40);
  const etag = `"${id}"`;
  const mime = FORMAT_MIME[variant.format];
  const base = source.name.replace(/\.[^.]*$/, "") || "image";
  const headers = new Headers({
    ETag: etag,
    "Cache-Control": request.cacheControl,
    "Content-Type": mime,
    "Content-Disposition": contentDisposition("inline", `${base}.${variant.format}`),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
  });
  if (etagMatches(request.ifNoneMatch, etag))
    return { response: new Response(null, { status: 304, headers }), cache: "REVALIDATED" };

  const key = derivedKey(source.sha256, id);
  const hit = await bucket.get(key);
  if (hit) {
    headers.set("Content-Length", String(hit.size));
    return { response: new Response(hit.body, { headers }), cache: "HIT" };
  }
  const stored = await blobObjectKey(db, source.sha256);
  const object = stored && (await bucket.get(stored));
  if (!object) throw new ApiError(404, "content_missing", "The file's bytes are missing from storage.");
  const output = await renderVariant(source.mime, new Uint8Array(await object.arrayBuffer()), variant);
  if (output.length > MAX_OUTPUT_BYTES)
    throw new ApiError(
      422,
      "output_too_large",
      `The result would be ${output.length} bytes; the limit is ${MAX_OUTPUT_BYTES}. Ask for a smaller size or a lossy format.`,
    );
  await bucket.put(key, output, { httpMetadata: { contentType: mime } });
  headers.set("Content-Length", String(output.length));
  return { response: new Response(output, { headers }), cache: "MISS" };
}
