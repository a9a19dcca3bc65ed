import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers health", async () => {
  const res = await exports.default.fetch(new Request("http://x/api/v1/health"));
  expect(res.status).toBe(200);
});

it("runs with the test configuration only, never a developer's local secrets", () => {
  // vitest.config.ts sets these; a local .dev.vars or .env must not add to or override them.
  expect(env.AUTH_SECRET).toBe("test-secret-that-is-long-enough-0123456789");
  expect(env.ADMIN_EMAIL).toBeUndefined();
  expect(env.ADMIN_PASSWORD).toBeUndefined();
});
