import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv, Principal } from "../../src/app-env";
import { ApiError } from "../../src/errors";
import {
  actsForEveryone,
  authorize,
  caller,
  grantableScopes,
  hasScope,
  type Requirement,
  requirementOf,
  requires,
} from "../../src/policy";
import { refusal } from "./refusal";

const user = (over: Partial<Principal> = {}): Principal => ({
  userId: "usr_1",
  role: "user",
  email: "a@example.com",
  emailVerified: true,
  via: "session",
  sessionId: "ses_1",
  apiKeyId: null,
  scopes: ["*"],
  ...over,
});
const apiKey = (scopes: string[], over: Partial<Principal> = {}) =>
  user({ via: "api-key", sessionId: null, apiKeyId: "key_1", scopes, ...over });

describe("policy: scopes", () => {
  it("a session's * covers every scope; a key has exactly its own", () => {
    expect(hasScope(user(), "media:write")).toBe(true);
    expect(hasScope(apiKey(["media:read"]), "media:read")).toBe(true);
    expect(hasScope(apiKey(["media:read"]), "media:write")).toBe(false);
    expect(hasScope(apiKey([]), "media:read")).toBe(false);
  });

  it("acts for everyone only as an admin through a session or an admin-scoped key", () => {
    expect(actsForEveryone(user({ role: "admin" }))).toBe(true);
    expect(actsForEveryone(apiKey(["admin"], { role: "admin" }))).toBe(true);
    expect(actsForEveryone(apiKey(["media:read"], { role: "admin" }))).toBe(false);
    // The scope alone is not the role: a user's key can never carry admin powers.
    expect(actsForEveryone(apiKey(["admin"]))).toBe(false);
    expect(actsForEveryone(user())).toBe(false);
  });

  it("only admins may grant the admin scope", () => {
    expect(grantableScopes(user())).not.toContain("admin");
    expect(grantableScopes(user())).toContain("media:read");
    expect(grantableScopes(user({ role: "admin" }))).toContain("admin");
    expect(grantableScopes(user({ role: "admin" }))).toHaveLength(grantableScopes(user()).length + 1);
  });
});

describe("policy: authorize", () => {
  it("no principal is a 401 whatever the requirement", () => {
    for (const req of [
      { kind: "user", scope: "media:read" },
      { kind: "admin" },
      { kind: "interactive" },
    ] satisfies Requirement[])
      expect(refusal(() => authorize(null, req))).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("user requirement: the scope decides, and the principal comes back", () => {
    const key = apiKey(["media:read"]);
    expect(authorize(key, { kind: "user", scope: "media:read" })).toBe(key);
    expect(refusal(() => authorize(key, { kind: "user", scope: "jobs:write" }))).toEqual({
      status: 403,
      code: "forbidden",
      detail: "This API key lacks the jobs:write scope.",
    });
  });

  it("admin requirement: role first, then the admin scope", () => {
    const admin = user({ role: "admin" });
    expect(authorize(admin, { kind: "admin" })).toBe(admin);
    expect(refusal(() => authorize(user(), { kind: "admin" }))).toEqual({
      status: 403,
      code: "forbidden",
      detail: "Only administrators may do this.",
    });
    expect(refusal(() => authorize(apiKey(["admin"]), { kind: "admin" })).detail).toBe(
      "Only administrators may do this.",
    );
    expect(refusal(() => authorize(apiKey(["media:read"], { role: "admin" }), { kind: "admin" }))).toEqual({
      status: 403,
      code: "forbidden",
      detail: "This API key lacks the admin scope.",
    });
  });

  it("interactive requirement: never an API key; verified needs a verified address", () => {
    const session = user();
    expect(authorize(session, { kind: "interactive" })).toBe(session);
    expect(authorize(user({ via: "access-token" }), { kind: "interactive", verified: true }).via).toBe(
      "access-token",
    );
    expect(refusal(() => authorize(apiKey(["*"]), { kind: "interactive" }))).toEqual({
      status: 403,
      code: "forbidden",
      detail: "Sign in to manage sessions, keys and passwords.",
    });
    const unverified = user({ emailVerified: false });
    expect(authorize(unverified, { kind: "interactive" })).toBe(unverified);
    expect(refusal(() => authorize(unverified, { kind: "interactive", verified: true }))).toMatchObject({
      status: 403,
      code: "email_unverified",
      detail: "Verify your email address first (see the link we mailed you).",
    });
  });
});

describe("policy: route middleware", () => {
  function app(principal: Principal | null, requirement: Requirement) {
    const app = new Hono<AppEnv>();
    app.onError((error, c) =>
      error instanceof ApiError ? c.json({ code: error.code }, error.status) : c.json({ code: "bug" }, 500),
    );
    app.use(async (c, next) => {
      c.set("principal", principal);
      await next();
    });
    app.get("/", requires(requirement), (c) => c.json({ userId: caller(c).userId }));
    app.get("/open", (c) => c.json({ userId: caller(c).userId }));
    return app;
  }

  it("runs the handler only when authorize passes", async () => {
    const ok = await app(user(), { kind: "user", scope: "media:read" }).request("/");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ userId: "usr_1" });
    const denied = await app(apiKey(["jobs:read"]), { kind: "user", scope: "media:read" }).request("/");
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ code: "forbidden" });
    expect((await app(null, { kind: "admin" }).request("/")).status).toBe(401);
  });

  it("caller() without a principal is a 401, not a crash", async () => {
    const res = await app(null, { kind: "admin" }).request("/open");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: "unauthorized" });
  });

  it("carries its requirement for the OpenAPI document; other middleware carries none", () => {
    const requirement: Requirement = { kind: "interactive", verified: true };
    expect(requirementOf(requires(requirement))).toEqual(requirement);
    expect(requirementOf(async () => {})).toBeUndefined();
    expect(requirementOf({ requirement })).toBeUndefined();
    expect(requirementOf(undefined)).toBeUndefined();
  });
});
