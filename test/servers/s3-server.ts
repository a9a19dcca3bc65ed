import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real S3-compatible HTTP server for the tests and the bench (started by vitest.config.ts and
 * bench/s3-import, on 127.0.0.1 and a free port), in memory. It speaks the part of the S3 REST API
 * the storage providers use, as S3 does: path-style buckets; SigV4 header auth checked for real
 * (unknown key → 403 InvalidAccessKeyId, wrong secret → 403 SignatureDoesNotMatch, a signed payload
 * hash checked against the body); ListObjectsV2 with prefix, delimiter, start-after, max-keys
 * (capped at 1,000) and opaque continuation tokens; GET, HEAD, PUT, DELETE; CopyObject
 * (`x-amz-copy-source`); CreateBucket; errors as S3's XML. `s3rver`, the npm-installable server the
 * issue suggests, accepts any SigV4 signature (its SigV4 check is not implemented) and answered 500
 * to a ListObjectsV2 page smaller than the listing, so wrong credentials and pagination could not be
 * tested against it.
 *
 * `GET /_stats` (unsigned) counts the object requests by method, so a test can tell what a run did;
 * `GET /_stats?prefix=<top>/` counts only the keys under that first path segment, so a test of one
 * prefix is not disturbed by test files running beside it.
 * `/_redirect/…` answers 307 to `/_landed`, which counts its visitors (`_landed`).
 */
export interface S3ServerOptions {
  credentials: { accessKeyId: string; secretAccessKey: string }[];
  buckets: string[];
}

interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
  meta: Record<string, string>;
}

const xmlEscape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
const rfc3986 = (s: string) => s.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const encodeKey = (s: string) => rfc3986(encodeURIComponent(s));
const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendError(res: ServerResponse, error: S3Error, resource: string) {
  res
    .writeHead(error.status, { "content-type": "application/xml" })
    .end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message><Resource>${xmlEscape(resource)}</Resource></Error>`,
    );
}

/** Checks a request's SigV4 Authorization header the way S3 does for path-style requests. */
function verifySigV4(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  secrets: Map<string, string>,
  now: Date,
): void {
  const auth = req.headers.authorization;
  if (!auth) throw new S3Error(403, "AccessDenied", "Access Denied");
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) throw new S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed");
  const [, accessKeyId, day, region, signedHeaders, signature] = match;
  const secret = secrets.get(accessKeyId!);
  if (secret === undefined)
    throw new S3Error(
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    );
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!when || amzDate.slice(0, 8) !== day)
    throw new S3Error(403, "AccessDenied", "Bad or missing X-Amz-Date");
  const at = Date.UTC(+when[1]!, +when[2]! - 1, +when[3]!, +when[4]!, +when[5]!, +when[6]!);
  if (Math.abs(at - now.getTime()) > 15 * 60_000)
    throw new S3Error(
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    );
  const payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
  if (!payloadHash)
    throw new S3Error(
      400,
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    );
  if (payloadHash.startsWith("STREAMING-"))
    throw new S3Error(501, "NotImplemented", "aws-chunked uploads are not supported by this server");
  if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== sha256Hex(body))
    throw new S3Error(
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  const canonicalUri = rfc3986(encodeURIComponent(decodeURIComponent(url.pathname)).replace(/%2F/g, "/"));
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => [encodeKey(k), encodeKey(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const names = signedHeaders!.split(";");
  if (!names.includes("host")) throw new S3Error(403, "AccessDenied", "host must be a signed header");
  const canonicalHeaders = names
    .map((name) => {
      const value = req.headers[name];
      return `${name}:${(Array.isArray(value) ? value.join(",") : (value ?? "")).trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
  const canonicalRequest = [
    req.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region!), "s3"), "aws4_request");
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature!, "hex")))
    throw new S3Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
}

/** The handler of a method from a table of them, or S3's 405. */
function operation<F>(ops: Record<string, F>, method: string): F {
  if (!Object.hasOwn(ops, method))
    throw new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  return ops[method]!;
}

interface ListParams {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** The continuation token as sent, if any. */
  token: string | null;
  /** Keys after this one are listed (start-after, or where the continuation token left off). */
  after: string;
  urlEncode: boolean;
}

/** ListObjectsV2's query: max-keys capped at 1,000, the continuation token decoded to the last key listed. */
function listParams(q: URLSearchParams): ListParams {
  const token = q.get("continuation-token");
  let after = q.get("start-after") ?? "";
  if (token !== null) {
    try {
      after = Buffer.from(token, "base64url").toString("utf8");
    } catch {
      throw new S3Error(400, "InvalidArgument", "The continuation token provided is incorrect");
    }
  }
  return {
    prefix: q.get("prefix") ?? "",
    delimiter: q.get("delimiter") ?? "",
    maxKeys: Math.min(1000, Math.max(0, Number(q.get("max-keys") ?? 1000) || 0)),
    token,
    after,
    urlEncode: q.get("encoding-type") === "url",
  };
}

interface ListPage {
  keys: string[];
  /** Common prefixes: keys rolled up at the delimiter, each counted once. */
  common: Set<string>;
  truncated: boolean;
  /** The last key this page covered (directly or inside a common prefix): where the next page starts. */
  last: string;
}

/** One page of keys in order: a key under an already-listed common prefix costs nothing, anything else one of max-keys. */
function listPage(bucket: Map<string, StoredObject>, p: ListParams): ListPage {
  const page: ListPage = { keys: [], common: new Set(), truncated: false, last: "" };
  const sorted = [...bucket.keys()].filter((k) => k.startsWith(p.prefix) && k > p.after).sort();
  for (const key of sorted) {
    const group = commonPrefix(key, p);
    if (!(group && page.common.has(group))) {
      if (page.keys.length + page.common.size >= p.maxKeys) {
        page.truncated = true;
        break;
      }
      if (group) page.common.add(group);
      else page.keys.push(key);
    }
    page.last = key;
  }
  return page;
}

/** The common prefix a key rolls up into: the prefix plus its rest up to and including the delimiter. */
function commonPrefix(key: string, p: ListParams): string | null {
  if (!p.delimiter) return null;
  const rest = key.slice(p.prefix.length);
  const cut = rest.indexOf(p.delimiter);
  return cut >= 0 ? p.prefix + rest.slice(0, cut + p.delimiter.length) : null;
}

function listXml(name: string, bucket: Map<string, StoredObject>, p: ListParams, page: ListPage): string {
  const enc = (s: string) => xmlEscape(p.urlEncode ? encodeKey(s) : s);
  const contents = page.keys.map((key) => {
    const o = bucket.get(key)!;
    return `<Contents><Key>${enc(key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
  });
  const optional = [
    p.delimiter ? `<Delimiter>${enc(p.delimiter)}</Delimiter>` : "",
    p.urlEncode ? "<EncodingType>url</EncodingType>" : "",
    `<IsTruncated>${page.truncated}</IsTruncated>`,
    p.token !== null ? `<ContinuationToken>${xmlEscape(p.token)}</ContinuationToken>` : "",
    page.truncated
      ? `<NextContinuationToken>${Buffer.from(page.last).toString("base64url")}</NextContinuationToken>`
      : "",
  ].join("");
  const prefixes = [...page.common].map((c) => `<CommonPrefixes><Prefix>${enc(c)}</Prefix></CommonPrefixes>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(name)}</Name><Prefix>${enc(p.prefix)}</Prefix><KeyCount>${page.keys.length + page.common.size}</KeyCount><MaxKeys>${p.maxKeys}</MaxKeys>${optional}${contents.join("")}${prefixes.join("")}</ListBucketResult>`;
}

export async function startS3Server(
  options: S3ServerOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  const buckets = new Map<string, Map<string, StoredObject>>(options.buckets.map((b) => [b, new Map()]));
  const stats: Record<string, number> = {};
  const statsByTop = new Map<string, Record<string, number>>();

  const bucketOf = (name: string) => {
    const found = buckets.get(name);
    if (!found) throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
    return found;
  };
  const objectOf = (bucket: Map<string, StoredObject>, key: string) => {
    const found = bucket.get(key);
    if (!found) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
    return found;
  };
  const objectHeaders = (o: StoredObject) => ({
    "content-type": o.contentType,
    "content-length": String(o.body.length),
    etag: o.etag,
    "last-modified": o.lastModified.toUTCString(),
    ...Object.fromEntries(Object.entries(o.meta).map(([k, v]) => [`x-amz-meta-${k}`, v])),
  });

  function list(res: ServerResponse, name: string, bucket: Map<string, StoredObject>, q: URLSearchParams) {
    const params = listParams(q);
    const page = listPage(bucket, params);
    res.writeHead(200, { "content-type": "application/xml" }).end(listXml(name, bucket, params, page));
  }

  /** PUT: a copy when `x-amz-copy-source` names one (CopyObject), else the body (PutObject). */
  function put(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: Map<string, StoredObject>,
    key: string,
    body: Buffer,
  ) {
    const source = req.headers["x-amz-copy-source"];
    if (typeof source === "string") {
      const path = decodeURIComponent(source.split("?")[0]!).replace(/^\//, "");
      const slash = path.indexOf("/");
      const from = objectOf(bucketOf(path.slice(0, slash)), path.slice(slash + 1));
      const stored = { ...from, lastModified: new Date() };
      bucket.set(key, stored);
      res
        .writeHead(200, { "content-type": "application/xml" })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>${stored.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(stored.etag)}</ETag></CopyObjectResult>`,
        );
      return;
    }
    const meta: Record<string, string> = {};
    for (const [h, v] of Object.entries(req.headers))
      if (h.startsWith("x-amz-meta-") && typeof v === "string") meta[h.slice(11)] = v;
    const stored: StoredObject = {
      body,
      etag: `"${createHash("md5").update(body).digest("hex")}"`,
      lastModified: new Date(),
      contentType: String(req.headers["content-type"] ?? "application/octet-stream"),
      meta,
    };
    bucket.set(key, stored);
    res.writeHead(200, { etag: stored.etag }).end();
  }

  /** The operations on a bucket (no key in the path), by method. */
  const onBucket: Record<string, (res: ServerResponse, name: string, q: URLSearchParams) => void> = {
    PUT: (res, name) => {
      if (!buckets.has(name)) buckets.set(name, new Map());
      res.writeHead(200).end();
    },
    GET: (res, name, q) => list(res, name, bucketOf(name), q),
    HEAD: (res, name) => res.writeHead(bucketOf(name) ? 200 : 404).end(),
  };

  type ObjectRequest = {
    req: IncomingMessage;
    res: ServerResponse;
    bucket: Map<string, StoredObject>;
    key: string;
    body: Buffer;
  };
  const read = ({ req, res, bucket, key }: ObjectRequest) => {
    const o = objectOf(bucket, key);
    res.writeHead(200, objectHeaders(o)).end(req.method === "GET" ? o.body : undefined);
  };
  /** The operations on an object, by method. */
  const onObject: Record<string, (r: ObjectRequest) => void> = {
    GET: read,
    HEAD: read,
    PUT: ({ req, res, bucket, key, body }) => put(req, res, bucket, key, body),
    DELETE: ({ res, bucket, key }) => {
      bucket.delete(key);
      res.writeHead(204).end();
    },
  };

  /** The unsigned test endpoints (see the module comment), by path; true when `url` was one. */
  function testEndpoint(url: URL, res: ServerResponse): boolean {
    if (url.pathname === "/_stats") {
      const prefix = url.searchParams.get("prefix");
      const counts = prefix === null ? stats : (statsByTop.get(prefix.split("/")[0] ?? "") ?? {});
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counts));
    } else if (url.pathname.startsWith("/_redirect/")) {
      // An endpoint that redirects (`<url>/_redirect` as the endpoint), and where it points: a client
      // that follows redirects shows up in `_landed`.
      res.writeHead(307, { location: "/_landed" }).end();
    } else if (url.pathname === "/_landed") {
      stats._landed = (stats._landed ?? 0) + 1;
      res.writeHead(200, { "content-type": "application/xml" }).end("<ListBucketResult></ListBucketResult>");
    } else return false;
    return true;
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const url = new URL(req.url ?? "/", "http://s3.local");
    if (testEndpoint(url, res)) return;
    verifySigV4(req, url, body, secrets, new Date());
    const [, rawBucket = "", ...rawKey] = url.pathname.split("/");
    const name = decodeURIComponent(rawBucket);
    const key = decodeURIComponent(rawKey.join("/"));
    const method = req.method ?? "GET";
    if (!key) return operation(onBucket, method)(res, name, url.searchParams);
    const bucket = bucketOf(name);
    stats[method] = (stats[method] ?? 0) + 1;
    const top = key.split("/")[0] ?? "";
    const ofTop = statsByTop.get(top) ?? {};
    ofTop[method] = (ofTop[method] ?? 0) + 1;
    statsByTop.set(top, ofTop);
    operation(onObject, method)({ req, res, bucket, key, body });
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (error) {
        const e = error instanceof S3Error ? error : new S3Error(500, "InternalError", String(error));
        sendError(res, e, req.url ?? "/");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
