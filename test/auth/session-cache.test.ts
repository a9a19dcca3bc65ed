import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  cachedSessionUser,
  forgetUser,
  readTicket,
  rememberSessionUser,
  type SessionUser,
} from "../../src/auth/session-cache";
import { getConfig } from "../../src/config";
import { call, expectProblem, newUser } from "../helpers/api";

// An isolate admits an access token on what it last read of the session for SESSION_CACHE_SECONDS
// (ADR 0013): revocations through this isolate count at once, others within the bound.
const boundMs = getConfig(env).sessionCacheSeconds * 1000;

describe("access tokens and the isolate's session cache (#19)", () => {
  it("a logout through this isolate stops the token at once, though its session was just cached", async () => {
    const user = await newUser();
    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken })).status).toBe(204);
    await expectProblem(await call("/api/v1/me", { token: user.accessToken }), 401);
  });

  it("a revocation this isolate didn't make (written to D1 directly, as another isolate would) counts within SESSION_CACHE_SECONDS", async () => {
    expect(boundMs).toBeGreaterThan(0);
    const user = await newUser();
    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
    const cachedBy = Date.now();
    await env.DB.prepare("UPDATE sessions SET revoked_at = ?, revoked_reason = 'test' WHERE user_id = ?")
      .bind(new Date().toISOString(), user.id)
      .run();
    // Until the bound the isolate may answer from what it read; a request sent after it, never.
    for (;;) {
      const sent = Date.now();
      const res = await call("/api/v1/me", { token: user.accessToken });
      if (res.status === 401) break;
      expect(res.status).toBe(200);
      expect(sent).toBeLessThan(cachedBy + boundMs);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  it("an account disabled directly in D1 is refused within the bound too", async () => {
    const user = await newUser();
    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
    await env.DB.prepare("UPDATE users SET disabled_at = ? WHERE id = ?")
      .bind(new Date().toISOString(), user.id)
      .run();
    await new Promise((resolve) => setTimeout(resolve, boundMs + 100));
    await expectProblem(await call("/api/v1/me", { token: user.accessToken }), 401);
  });

  it("what a request read before its user was forgotten is not remembered: a verification racing a signed-in read shows at once", () => {
    const user: SessionUser = {
      id: "usr_race",
      email: "race@example.com",
      role: "user",
      emailVerifiedAt: null,
    };
    const now = Date.now();
    // A request reads the session (address not yet verified); meanwhile the verification commits
    // and forgets the user; then the request would remember what it read.
    const readBefore = readTicket();
    forgetUser(user.id);
    rememberSessionUser("ses_race", user, 5, now, readBefore);
    expect(cachedSessionUser("ses_race", user.id, now)).toBeNull();
    // A read that began after the change is remembered as usual.
    const verified = { ...user, emailVerifiedAt: new Date(now).toISOString() };
    rememberSessionUser("ses_race", verified, 5, now, readTicket());
    expect(cachedSessionUser("ses_race", user.id, now)).toEqual(verified);
    // Forgetting another user leaves this one's entry, and a later forget of this one drops it.
    forgetUser("usr_other");
    expect(cachedSessionUser("ses_race", user.id, now)).toEqual(verified);
    forgetUser(user.id);
    expect(cachedSessionUser("ses_race", user.id, now)).toBeNull();
  });
});
