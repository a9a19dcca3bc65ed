import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser } from "../helpers/api";
import { connect, connectionInput, freshPrefix, s3Stats, testBucket } from "./helpers";

/** Storage connections over the API, checked against the real local S3 server. */
const countRows = async (userId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM storage_connections WHERE owner_id = ?")
    .bind(userId)
    .first<{ n: number }>())!.n;

describe("storage connections", () => {
  it("registers a working connection; the secret is stored sealed and never returned; list, get, test, delete", async () => {
    const user = await newUser();
    const prefix = freshPrefix("conn");
    const res = await call("/api/v1/storage/connections", {
      method: "POST",
      token: user.accessToken,
      json: connectionInput(prefix.slice(0, -1)),
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain(env.TEST_S3_SECRET_ACCESS_KEY);
    const { connection } = JSON.parse(text) as { connection: Record<string, unknown> };
    expect(connection).toMatchObject({
      endpoint: env.TEST_S3_ENDPOINT,
      bucket: env.TEST_S3_BUCKET,
      prefix, // stored with its trailing slash
      accessKeyId: env.TEST_S3_ACCESS_KEY_ID,
    });
    expect(connection).not.toHaveProperty("secretAccessKey");
    expect(res.headers.get("location")).toBe(`/api/v1/storage/connections/${connection.id}`);
    const stored = await env.DB.prepare("SELECT secret_sealed FROM storage_connections WHERE id = ?")
      .bind(connection.id)
      .first<{ secret_sealed: string }>();
    expect(stored!.secret_sealed).toMatch(/^v1\./);
    expect(stored!.secret_sealed).not.toContain(env.TEST_S3_SECRET_ACCESS_KEY);

    const list = await call("/api/v1/storage/connections", { token: user.accessToken });
    const listed = await list.text();
    expect(listed).not.toContain(env.TEST_S3_SECRET_ACCESS_KEY);
    expect(JSON.parse(listed).items.map((c: { id: string }) => c.id)).toEqual([connection.id]);
    const one = await call(`/api/v1/storage/connections/${connection.id}`, { token: user.accessToken });
    expect(await one.json()).toMatchObject({ connection: { id: connection.id } });
    const test = await call(`/api/v1/storage/connections/${connection.id}/test`, {
      method: "POST",
      token: user.accessToken,
    });
    expect(test.status, await test.clone().text()).toBe(200);

    // Someone else sees none of it.
    const other = await newUser();
    await expectProblem(
      await call(`/api/v1/storage/connections/${connection.id}`, { token: other.accessToken }),
      404,
      "not_found",
    );
    await expectProblem(
      await call(`/api/v1/storage/connections/${connection.id}`, {
        method: "DELETE",
        token: other.accessToken,
      }),
      404,
    );

    const del = await call(`/api/v1/storage/connections/${connection.id}`, {
      method: "DELETE",
      token: user.accessToken,
    });
    expect(del.status).toBe(204);
    expect(await countRows(user.id)).toBe(0);
  });

  it("wrong credentials, an unknown bucket or an unreachable endpoint: a clear 422, nothing stored, nothing written to the bucket", async () => {
    const user = await newUser();
    const prefix = freshPrefix("bad");
    const before = await s3Stats(prefix);
    // The field each refusal names (problem `errors`), so the Storage screen marks that input.
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ secretAccessKey: "wrong-secret" }, "storage_credentials_refused", /SignatureDoesNotMatch/],
      [{ accessKeyId: "NOSUCHKEY" }, "storage_credentials_refused", /InvalidAccessKeyId/],
      [{ bucket: "no-such-bucket" }, "storage_bucket_not_found", /NoSuchBucket/],
      [{ endpoint: "http://127.0.0.1:9" }, "storage_unreachable", /did not answer/],
    ];
    for (const [override, code, detail] of cases) {
      const res = await call("/api/v1/storage/connections", {
        method: "POST",
        token: user.accessToken,
        json: connectionInput(prefix, override),
      });
      const problem = await expectProblem(res, 422, code);
      expect(problem.detail).toMatch(detail);
      expect(problem.detail).not.toContain("wrong-secret");
      expect(problem.errors?.map((e) => e.path)).toEqual(Object.keys(override));
    }
    expect(await countRows(user.id)).toBe(0);
    expect((await testBucket(prefix).list("")).items).toEqual([]);
    const after = await s3Stats(prefix);
    expect(after.PUT ?? 0).toBe(before.PUT ?? 0);
    expect(after.DELETE ?? 0).toBe(before.DELETE ?? 0);
  });

  it("does not follow an endpoint's redirect (SSRF): the connection is refused, the target never reached", async () => {
    const user = await newUser();
    const before = (await s3Stats())._landed ?? 0;
    const res = await call("/api/v1/storage/connections", {
      method: "POST",
      token: user.accessToken,
      json: connectionInput("r/", { endpoint: `${env.TEST_S3_ENDPOINT}/_redirect` }),
    });
    await expectProblem(res, 422, "storage_request_failed");
    expect((await s3Stats())._landed ?? 0).toBe(before);
    expect(await countRows(user.id)).toBe(0);
  });

  it("refuses bad input with 4xx problems", async () => {
    const user = await newUser();
    const post = (json: unknown) =>
      call("/api/v1/storage/connections", { method: "POST", token: user.accessToken, json });
    await expectProblem(
      await post({ ...connectionInput("p/"), endpoint: "ftp://example.com" }),
      422,
      "storage_endpoint_refused",
    );
    await expectProblem(
      await post({ ...connectionInput("p/"), endpoint: "not a url" }),
      422,
      "storage_endpoint_refused",
    );
    await expectProblem(await post({ ...connectionInput("p/"), bucket: "" }), 422);
    await expectProblem(await post({ ...connectionInput("p/"), extra: 1 }), 422);
    const { secretAccessKey: _, ...noSecret } = connectionInput("p/");
    await expectProblem(await post(noSecret), 422);
    expect(await countRows(user.id)).toBe(0);
  });

  it("an API key needs the storage scopes", async () => {
    const user = await newUser();
    await connect(user, freshPrefix("scoped"));
    const make = await call("/api/v1/api-keys", {
      method: "POST",
      token: user.accessToken,
      json: { name: "media only", scopes: ["media:read"] },
    });
    expect(make.status, await make.clone().text()).toBe(201);
    const { secret } = await make.json<{ secret: string }>();
    await expectProblem(await call("/api/v1/storage/connections", { token: secret }), 403);
    const reader = await call("/api/v1/api-keys", {
      method: "POST",
      token: user.accessToken,
      json: { name: "storage reader", scopes: ["storage:read"] },
    });
    const readKey = (await reader.json<{ secret: string }>()).secret;
    expect((await call("/api/v1/storage/connections", { token: readKey })).status).toBe(200);
    await expectProblem(
      await call("/api/v1/storage/connections", {
        method: "POST",
        token: readKey,
        json: connectionInput("p/"),
      }),
      403,
    );
  });
});
