import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers health", async () => {
  const res = await exports.default.fetch(new Request("http://x/api/v1/health"));
  expect(res.status).toBe(200);
});
