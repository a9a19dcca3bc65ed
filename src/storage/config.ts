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
}

export function storageConfig(env: Env): StorageConfig {
  const allow = (env as unknown as Record<string, string | undefined>).ALLOW_PRIVATE_STORAGE ?? "false";
  if (allow !== "true" && allow !== "false")
    throw new Error('Config ALLOW_PRIVATE_STORAGE must be "true" or "false"');
  const chunk = Number((env as unknown as Record<string, string | undefined>).STORAGE_CHUNK_SIZE ?? 50);
  if (!Number.isSafeInteger(chunk) || chunk < 1 || chunk > 1000)
    throw new Error("Config STORAGE_CHUNK_SIZE must be an integer from 1 to 1000");
  return { allowPrivate: allow === "true", maxConnections: 20, timeoutMs: 30_000, chunkSize: chunk };
}
