import { and, eq, lt, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../app-env";
import { type Db, getDb } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";
import { ApiError } from "../../errors";
import { isoAfter } from "../../lib/clock";
import { sha256Hex } from "../../lib/crypto";
import { clientIp } from "../rate-limit";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long an answer is replayed. */
const RETAIN_SECONDS = 24 * 3600;
/** A request that crashed without finishing frees its key after this long. */
const LOCK_SECONDS = 60;
const REPLAYED_HEADERS = ["content-type", "location"];

/**
 * `Idempotency-Key` for unsafe methods (draft-ietf-httpapi-idempotency-key-header):
 * same key + same request → the stored first answer; same key + another request → 422;
 * same key while the first is still running → 409. Keys are scoped to the caller.
 * Answers of 5xx are not stored, so the client may retry with the same key.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (key === undefined || !UNSAFE.has(c.req.method)) return next();
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError(
      400,
      "invalid_idempotency_key",
      "Idempotency-Key must be 1–255 visible ASCII characters.",
    );
  }
  const db = getDb(c.env.DB);
  const now = c.var.clock();
  const scope = `${c.get("principal")?.userId ?? `ip:${clientIp(c)}`}`;
  const requestHash = await fingerprint(c);
  const nowIso = now.toISOString();

  // Claim the key: a fresh row, or take over an expired one or a crashed in-flight one.
  const claimed = await db
    .insert(idempotencyKeys)
    .values({
      scope,
      key,
      requestHash,
      state: "in_flight",
      lockedUntil: isoAfter(now, LOCK_SECONDS),
      createdAt: nowIso,
      expiresAt: isoAfter(now, RETAIN_SECONDS),
    })
    .onConflictDoUpdate({
      target: [idempotencyKeys.scope, idempotencyKeys.key],
      set: {
        requestHash,
        state: "in_flight",
        lockedUntil: isoAfter(now, LOCK_SECONDS),
        createdAt: nowIso,
        expiresAt: isoAfter(now, RETAIN_SECONDS),
        responseStatus: null,
        responseHeaders: null,
        responseBody: null,
      },
      setWhere: sql`${idempotencyKeys.expiresAt} <= ${nowIso} OR (${idempotencyKeys.state} = 'in_flight' AND ${idempotencyKeys.lockedUntil} <= ${nowIso} AND ${idempotencyKeys.requestHash} = ${requestHash})`,
    })
    .returning({ key: idempotencyKeys.key });

  if (claimed.length === 0) return replayOrRefuse(db, scope, key, requestHash);

  let completedInBatch = false;
  c.set("idempotency", {
    completeInBatch(status, body) {
      completedInBatch = true;
      return db
        .update(idempotencyKeys)
        .set({
          state: "done",
          responseStatus: status,
          responseHeaders: { "content-type": "application/json" },
          responseBody: JSON.stringify(body),
        })
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    },
  });

  try {
    await next();
  } catch (error) {
    await release(db, scope, key);
    throw error;
  }
  if (completedInBatch) return;
  const res = c.res;
  if (res.status >= 500) {
    await release(db, scope, key);
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.headers.get(name);
    if (value) headers[name] = value;
  }
  await db
    .update(idempotencyKeys)
    .set({
      state: "done",
      responseStatus: res.status,
      responseHeaders: headers,
      responseBody: await res.clone().text(),
    })
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
});

async function replayOrRefuse(db: Db, scope: string, key: string, requestHash: string) {
  const row = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
    .get();
  if (!row)
    throw new ApiError(409, "idempotency_conflict", "This Idempotency-Key is being reused; try again.");
  if (row.requestHash !== requestHash) {
    throw new ApiError(
      422,
      "idempotency_key_reused",
      "This Idempotency-Key was used with a different request.",
    );
  }
  if (row.state === "in_flight") {
    throw new ApiError(
      409,
      "idempotency_in_flight",
      "A request with this Idempotency-Key is still running.",
      {
        headers: { "Retry-After": "1" },
      },
    );
  }
  const res = new Response(row.responseBody === "" ? null : row.responseBody, {
    status: row.responseStatus ?? 200,
    headers: { ...(row.responseHeaders ?? {}), "Idempotent-Replayed": "true" },
  });
  return res;
}

function release(db: Db, scope: string, key: string) {
  return db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.scope, scope),
        eq(idempotencyKeys.key, key),
        eq(idempotencyKeys.state, "in_flight"),
      ),
    );
}

/** Method, path, query and body. Non-JSON bodies (uploads) are fingerprinted by type and length, not read. */
async function fingerprint(c: Context<AppEnv>): Promise<string> {
  const url = new URL(c.req.url);
  const type = c.req.header("content-type") ?? "";
  const body = type.includes("json")
    ? await c.req.raw.clone().text()
    : `${type.split(";")[0]}:${c.req.header("content-length") ?? "?"}`;
  return requestFingerprint(c.req.method, `${url.pathname}${url.search}`, body);
}

/** What makes two requests "the same" for an Idempotency-Key. */
export function requestFingerprint(method: string, pathAndQuery: string, body: string): Promise<string> {
  return sha256Hex(`${method}\n${pathAndQuery}\n${body}`);
}

/** Deletes answers past their retention; called by the scheduled handler. */
export async function purgeExpiredIdempotencyKeys(db: Db, now: Date): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now.toISOString()));
}
