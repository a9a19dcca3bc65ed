import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type StorageConnection, storageConnections } from "../db/storage-schema";
import { ApiError, notFound } from "../errors";
import { seal, unseal } from "../lib/crypto";
import { newId } from "../lib/ids";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { checkPublicUrl } from "../webhooks/url-policy";
import type { StorageConfig } from "./config";
import { normalizeRoot, StorageError, type StorageProvider } from "./provider";
import { type S3Settings, s3Provider } from "./s3";

/** Sealing purpose of secret access keys (see `seal` in lib/crypto.ts); the connection id is appended. */
const SECRET_PURPOSE = "storage-secret";

export interface ConnectionDeps {
  db: Db;
  config: StorageConfig;
  authSecret: string;
  now: Date;
  /** Tests and the bench may route the provider's requests; the Worker's fetch otherwise. */
  fetch?: typeof fetch;
}

/** What a person registers: the S3 settings, the secret included (sealed before it is stored). */
export type ConnectionInput = S3Settings;

export function publicConnection(row: StorageConnection) {
  return {
    id: row.id,
    endpoint: row.endpoint,
    region: row.region,
    bucket: row.bucket,
    prefix: row.prefix,
    accessKeyId: row.accessKeyId,
    lastCheckedAt: row.lastCheckedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const ENDPOINT = { name: "storage endpoint", field: "endpoint", code: "storage_endpoint_refused" };

/** A provider call that failed, as the 422 a person can act on; the store's own words in `detail`. */
export function storageProblem(error: StorageError): ApiError {
  const codes = {
    auth: ["storage_credentials_refused", "The store refused the access key or secret"],
    not_found: ["storage_bucket_not_found", "The store has no such bucket"],
    unreachable: ["storage_unreachable", "The storage endpoint could not be reached"],
    failed: ["storage_request_failed", "The store answered with an error"],
  } as const;
  const [code, title] = codes[error.reason];
  return new ApiError(422, code, `${title}: ${error.message}`);
}

/**
 * The connection field a refusal points at, so a form can mark it: S3 names an unknown key
 * (`InvalidAccessKeyId`) apart from a wrong secret; an unknown bucket and an endpoint that did not
 * answer are their own fields. Any other refusal (a wrong region, say) names no one field.
 */
function refusedField(error: StorageError): string | null {
  if (error.reason === "auth")
    return /InvalidAccessKeyId/.test(error.message) ? "accessKeyId" : "secretAccessKey";
  if (error.reason === "not_found") return "bucket";
  if (error.reason === "unreachable") return "endpoint";
  return null;
}

/** Lists one key under the root: proves the endpoint, bucket, region and credentials together. */
async function check(provider: StorageProvider): Promise<void> {
  try {
    await provider.list("", { limit: 1 });
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    const problem = storageProblem(error);
    const field = refusedField(error);
    if (!field) throw problem;
    throw new ApiError(422, problem.code, problem.detail, {
      errors: [{ path: field, message: problem.detail, code: problem.code }],
    });
  }
}

function providerOptions(deps: Pick<ConnectionDeps, "config" | "fetch">) {
  return { fetch: deps.fetch, timeoutMs: deps.config.timeoutMs };
}

/**
 * Registers a connection after checking it against the store: a connection that can't list its
 * prefix is refused with a 422 and nothing is stored. The secret is sealed; it is never returned.
 */
export async function createConnection(
  deps: ConnectionDeps,
  ownerId: string,
  input: ConnectionInput,
): Promise<StorageConnection> {
  const endpoint = checkPublicUrl(input.endpoint, deps.config.allowPrivate, ENDPOINT);
  if (endpoint.search) throw new ApiError(422, ENDPOINT.code, "The storage endpoint must not have a ?query.");
  const settings = {
    ...input,
    endpoint: endpoint.toString().replace(/\/+$/, ""),
    prefix: normalizeRoot(input.prefix),
  };
  await check(s3Provider(settings, providerOptions(deps)));
  const id = newId("stc");
  const nowIso = deps.now.toISOString();
  const row: StorageConnection = {
    id,
    ownerId,
    endpoint: settings.endpoint,
    region: settings.region,
    bucket: settings.bucket,
    prefix: settings.prefix,
    accessKeyId: settings.accessKeyId,
    secretSealed: await seal(deps.authSecret, `${SECRET_PURPOSE}:${id}`, settings.secretAccessKey),
    lastCheckedAt: nowIso,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  // The cap and the insert are one statement, so parallel creates can't pass it together.
  const inserted = await deps.db.run(
    sql`INSERT INTO storage_connections (id, owner_id, endpoint, region, bucket, prefix, access_key_id, secret_sealed, last_checked_at, created_at, updated_at)
      SELECT ${id}, ${ownerId}, ${row.endpoint}, ${row.region}, ${row.bucket}, ${row.prefix}, ${row.accessKeyId}, ${row.secretSealed}, ${nowIso}, ${nowIso}, ${nowIso}
      WHERE (SELECT count(*) FROM storage_connections WHERE owner_id = ${ownerId}) < ${deps.config.maxConnections}`,
  );
  if (inserted.meta.changes !== 1)
    throw new ApiError(
      409,
      "too_many_storage_connections",
      `You have ${deps.config.maxConnections} storage connections; delete one first.`,
    );
  return row;
}

export async function ownedConnection(db: Db, ownerId: string, id: string): Promise<StorageConnection> {
  const row = await db
    .select()
    .from(storageConnections)
    .where(and(eq(storageConnections.id, id), eq(storageConnections.ownerId, ownerId)))
    .get();
  if (!row) throw notFound("storage connection");
  return row;
}

export async function listConnections(db: Db, ownerId: string, query: { limit: number; cursor?: string }) {
  const page = keyset(storageConnections.createdAt, storageConnections.id, decodeCursor(query.cursor));
  const rows = await db
    .select()
    .from(storageConnections)
    .where(and(eq(storageConnections.ownerId, ownerId), page.after))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (r) => r.createdAt);
}

export async function deleteConnection(db: Db, ownerId: string, id: string): Promise<void> {
  const gone = await db
    .delete(storageConnections)
    .where(and(eq(storageConnections.id, id), eq(storageConnections.ownerId, ownerId)))
    .returning({ id: storageConnections.id });
  if (gone.length === 0) throw notFound("storage connection");
}

/** The connection's store as a provider, its secret unsealed for this use only. */
export async function connectionProvider(
  deps: Pick<ConnectionDeps, "authSecret" | "config" | "fetch">,
  row: StorageConnection,
): Promise<StorageProvider> {
  const secretAccessKey = await unseal(deps.authSecret, `${SECRET_PURPOSE}:${row.id}`, row.secretSealed);
  return s3Provider({ ...row, secretAccessKey }, providerOptions(deps));
}

/** Checks a stored connection again (credentials rotated, bucket gone?) and notes when it worked. */
export async function testConnection(
  deps: ConnectionDeps,
  ownerId: string,
  id: string,
): Promise<StorageConnection> {
  const row = await ownedConnection(deps.db, ownerId, id);
  await check(await connectionProvider(deps, row));
  const nowIso = deps.now.toISOString();
  await deps.db
    .update(storageConnections)
    .set({ lastCheckedAt: nowIso })
    .where(eq(storageConnections.id, id));
  return { ...row, lastCheckedAt: nowIso };
}
