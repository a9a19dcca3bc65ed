import { stringVars } from "../config";
/** Media limits from the MEDIA_* vars (wrangler.toml), checked once per isolate. */
export interface MediaConfig {
  /** Largest file through the single-request `POST /media` route. */
  maxUploadBytes: number;
  /** Largest file through a resumable upload. */
  maxMultipartBytes: number;
  /** Image width × height above which an upload is refused before any decode. */
  maxPixels: number;
  /** Trashed files are purged for good after this many days. */
  trashRetentionDays: number;
  /** Store bytes no magic number recognises as application/octet-stream (else 415). */
  allowUnknown: boolean;
  /** An open resumable upload is aborted after this long. */
  uploadTtlSeconds: number;
  /** TTL of cached listings and stats (the version key already makes them exact). */
  cacheTtlSeconds: number;
  /** Largest selection (sum of file sizes) one ZIP download may hold. */
  zipMaxBytes: number;
  /** Share links expire after this long unless asked otherwise... */
  shareDefaultTtlSeconds: number;
  /** ...and never live longer than this (extensions included). */
  shareMaxTtlSeconds: number;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`Config ${name} must be a positive integer`);
  return n;
}

const cache = new WeakMap<object, MediaConfig>();

export function mediaConfig(env: Env): MediaConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const vars = stringVars(env);
  const config: MediaConfig = {
    maxUploadBytes: int(vars.MEDIA_MAX_UPLOAD_BYTES, 100 * 1024 * 1024, "MEDIA_MAX_UPLOAD_BYTES"),
    maxMultipartBytes: int(vars.MEDIA_MAX_MULTIPART_BYTES, 5 * 1024 ** 3, "MEDIA_MAX_MULTIPART_BYTES"),
    maxPixels: int(vars.MEDIA_MAX_PIXELS, 40_000_000, "MEDIA_MAX_PIXELS"),
    trashRetentionDays: int(vars.MEDIA_TRASH_RETENTION_DAYS, 30, "MEDIA_TRASH_RETENTION_DAYS"),
    allowUnknown: (vars.MEDIA_ALLOW_UNKNOWN ?? "true") === "true",
    uploadTtlSeconds: int(vars.MEDIA_UPLOAD_TTL_SECONDS, 86_400, "MEDIA_UPLOAD_TTL_SECONDS"),
    cacheTtlSeconds: int(vars.MEDIA_CACHE_TTL_SECONDS, 300, "MEDIA_CACHE_TTL_SECONDS"),
    zipMaxBytes: int(vars.MEDIA_ZIP_MAX_BYTES, 2 * 1024 ** 3, "MEDIA_ZIP_MAX_BYTES"),
    shareDefaultTtlSeconds: int(vars.SHARE_DEFAULT_TTL_SECONDS, 30 * 86_400, "SHARE_DEFAULT_TTL_SECONDS"),
    shareMaxTtlSeconds: int(vars.SHARE_MAX_TTL_SECONDS, 365 * 86_400, "SHARE_MAX_TTL_SECONDS"),
  };
  cache.set(env, config);
  return config;
}
