import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { ConflictPolicy, OrganizePlan } from "../../db/organize-schema";
import { storageConnections } from "../../db/storage-schema";
import { ApiError } from "../../errors";
import type { JobContext } from "../../jobs/registry";
import { PermanentJobError } from "../../jobs/runner";
import { storageConfig } from "../../storage/config";
import { connectionProvider, ownedConnection, storageProblem } from "../../storage/connections";
import { StorageError } from "../../storage/provider";
import type { OrganizeRule } from "../rules/types";
import type { FileSource } from "../source";
import { bucketSource } from "./bucket";
import { librarySource } from "./library";

/** The store a plan's files live in: its owner's library, or a prefix of one of their connections. */
export async function openSource(
  ctx: JobContext<unknown>,
  plan: OrganizePlan,
  heartbeat: () => Promise<void>,
): Promise<FileSource> {
  if (plan.connectionId === null) return librarySource(ctx.db, plan, ctx.env.MEDIA);
  const connection = await ctx.db
    .select()
    .from(storageConnections)
    .where(and(eq(storageConnections.id, plan.connectionId), eq(storageConnections.ownerId, plan.ownerId)))
    .get();
  if (!connection)
    throw new PermanentJobError(
      "connection_deleted",
      "The storage connection this plan organizes was deleted; nothing more can be moved.",
    );
  const config = storageConfig(ctx.env);
  const provider = await connectionProvider({ authSecret: ctx.env.AUTH_SECRET, config }, connection);
  return bucketSource({ db: ctx.db, provider, plan, maxChunk: config.chunkSize, heartbeat });
}

/** What a request asks of a plan that a bucket source can't do without reading every object. */
export interface BucketPlanRequest {
  kind: string;
  match: string;
  duplicates: string;
  conflict: ConflictPolicy;
  rules: OrganizeRule[];
}

const needsContent = (what: string) =>
  new ApiError(
    422,
    "bucket_content_unsupported",
    `${what} needs each object's content hash, and a bucket lists only ETags, which are not SHA-256 (multipart uploads and encryption change them); organizing in place never reads the bytes. Import the prefix into your library to find duplicates there.`,
  );

/**
 * Checks an organize-in-place request before a plan is made: the connection is the caller's (else
 * 404), the plan needs no content and no shared names, and the store lists the prefix with at least
 * one object (a wrong or empty prefix is a 422, not a plan of nothing). Answers the plan's
 * connection, normalized prefix (a folder: trailing slash) and folder for display.
 */
export async function checkBucketPlan(
  deps: { db: Db; env: Env },
  ownerId: string,
  source: { connectionId: string; prefix: string },
  request: BucketPlanRequest,
): Promise<{ connectionId: string; prefix: string; folder: string }> {
  const connection = await ownedConnection(deps.db, ownerId, source.connectionId);
  if (request.kind === "dedupe") throw needsContent("A dedupe plan");
  if (request.match !== "bytes") throw needsContent(`Matching ${request.match}`);
  if (request.duplicates !== "report") throw needsContent("Handling duplicates");
  if (request.rules.some((r) => r.enabled && r.filters.duplicate && r.filters.duplicate !== "any"))
    throw needsContent("A rule on duplicates");
  if (request.conflict === "keep-both")
    throw new ApiError(
      422,
      "conflict_policy_unsupported",
      "In a bucket two objects can't share a key: pass conflict `rename-new` or `skip`.",
      { errors: [{ path: "conflict", message: "keep-both is for the library only", code: "invalid_value" }] },
    );
  const trimmed = source.prefix.replace(/^\/+/, "");
  const prefix = trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
  const config = storageConfig(deps.env);
  const provider = await connectionProvider({ authSecret: deps.env.AUTH_SECRET, config }, connection);
  let page: Awaited<ReturnType<typeof provider.list>>;
  try {
    page = await provider.list(prefix, { limit: 10 });
  } catch (error) {
    if (error instanceof StorageError) throw storageProblem(error);
    throw error;
  }
  if (!page.cursor && !page.items.some((o) => !o.key.endsWith("/")))
    throw new ApiError(
      422,
      "storage_prefix_empty",
      `There are no objects under "${prefix}" in ${connection.bucket}/${connection.prefix}.`,
      { errors: [{ path: "source.prefix", message: "no objects under this prefix", code: "empty" }] },
    );
  return { connectionId: connection.id, prefix, folder: prefix === "" ? "/" : `/${prefix.slice(0, -1)}` };
}
