import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ApiError } from "../../src/errors";
import { parseMultipart } from "../../src/media/form-parser";
import { expectProblem, newUser, ORIGIN } from "../helpers/api";
import { counts } from "../media/helpers";

/** A body of `total` bytes that never contains the boundary; counts what the reader pulled. */
function endless(total: number, chunk = 64 * 1024) {
  const seen = { bytes: 0 };
  const block = new Uint8Array(chunk).fill(0x78);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.bytes >= total) return controller.close();
      seen.bytes += chunk;
      controller.enqueue(block.slice());
    },
  });
  return { stream, seen };
}

describe("a multipart body whose boundary never comes is cut at the size cap (#16)", () => {
  it("the parser stops reading past the cap with 413", async () => {
    const { stream, seen } = endless(8 * 1024 * 1024);
    const error = await parseMultipart(stream, "never-there", () => ({ write() {}, close() {} }), {
      maxBytes: 1024 * 1024,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(413);
    expect(seen.bytes).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
  });

  it("POST /media with a chunked body and no boundary: 413 after the upload limit, nothing stored", async () => {
    const user = await newUser();
    const limit = 256 * 1024;
    const { stream, seen } = endless(16 * 1024 * 1024);
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request(`${ORIGIN}/api/v1/media`, {
        method: "POST",
        body: stream,
        headers: {
          authorization: `Bearer ${user.accessToken}`,
          "content-type": "multipart/form-data; boundary=never-there",
          "cf-connecting-ip": "10.16.0.1",
        },
      }),
      { ...env, MEDIA_MAX_UPLOAD_BYTES: String(limit) },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    await expectProblem(res, 413, "payload_too_large");
    // The limit plus the form envelope's allowance, and one chunk of read-ahead, not 16 MiB.
    expect(seen.bytes).toBeLessThan(limit + 64 * 1024 + 3 * 64 * 1024);
    expect(await counts(user.id)).toEqual({ rows: 0, usedBytes: 0, usedFiles: 0 });
  });
});
