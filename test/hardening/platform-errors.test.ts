// A binding that is overloaded or briefly unreachable (a Durable Object marking its error
// `.overloaded` or `.retryable`, D1's transient errors) is answered 503 with Retry-After — an honest
// "try again" — never a bare 500 (#19 point 1: "never a 500" under load). A real defect stays a 500.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { expectProblem } from "../helpers/api";

function marked(message: string, marks: Record<string, boolean>) {
  return Object.assign(new Error(message), marks);
}

/** The whole app, with one extra route that fails the way a binding call can. */
async function answerTo(error: Error): Promise<Response> {
  const app = createApp();
  app.get("/api/v1/__fails", () => {
    throw error;
  });
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request("http://localhost:8787/api/v1/__fails", { headers: { "cf-connecting-ip": "10.19.9.1" } }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("transient platform errors answer 503, not 500 (#19)", () => {
  it("an overloaded Durable Object, or its infrastructure's retryable error", async () => {
    for (const error of [
      marked("Durable Object is overloaded. Too many requests queued.", { overloaded: true }),
      marked("Durable Object reset because its code was updated.", { retryable: true }),
    ]) {
      const res = await answerTo(error);
      expect(res.headers.get("retry-after")).toBe("1");
      await expectProblem(res, 503, "temporarily_unavailable");
    }
  });

  it("D1's transient errors", async () => {
    const res = await answerTo(new Error("D1_ERROR: Network connection lost."));
    expect(res.headers.get("retry-after")).toBe("1");
    await expectProblem(res, 503, "temporarily_unavailable");
  });

  it("an object's own code failing, or any other exception, stays an internal error", async () => {
    await expectProblem(
      await answerTo(marked("bug in the object", { retryable: true, remote: true })),
      500,
      "internal_error",
    );
    await expectProblem(await answerTo(new TypeError("x is undefined")), 500, "internal_error");
  });
});
