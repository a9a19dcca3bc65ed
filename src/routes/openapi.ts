import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { problemSchema, validationError } from "../errors";

/** A router whose validation failures become 422 problems with the field list. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

const problem = (description: string) => ({
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
  413: problem("Body too large"),
  415: problem("Unsupported content type"),
  422: problem("Validation failed; `errors` lists the fields"),
  429: problem("Rate limited; see Retry-After"),
  502: problem("An outside service (PayPal) failed; try again"),
  503: problem("Not configured on this deployment"),
} as const;

export function pickProblems<K extends keyof typeof problems>(...codes: K[]): Pick<typeof problems, K> {
  const out = {} as Pick<typeof problems, K>;
  for (const code of codes) out[code] = problems[code];
  return out;
}
