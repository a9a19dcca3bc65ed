import { stringVars } from "../config";
export interface OrganizeConfig {
  /** Files per chunk: one queue delivery and one D1 batch each. */
  chunkSize: number;
}

/**
 * Upper bound on files per chunk. A chunk's memory is its rows (~1 KB each with the plan records) and
 * its D1 statements stay under D1's limits (records are inserted 1000 per statement; apply and
 * rollback are set-based over an id range), so 5000 keeps a chunk at a few MB.
 */
export const MAX_CHUNK_SIZE = 5000;

export function organizeConfig(env: Env): OrganizeConfig {
  const vars = stringVars(env);
  const raw = Number(vars.ORGANIZE_CHUNK_SIZE ?? 500);
  return { chunkSize: Number.isInteger(raw) && raw > 0 ? Math.min(raw, MAX_CHUNK_SIZE) : 500 };
}
