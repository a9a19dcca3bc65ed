import { and, eq, lt, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
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

/** The stored first answer, thrown from deep inside a handler that finds its key already answered. */
export class IdempotentReplay extends HTTPException {}

/**
 * `Idempotency-Key` for unsafe methods (draft-ietf-httpapi-idempotency-key-header):
 * same key + same request → the stored first answer; same key + another request → 422;
 * same key while the first is still running → 409. Keys are scoped to the caller.
 * Answers of 5xx are not stored, so the client may retry with the same key.
 *
 * A JSON body is part of the fingerprint as sent. An upload's body can't be read twice, and its
 * multipart framing differs between two sends of the same file, so the upload fingerprints itself
 * once it has streamed through (the file's SHA-256 and its fields) and claims the key then, through
 * `claimForBody`; an upload refused before that point stores nothing under the key.
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
  const scope = `${c.get("principal")?.userId ?? `ip:${clientIp(c)}`}`;
  const url = new URL(c.req.url);
  const target = `${url.pathname}${url.search}`;
  let claimed = false;
  let completedInBatch = false;
  const claim = async (body: string) => {
    const requestHash = await requestFingerprint(c.req.method, target, body);
    const stored = await claimKey(db, scope, key, requestHash, c.var.clock());
    if (stored) throw new IdempotentReplay(stored.status as ContentfulStatusCode, { res: stored });
    claimed = true;
  };
  c.set("idempotency", {
    // A JSON body was fingerprinted (and the key claimed) before the handler ran.
    claimForBody: async (bodyFingerprint) => {
      if (!claimed) await claim(`body:${bodyFingerprint}`);
    },
    completeInBatch(status, body) {
      if (!claimed) throw new Error("completeInBatch before the Idempotency-Key was claimed");
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

  const body = await readableBody(c);
  if (body !== null) await claim(body);
  // Errors below become answers in c.res (the app's error handler); a stored answer found by
  // `claimForBody` is thrown as IdempotentReplay and answered as such.
  await next();
  if (!claimed || completedInBatch) return;
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

/**
 * Takes the key for this request: a fresh row, an expired one, or a crashed in-flight one of the
 * same request. Returns the stored answer when the same request was already answered; throws 422
 * for another request under the key and 409 while the first is still running.
 */
async function claimKey(
  db: Db,
  scope: string,
  key: string,
  requestHash: string,
  now: Date,
): Promise<Response | null> {
  const nowIso = now.toISOString();
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
  return claimed.length === 1 ? null : storedAnswer(db, scope, key, requestHash);
}

async function storedAnswer(db: Db, scope: string, key: string, requestHash: string): Promise<Response> {
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
  return new Response(row.responseBody === "" ? null : row.responseBody, {
    status: row.responseStatus ?? 200,
    headers: { ...(row.responseHeaders ?? {}), "Idempotent-Replayed": "true" },
  });
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

/**
 * The body as it counts for the fingerprint: a JSON body's text, "" for none, or null for a body the
 * handler fingerprints itself (an upload, see `claimForBody`).
 */
async function readableBody(c: Context<AppEnv>): Promise<string | null> {
  if ((c.req.header("content-type") ?? "").includes("json")) return c.req.raw.clone().text();
  const length = c.req.header("content-length");
  const hasBody = (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
  return hasBody ? null : "";
}

/** What makes two requests "the same" for an Idempotency-Key. */
export function requestFingerprint(method: string, pathAndQuery: string, body: string): Promise<string> {
  return sha256Hex(`${method}\n${pathAndQuery}\n${body}`);
}

/** Deletes answers past their retention; called by the scheduled handler. */
export async function purgeExpiredIdempotencyKeys(db: Db, now: Date): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now.toISOString()));
}
