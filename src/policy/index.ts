import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Principal } from "../app-env";
import { API_KEY_SCOPES, type ApiKeyScope } from "../auth/api-keys";
import { ApiError, forbidden, unauthorized } from "../errors";

/**
 * The one place that decides who may do what. Routes declare a requirement; queries are scoped by
 * owner in the services (`ownerId = principal.userId`), and a row that isn't the caller's is a 404.
 */
export type Requirement =
  | { kind: "user"; scope: ApiKeyScope }
  | { kind: "admin" }
  /**
   * Managing credentials (sessions, API keys, password) and spending money needs a session or access
   * token, never an API key; `verified` also needs a verified email address.
   */
  | { kind: "interactive"; verified?: boolean };

export function hasScope(principal: Principal, scope: ApiKeyScope): boolean {
  return principal.scopes.includes("*") || principal.scopes.includes(scope);
}

/**
 * Whether the caller may act on other users' resources (see every job, read another user's plan):
 * an administrator, through a session or through an API key that carries the `admin` scope. An
 * admin's narrower key acts only on the admin's own resources, like anyone's.
 */
export function actsForEveryone(principal: Principal): boolean {
  return principal.role === "admin" && hasScope(principal, "admin");
}

export function authorize(principal: Principal | null, requirement: Requirement): Principal {
  if (!principal) throw unauthorized();
  switch (requirement.kind) {
    case "user":
      if (!hasScope(principal, requirement.scope))
        throw forbidden(`This API key lacks the ${requirement.scope} scope.`);
      return principal;
    case "admin":
      if (principal.role !== "admin") throw forbidden("Only administrators may do this.");
      if (!actsForEveryone(principal)) throw forbidden("This API key lacks the admin scope.");
      return principal;
    case "interactive":
      if (principal.via === "api-key") throw forbidden("Sign in to manage sessions, keys and passwords.");
      if (requirement.verified && !principal.emailVerified) {
        throw new ApiError(
          403,
          "email_unverified",
          "Verify your email address first (see the link we mailed you).",
        );
      }
      return principal;
  }
}

/**
 * Route middleware: refuse before the handler runs. It carries its requirement, so the OpenAPI
 * document can say which operations need a credential (src/routes/openapi.ts `createRoute`).
 */
export function requires(requirement: Requirement) {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    authorize(c.get("principal"), requirement);
    return next();
  });
  return Object.assign(middleware, { requirement });
}

/** The requirement a `requires(...)` middleware enforces; undefined for any other middleware. */
export function requirementOf(middleware: unknown): Requirement | undefined {
  return typeof middleware === "function" && "requirement" in middleware
    ? (middleware.requirement as Requirement)
    : undefined;
}

/** The caller, after a `requires(...)` has run on this route. */
export function caller(c: Context<AppEnv>): Principal {
  const principal = c.get("principal");
  if (!principal) throw unauthorized();
  return principal;
}

/** Which scopes a user may put on a new API key: `admin` only if they are one. */
export function grantableScopes(principal: Principal): ApiKeyScope[] {
  return API_KEY_SCOPES.filter((scope) => scope !== "admin" || principal.role === "admin");
}
