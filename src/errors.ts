import { z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One field problem in a 422 answer. */
export interface FieldError {
  path: string;
  message: string;
  code: string;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  422: "Unprocessable Content",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/**
 * The one error type routes and services throw. `code` is the stable machine string clients
 * switch on; `detail` is for people. `app.onError` turns it into application/problem+json.
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    readonly detail: string,
    /** `holdMs`: answered no sooner than this after it was thrown (a repeated rate-limit refusal). */
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; holdMs?: number } = {},
  ) {
    super(status, { message: detail });
  }
}

export const notFound = (what = "resource") => new ApiError(404, "not_found", `No such ${what}.`);
export const unauthorized = (detail = "Sign in, or send a valid bearer token.") =>
  new ApiError(401, "unauthorized", detail);
export const forbidden = (detail = "Your role does not allow this.") =>
  new ApiError(403, "forbidden", detail);

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
}

export function problemBody(
  status: number,
  code: string,
  detail: string,
  requestId: string,
  errors?: FieldError[],
) {
  const body: ProblemBody = {
    type: `https://edgecraft.dev/problems/${code.replace(/_/g, "-")}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    requestId,
  };
  if (errors) body.errors = errors;
  return body;
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: "validation_failed" }),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional(),
  })
  .openapi("Problem");

/** Maps a zod failure to the `errors` list of a 422. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
    code: issue.code,
  }));
}

export function validationError(error: z.ZodError): ApiError {
  return new ApiError(422, "validation_failed", "Some fields are missing or invalid.", {
    errors: fieldErrors(error),
  });
}
