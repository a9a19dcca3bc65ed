/** Storage connection settings from the vars (wrangler.toml). */
export interface StorageConfig {
  /** Dev/test only: allow http:// and private, loopback and link-local endpoints (ALLOW_PRIVATE_STORAGE). */
  allowPrivate: boolean;
  /** Connections one user may register. */
  maxConnections: number;
  /** How long one request to a store may wait for its answer's headers. */
  timeoutMs: number;
}

export function storageConfig(env: Env): StorageConfig {
  const allow = (env as unknown as Record<string, string | undefined>).ALLOW_PRIVATE_STORAGE ?? "false";
  if (allow !== "true" && allow !== "false")
    throw new Error('Config ALLOW_PRIVATE_STORAGE must be "true" or "false"');
  return { allowPrivate: allow === "true", maxConnections: 20, timeoutMs: 30_000 };
}
