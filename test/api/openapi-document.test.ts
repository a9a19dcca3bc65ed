import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
}

async function served(): Promise<{ paths: Record<string, Record<string, Operation>> }> {
  const res = await call("/api/v1/openapi.json");
  expect(res.status).toBe(200);
  return res.json();
}

/**
 * One operation: its operationId is new and well-formed, its security is declared, and a caller without a
 * credential is refused (401) exactly when it says one is needed. True when it needs one.
 */
async function checkOperation(path: string, method: string, op: Operation, ids: Set<string>) {
  const where = `${method.toUpperCase()} ${path}`;
  expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]+$/);
  expect(ids.has(op.operationId!), `${where}: ${op.operationId} twice`).toBe(false);
  ids.add(op.operationId!);
  expect(Array.isArray(op.security), where).toBe(true);
  const needsCredential = op.security!.length > 0 && op.security!.every((s) => Object.keys(s).length > 0);
  if (needsCredential) expect(op.security, where).toEqual([{ bearer: [] }, { cookie: [] }]);
  // What the document says about credentials is what the API does to a caller without one.
  const res = await call(`/api/v1${path.replace(/\{\w+\}/g, "x")}`, {
    method: method.toUpperCase(),
    ...(method === "get" || method === "delete" ? {} : { json: {} }),
  });
  if (needsCredential) expect(res.status, where).toBe(401);
  else expect(res.status, where).not.toBe(401);
  return needsCredential;
}

describe("the OpenAPI document, for code generators", () => {
  /**
   * docs/openapi.json is the document the Worker serves, checked in for tools that can't start it:
   * `npm run openapi:lint` (redocly) and `npm run openapi:types` (the web client's types) read it.
   * `npm run openapi:doc` rewrites it after a route changes; in CI a stale copy fails here.
   */
  it("docs/openapi.json is the served /api/v1/openapi.json", async () => {
    const document = await served();
    await expect(`${JSON.stringify(document, null, 2)}\n`).toMatchFileSnapshot("../../docs/openapi.json");
  });

  it("every operation has its own operationId and declares its security, which an anonymous call meets", async () => {
    const { paths } = await served();
    const ids = new Set<string>();
    let secured = 0;
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (await checkOperation(path, method, op, ids)) secured += 1;
      }
    }
    expect(secured).toBeGreaterThan(40);
  });
});
