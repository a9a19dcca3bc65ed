import { describe, expect, it } from "vitest";
import { AnswerHeaders } from "../../src/lib/answer-headers";

describe("AnswerHeaders", () => {
  it("writes into the answer's own headers when they can change: the same Response goes out", () => {
    const headers = new AnswerHeaders();
    headers.set("X-Request-Id", "req_1");
    headers.set("x-request-id", "req_2");
    headers.append("Vary", "Origin");
    const answer = new Response("ok", { headers: { Vary: "Accept-Encoding", "X-Request-Id": "own" } });
    expect(headers.applyTo(answer)).toBe(answer);
    expect(answer.headers.get("x-request-id")).toBe("req_2");
    expect(answer.headers.get("vary")).toBe("Accept-Encoding, Origin");
    expect(headers.get("X-REQUEST-ID")).toBe("req_2");
    expect(headers.get("Vary")).toBeNull();
  });

  it("copies an answer whose headers are immutable (a fetched Response), body and status kept", async () => {
    const headers = new AnswerHeaders();
    headers.set("X-Request-Id", "req_3");
    const fetched = Response.redirect("https://example.com/", 302);
    expect(() => fetched.headers.set("x", "y")).toThrow(TypeError);
    const sent = headers.applyTo(fetched);
    expect(sent).not.toBe(fetched);
    expect(sent.status).toBe(302);
    expect(sent.headers.get("location")).toBe("https://example.com/");
    expect(sent.headers.get("x-request-id")).toBe("req_3");
  });

  it("leaves an answer alone when nothing was recorded", () => {
    const answer = Response.redirect("https://example.com/", 302);
    expect(new AnswerHeaders().applyTo(answer)).toBe(answer);
  });
});
