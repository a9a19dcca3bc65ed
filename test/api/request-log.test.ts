// The request log (ADR 0015): every error, slow request and change has its line; fast successful
// reads are sampled, one line in REQUEST_LOG_SAMPLE per isolate, saying how many it stands for.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, newUser } from "../helpers/api";

const SAMPLE = Number(env.REQUEST_LOG_SAMPLE);

function requestLines(spy: { mock: { calls: unknown[][] } }) {
  return spy.mock.calls
    .map(([line]) => (typeof line === "string" && line.startsWith("{") ? JSON.parse(line) : null))
    .filter((line): line is Record<string, unknown> => line?.event === "request");
}

afterEach(() => vi.restoreAllMocks());

describe("request log sampling", () => {
  it("fast successful GETs: one line in REQUEST_LOG_SAMPLE, marked with what it stands for", async () => {
    expect(SAMPLE).toBeGreaterThan(1);
    const user = await newUser();
    const log = vi.spyOn(console, "log");
    for (let i = 0; i < 3 * SAMPLE; i++)
      expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
    const lines = requestLines(log);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatchObject({
        method: "GET",
        path: "/api/v1/me",
        status: 200,
        sampled: SAMPLE,
        userId: user.id,
      });
    }
  });

  it("every error and every change has its own line, unsampled", async () => {
    const user = await newUser();
    const log = vi.spyOn(console, "log");
    for (let i = 0; i < SAMPLE; i++) {
      expect((await call("/api/v1/no-such-route", { token: user.accessToken })).status).toBe(404);
      expect((await call("/api/v1/me")).status).toBe(401);
      const created = await call("/api/v1/folders", {
        method: "POST",
        token: user.accessToken,
        json: { path: `/logged-${i}` },
      });
      expect(created.status).toBe(201);
    }
    const lines = requestLines(log);
    expect(lines.filter((l) => l.status === 404)).toHaveLength(SAMPLE);
    expect(lines.filter((l) => l.status === 401)).toHaveLength(SAMPLE);
    expect(lines.filter((l) => l.method === "POST" && l.status === 201)).toHaveLength(SAMPLE);
    expect(lines.every((l) => !("sampled" in l))).toBe(true);
  });
});
