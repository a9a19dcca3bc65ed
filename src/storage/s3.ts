import { AwsClient } from "aws4fetch";
import {
  type ListPage,
  normalizeRoot,
  StorageError,
  type StorageProvider,
  type StoredObjectInfo,
  underRoot,
  withLength,
} from "./provider";

export interface S3Settings {
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3Options {
  fetch?: typeof fetch;
  /** How long one request may wait for an answer's headers. */
  timeoutMs?: number;
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const unescapeXml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) =>
    name.startsWith("#x") || name.startsWith("#X")
      ? String.fromCodePoint(Number.parseInt(name.slice(2), 16))
      : name.startsWith("#")
        ? String.fromCodePoint(Number(name.slice(1)))
        : (XML_ENTITIES[name] ?? whole),
  );
const tag = (xml: string, name: string) =>
  new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? null;
const stripQuotes = (etag: string) => etag.replace(/^"|"$/g, "");
/** A key as a URL path: each segment percent-encoded (spaces, unicode, `+`, `%`, `?`, `#`). */
const keyPath = (key: string) => key.split("/").map(encodeURIComponent).join("/");

/** The error an S3 answer means; S3 says why in `<Code>`. */
async function answerError(res: Response, what: string): Promise<StorageError> {
  const text = await res.text().catch(() => "");
  const code = tag(text, "Code") ?? `HTTP ${res.status}`;
  const message = tag(text, "Message");
  const detail = `${what}: ${code}${message ? ` (${unescapeXml(message)})` : ""}`;
  if (
    res.status === 403 &&
    ["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "RequestTimeTooSkewed"].includes(code)
  )
    return new StorageError("auth", detail, res.status);
  if (code === "NoSuchBucket") return new StorageError("not_found", detail, res.status);
  return new StorageError("failed", detail, res.status);
}

export function parseListV2(xml: string, root: string): ListPage {
  const items: StoredObjectInfo[] = [];
  for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const body = match[1]!;
    const key = unescapeXml(tag(body, "Key") ?? "");
    items.push({
      key: key.slice(root.length),
      size: Number(tag(body, "Size") ?? 0),
      etag: stripQuotes(unescapeXml(tag(body, "ETag") ?? "")),
      lastModified: tag(body, "LastModified") ?? "",
    });
  }
  const truncated = tag(xml, "IsTruncated") === "true";
  const next = tag(xml, "NextContinuationToken");
  return { items, cursor: truncated && next ? unescapeXml(next) : null };
}

/**
 * Any S3-compatible store (AWS S3, R2's S3 API, MinIO, …) over path-style URLs, signed with SigV4
 * by aws4fetch. Uses ListObjectsV2, HEAD/GET/PUT/DELETE Object and CopyObject.
 */
export function s3Provider(settings: S3Settings, options: S3Options = {}): StorageProvider {
  const root = normalizeRoot(settings.prefix);
  const base = `${settings.endpoint.replace(/\/+$/, "")}/${encodeURIComponent(settings.bucket)}`;
  const client = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    region: settings.region,
    service: "s3",
  });
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function send(url: string | URL, init: RequestInit, what: string): Promise<Response> {
    const request = await client.sign(url.toString(), init);
    try {
      // Redirects are not followed: a public endpoint must not bounce the signed request elsewhere (SSRF).
      return await doFetch(request, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    } catch (error) {
      throw new StorageError(
        "unreachable",
        `${what}: ${settings.endpoint} did not answer (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  const objectUrl = (key: string) => `${base}/${keyPath(underRoot(root, key))}`;
  const info = (key: string, res: Response): StoredObjectInfo => ({
    key,
    size: Number(res.headers.get("content-length") ?? 0),
    etag: stripQuotes(res.headers.get("etag") ?? ""),
    lastModified: new Date(res.headers.get("last-modified") ?? 0).toISOString(),
  });

  return {
    kind: "s3",
    async list(prefix, opts = {}) {
      const url = new URL(base);
      url.searchParams.set("list-type", "2");
      url.searchParams.set("prefix", underRoot(root, prefix));
      url.searchParams.set("max-keys", String(Math.min(opts.limit ?? 1000, 1000)));
      if (opts.cursor) url.searchParams.set("continuation-token", opts.cursor);
      else if (opts.startAfter) url.searchParams.set("start-after", underRoot(root, opts.startAfter));
      const res = await send(url, { method: "GET" }, "Listing the bucket");
      if (!res.ok) throw await answerError(res, "Listing the bucket");
      return parseListV2(await res.text(), root);
    },
    async head(key) {
      const res = await send(objectUrl(key), { method: "HEAD" }, `Reading ${key}`);
      if (res.status === 404) return null;
      if (!res.ok) throw await answerError(res, `Reading ${key}`);
      return info(key, res);
    },
    async get(key) {
      const res = await send(objectUrl(key), { method: "GET" }, `Reading ${key}`);
      if (res.status === 404) {
        const error = await answerError(res, `Reading ${key}`);
        if (error.reason === "not_found") throw error;
        return null;
      }
      if (!res.ok || !res.body) throw await answerError(res, `Reading ${key}`);
      return { ...info(key, res), body: res.body, contentType: res.headers.get("content-type") };
    },
    async put(key, body, opts) {
      // The length travels with the body (withLength), and S3 wants it; it is not a signed header.
      const headers: Record<string, string> = {};
      if (opts.contentType) headers["content-type"] = opts.contentType;
      const res = await send(
        objectUrl(key),
        { method: "PUT", headers, body: withLength(body, opts.size) },
        `Writing ${key}`,
      );
      if (!res.ok) throw await answerError(res, `Writing ${key}`);
      await res.body?.cancel();
    },
    async copy(from, to) {
      const source = `/${encodeURIComponent(settings.bucket)}/${keyPath(underRoot(root, from))}`;
      const res = await send(
        objectUrl(to),
        { method: "PUT", headers: { "x-amz-copy-source": source } },
        `Copying ${from}`,
      );
      // CopyObject can answer 200 with an <Error> body when it fails mid-copy.
      const text = await res.text();
      if (!res.ok || text.includes("<Error>"))
        throw await answerError(new Response(text, { status: res.ok ? 500 : res.status }), `Copying ${from}`);
    },
    async delete(key) {
      const res = await send(objectUrl(key), { method: "DELETE" }, `Deleting ${key}`);
      if (!res.ok && res.status !== 404) throw await answerError(res, `Deleting ${key}`);
      await res.body?.cancel();
    },
  };
}
