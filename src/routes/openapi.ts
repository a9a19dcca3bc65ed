import { createRoute as defineRoute, OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { problemSchema, validationError } from "../errors";
import { requirementOf } from "../policy";

/** A router whose validation failures become 422 problems with the field list. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
}

/**
 * Who may call an operation, for the document: a route guarded by `requires(...)` takes a bearer
 * credential (access token or API key) or the browser's session cookie; any other route needs none.
 * A route that reads an optional principal itself states its own `security`.
 */
export const SIGNED_IN = [{ bearer: [] }, { cookie: [] }];

/**
 * `createRoute` of @hono/zod-openapi, plus the operation's `security` worked out from its
 * middleware, so every operation in the document declares it (code generators rely on it).
 */
export function createRoute<P extends string, R extends Omit<RouteConfig, "path"> & { path: P }>(config: R) {
  const guarded = [config.middleware ?? []].flat().some((m) => requirementOf(m) !== undefined);
  return defineRoute<P, R>({ ...config, security: config.security ?? (guarded ? SIGNED_IN : []) });
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/** A page of a list, as every paged route answers: its `items` and the `nextCursor` (null on the last page). */
export function pageContent<T extends z.ZodType>(item: T, description: string) {
  return jsonContent(z.object({ items: z.array(item), nextCursor: z.string().nullable() }), description);
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

export const problem = (description: string) => ({
  content: { "application/problem+json": { schema: problemSchema } },
  description,
});

/** The error answers most routes can give, for the OpenAPI document. */
export const problems = {
  400: problem("Malformed request"),
  401: problem("Not signed in, or the credential is invalid"),
  402: problem("Not enough credits"),
  403: problem("Not allowed for this caller"),
  404: problem("No such resource (or not yours)"),
  409: problem("Conflict with the current state or an in-flight request"),
  410: problem("Gone: kept no longer"),
  413: problem("Body too large"),
  415: problem("Unsupported content type"),
  422: problem("Validation failed; `errors` lists the fields"),
  429: problem("Rate limited; see Retry-After"),
  502: problem("An outside service (PayPal) failed; try again"),
  503: problem(
    "Not configured on this deployment, or a platform service is overloaded just now (see Retry-After)",
  ),
} as const satisfies Record<number, unknown>;

export function pickProblems<K extends keyof typeof problems>(...codes: K[]): Pick<typeof problems, K> {
  const out = {} as Pick<typeof problems, K>;
  for (const code of codes) out[code] = problems[code];
  return out;
}

/** A problem answer added after generation: the schema by reference, as the generator writes it. */
const problemReference = (description: string) => ({
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  description,
});

type Document = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;
type Responses = Record<string, unknown>;
const UNSAFE = new Set(["post", "put", "patch", "delete"]);

/**
 * Adds to every operation of the document the answers the middleware in front of every route can
 * give, so each route's own list stays about itself: 401 for a bad credential, 429 for any
 * bucket (anonymous callers included) and 503 for an overloaded platform service everywhere; 422 wherever something is validated; and for
 * unsafe methods 400 (malformed JSON or Idempotency-Key), 403 (CSRF), 409 (the same key in flight),
 * 413 and 415 (the body guard) and 422 (a key reused with another body).
 */
export function withMiddlewareAnswers(document: Document): Document {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations as Record<string, unknown>)) {
      if (!operation || typeof operation !== "object" || !("responses" in operation)) continue;
      const op = operation as { responses: Responses; parameters?: unknown[]; requestBody?: unknown };
      const add = (...codes: (keyof typeof problems)[]) => {
        for (const code of codes) op.responses[code] ??= problemReference(problems[code].description);
      };
      add(401, 429, 503);
      if (op.parameters?.length || op.requestBody) add(422);
      if (UNSAFE.has(method)) add(400, 403, 409, 413, 415, 422);
    }
  }
  return document;
}
