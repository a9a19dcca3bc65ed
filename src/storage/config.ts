import { stringVars } from "../config";

/** Storage connection settings from the vars (wrangler.toml). */
export interface StorageConfig {
  /** Dev/test only: allow http:// and private, loopback and link-local endpoints (ALLOW_PRIVATE_STORAGE). */
  allowPrivate: boolean;
  /** Connections one user may register. */
  maxConnections: number;
  /** How long one request to a store may wait for its answer's headers. */
  timeoutMs: number;
  /** Objects or files one import/export delivery handles (STORAGE_CHUNK_SIZE; small in tests). */
  chunkSize: number;
  /**
   * Objects one import delivery reads at a time (STORAGE_CONCURRENCY). Production Workers let six
   * connections wait for headers at once and queue the rest, so more than 4 buys nothing there.
   */
  concurrency: number;
}

export function storageConfig(env: Env): StorageConfig {
  const allow = stringVars(env).ALLOW_PRIVATE_STORAGE ?? "false";
  if (allow !== "true" && allow !== "false")
    throw new Error('Config ALLOW_PRIVATE_STORAGE must be "true" or "false"');
  const chunk = Number(stringVars(env).STORAGE_CHUNK_SIZE ?? 50);
  if (!Number.isSafeInteger(chunk) || chunk < 1 || chunk > 1000)
    throw new Error("Config STORAGE_CHUNK_SIZE must be an integer from 1 to 1000");
  const concurrency = Number(stringVars(env).STORAGE_CONCURRENCY ?? 4);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 16)
    throw new Error("Config STORAGE_CONCURRENCY must be an integer from 1 to 16");
  return {
    allowPrivate: allow === "true",
    maxConnections: 20,
    timeoutMs: 30_000,
    chunkSize: chunk,
    concurrency,
  };
}
