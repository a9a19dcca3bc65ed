import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as alertsSchema from "./alerts-schema";
import * as billingSchema from "./billing-schema";
import * as emailSchema from "./email-schema";
import * as jobsSchema from "./jobs-schema";
import * as opsSchema from "./ops-schema";
import * as organizeSchema from "./organize-schema";
import * as tablesSchema from "./schema";
import * as securitySchema from "./security-schema";
import * as storageSchema from "./storage-schema";
import * as webhooksSchema from "./webhooks-schema";
import { watchWrites } from "./write-watch";

const schema = {
  ...tablesSchema,
  ...jobsSchema,
  ...organizeSchema,
  ...opsSchema,
  ...alertsSchema,
  ...securitySchema,
  ...emailSchema,
  ...billingSchema,
  ...webhooksSchema,
  ...storageSchema,
};

export type Db = ReturnType<typeof createDb>;

const cache = new WeakMap<D1Database, Db>();

/** One drizzle instance per D1 binding per isolate; its writes are counted (src/db/write-watch.ts). */
export function createDb(d1: D1Database) {
  return drizzle(watchWrites(d1), { schema });
}

export function getDb(d1: D1Database): Db {
  let db = cache.get(d1);
  if (!db) {
    db = createDb(d1);
    cache.set(d1, db);
  }
  return db;
}

const prepared = new WeakMap<Db, Map<string, unknown>>();

/**
 * A query built once per drizzle instance (so once per isolate and binding) and run with
 * `sql.placeholder` values: building the SQL from the query builder was most of drizzle's cost on
 * the reads every signed-in request makes (bench:profile, ADR 0013). `key` names the query.
 */
export function preparedOnce<T>(db: Db, key: string, build: (db: Db) => T): T {
  let queries = prepared.get(db);
  if (!queries) {
    queries = new Map();
    prepared.set(db, queries);
  }
  let query = queries.get(key) as T | undefined;
  if (query === undefined) {
    query = build(db);
    queries.set(key, query);
  }
  return query;
}

/**
 * `db.run(sql)` for use inside `db.batch()`. drizzle-orm 0.45.4's D1 batch binds parameters of raw
 * SQL to a statement it never prepared (`stmt` is undefined); this prepares it.
 */
export function rawInBatch(db: Db, query: SQL) {
  const raw = db.run(query);
  return Object.assign(raw, { stmt: db.$client.prepare(raw.getQuery().sql) });
}

/** Whether a D1 failure (or one of its causes) names the constraint `pattern` matches. */
export function isConstraintError(error: unknown, pattern: RegExp): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (pattern.test(String((e as Error).message ?? e))) return true;
  }
  return false;
}

/**
 * Rows a statement changed, from its D1 result; drizzle types some batch results (raw SQL, deletes)
 * without D1's `meta`, so this reads it defensively. Undefined when the result carries none.
 */
export function changesOf(result: unknown): number | undefined {
  if (typeof result !== "object" || result === null || !("meta" in result)) return undefined;
  const meta = result.meta;
  if (typeof meta !== "object" || meta === null || !("changes" in meta)) return undefined;
  return typeof meta.changes === "number" ? meta.changes : undefined;
}
