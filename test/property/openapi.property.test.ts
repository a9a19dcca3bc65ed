import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call, newUser, ORIGIN, type TestUser } from "../helpers/api";
import { approvedOrder, capture, installPayPalStandIn } from "../helpers/paypal";
import { TINY_PNG, uploadOk } from "../media/helpers";
import { organize } from "../organize/helpers";
import {
  anyText,
  type Components,
  type GenContext,
  hostileJson,
  hostileText,
  type Schema,
  validArbitrary,
  validatorFor,
} from "./schema";

/**
 * The API as its OpenAPI document describes it, tried with generated requests: for every operation,
 * requests valid for the documented schemas (real ids mixed in) and hostile ones (wrong types, odd
 * text, wrong content types). Every answer: no 5xx, a documented status, a body that matches the
 * documented schema, problem+json for errors; a valid request is never refused as invalid; a method
 * a path doesn't have is 405. Seeded and bounded: the same requests on every run
 * (PROPERTY_SEED=<n> tries others).
 */
const SEED = Number(import.meta.env.PROPERTY_SEED ?? 20261130);
const RUNS = { valid: 12, hostile: 12 };
/** Operations that run the password KDF cost ~150 ms a request: fewer runs. */
const SLOW = /^\/(auth\/|me\/password)/;

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

const doc = await (await exports.default.fetch(new Request(`${ORIGIN}/api/v1/openapi.json`))).json<{
  paths: Record<
    string,
    Record<string, Omit<Operation, "method" | "path"> & { requestBody?: Operation["body"] }>
  >;
  components: Components;
}>();
const components = doc.components;
const METHODS = ["get", "post", "put", "patch", "delete"];
/** Reads first, then changes, then deletions, so a deletion can't take fixtures from later operations. */
const order = (m: string) => ({ get: 0, post: 1, put: 1, patch: 2, delete: 3 })[m] ?? 1;
const operations: Operation[] = Object.entries(doc.paths)
  .flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({
        method,
        path,
        parameters: (op.parameters ?? []) as Parameter[],
        body: op.requestBody,
        responses: op.responses,
      })),
  )
  .sort((a, b) => order(a.method) - order(b.method));

interface Fixtures {
  owner: TestUser;
  admin: TestUser;
  victim: TestUser;
  media: string[];
  jobs: string[];
  categories: string[];
  uploads: string[];
  keys: string[];
  shares: string[];
  tokens: string[];
  /** A captured payment of the owner's, and an approved order not captured yet. */
  payments: string[];
  orders: string[];
  webhooks: string[];
  storage: string[];
}
let fx: Fixtures;
const paypal = installPayPalStandIn();

beforeAll(async () => {
  const [owner, admin, victim] = [await newUser(), await newUser({ role: "admin" }), await newUser()];
  const png = await uploadOk(owner, TINY_PNG, "tiny.png", { folder: "/art", tags: "red" });
  const text = await uploadOk(owner, "hello", "notes.txt", { folder: "/docs" });
  const auth = { token: owner.accessToken };
  const post = async (path: string, json: unknown) => {
    const res = await call(`/api/v1${path}`, { method: "POST", ...auth, json });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return res.json<Record<string, Record<string, string>>>();
  };
  const id = (body: Record<string, Record<string, string>>, key: string) => body[key]!.id!;
  const shareBody = await post(`/media/${png.id}/shares`, {});
  const category = id(await post("/categories", { name: "Sketches", extensions: [".sketch"] }), "category");
  const upload = id(await post("/media/uploads", { name: "big.bin" }), "upload");
  const key = id(await post("/api-keys", { name: "k", scopes: ["media:read"] }), "apiKey");
  const vectorize = id(await post("/vectorize", { mediaId: png.id }), "job");
  const plan = await organize(owner, { dryRun: true });
  const paid = await approvedOrder(paypal, owner);
  expect((await capture(owner, paid.orderId)).status).toBe(200);
  const approved = await approvedOrder(paypal, owner);
  const webhook = id(
    await post("/webhooks", { url: `${env.TEST_WEBHOOK_RECEIVER}/hooks/property`, events: ["job.failed"] }),
    "webhook",
  );
  const storage = id(
    await post("/storage/connections", {
      endpoint: env.TEST_S3_ENDPOINT,
      region: "us-east-1",
      bucket: env.TEST_S3_BUCKET,
      prefix: "property/",
      accessKeyId: env.TEST_S3_ACCESS_KEY_ID,
      secretAccessKey: env.TEST_S3_SECRET_ACCESS_KEY,
    }),
    "connection",
  );
  fx = {
    owner,
    admin,
    victim,
    media: [png.id, text.id],
    jobs: [vectorize, plan.id],
    categories: [category],
    uploads: [upload],
    keys: [key],
    shares: [shareBody.share!.id!],
    tokens: [shareBody.share!.token!],
    payments: [paid.paymentId],
    orders: [approved.orderId],
    webhooks: [webhook],
    storage: [storage],
  };
});

/** Which fixtures fill a path's `{id}`, by path prefix: the first match wins (uploads before media). */
const PATH_IDS: [prefixes: string[], ids: (f: Fixtures) => string[]][] = [
  [["/media/uploads"], (f) => f.uploads],
  [["/media"], (f) => f.media],
  [["/jobs"], (f) => f.jobs],
  [["/categories"], (f) => f.categories],
  [["/api-keys"], (f) => f.keys],
  [["/admin/users"], (f) => [f.victim.id]],
  [["/billing/payments", "/admin/payments"], (f) => f.payments],
  [["/webhooks"], (f) => f.webhooks],
  [["/storage"], (f) => f.storage],
];

/** Real ids for the `id` of a path, and for id-valued fields anywhere. */
function hintsFor(path: string): GenContext["hints"] {
  const ids = PATH_IDS.find(([prefixes]) => prefixes.some((p) => path.startsWith(p)))?.[1](fx) ?? [];
  return {
    id: ids,
    shareId: fx.shares,
    token: fx.tokens,
    mediaId: fx.media,
    mediaIds: fx.media,
    ids: fx.media,
    jobIds: fx.jobs,
    parentId: fx.jobs,
    orderId: fx.orders,
    // Packs are the deployment's config (CREDIT_PACKS in wrangler.toml).
    pack: ["starter", "standard", "pro"],
    // The local S3 server (vitest.config.ts), so a valid connection can be made.
    endpoint: [env.TEST_S3_ENDPOINT],
    bucket: [env.TEST_S3_BUCKET],
    accessKeyId: [env.TEST_S3_ACCESS_KEY_ID],
    secretAccessKey: [env.TEST_S3_SECRET_ACCESS_KEY],
  };
}

/** Who calls: admins for admin routes; a fresh user for calls that end the caller's own session. */
async function actorFor(op: Operation): Promise<TestUser> {
  if (op.path.startsWith("/admin")) return fx.admin;
  if (["/auth/logout", "/me/password", "/sessions"].includes(op.path) && op.method !== "get")
    return newUser();
  return fx.owner;
}

type GeneratedBody = { type: string; value: unknown } | { type: "raw"; contentType: string; text: string };
interface GeneratedRequest {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: GeneratedBody;
}

function validRequest(op: Operation): fc.Arbitrary<GeneratedRequest> {
  const ctx: GenContext = { components, hints: hintsFor(op.path) };
  const params = (where: "path" | "query") => {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const p of op.parameters.filter((p) => p.in === where)) {
      // A query string has no null: a nullable parameter is simply left out.
      const schema = Array.isArray(p.schema.type)
        ? { ...p.schema, type: (p.schema.type as string[]).filter((t) => t !== "null") }
        : p.schema;
      model[p.name] = validArbitrary(schema, ctx, p.name);
      if (p.required || where === "path") required.push(p.name);
    }
    return fc.record(model, { requiredKeys: required });
  };
  const [type, media] = Object.entries(op.body?.content ?? {})[0] ?? [];
  const body =
    type && media
      ? validArbitrary(media.schema, ctx).map((value) => ({ type, value }))
      : fc.constant(undefined);
  return fc.record({ path: params("path"), query: params("query"), body }) as fc.Arbitrary<GeneratedRequest>;
}

function hostileRequest(op: Operation): fc.Arbitrary<GeneratedRequest> {
  const named = (where: "path" | "query") => {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const p of op.parameters.filter((p) => p.in === where)) model[p.name] = hostileText;
    return fc.record(model, { requiredKeys: where === "path" ? Object.keys(model) : [] });
  };
  const extraQuery = fc.dictionary(anyText(12, 1), hostileText, { maxKeys: 3 });
  const body = fc.oneof(
    hostileJson.map((value) => ({ type: "application/json", value })),
    fc.record({
      type: fc.constant("raw" as const),
      contentType: fc.constantFrom(
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/xml",
      ),
      text: fc.oneof(anyText(200), fc.constantFrom('{"a":', "[]", "null", "--x\r\n\r\n--x--")),
    }),
    fc.constant(undefined),
  );
  return fc
    .record({ path: named("path"), query: fc.tuple(named("query"), extraQuery), body })
    .map(({ path, query, body }) => ({ path, query: { ...query[1], ...query[0] }, body }));
}

/** A URL can't carry "." or ".." as a path segment: they are resolved away (%2E too). */
function pathSegment(value: unknown): string {
  const text = encodeURIComponent(String(value ?? "x"));
  return /^(?:\.|%2e){1,2}$/i.test(text) ? "x" : text;
}

function toRequestInit(op: Operation, req: GeneratedRequest): { url: string; init: RequestInit } {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => pathSegment(req.path[name]));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const url = `/api/v1${path}${search.size ? `?${search}` : ""}`;
  const method = op.method.toUpperCase();
  if (!req.body || op.method === "get") return { url, init: { method } };
  return { url, init: { method, ...bodyInit(req.body) } };
}

/** A generated body as sent: raw text as is, a form with the PNG for binary fields, the PNG, or JSON. */
function bodyInit(body: GeneratedBody): RequestInit {
  if ("text" in body) return { body: body.text, headers: { "content-type": body.contentType } };
  if (body.type === "multipart/form-data") {
    const form = new FormData();
    for (const [key, value] of Object.entries(body.value as Record<string, unknown>)) {
      if (value === "binary") form.append(key, new File([TINY_PNG], "tiny.png"));
      else form.append(key, Array.isArray(value) ? value.join(",") : String(value));
    }
    return { body: form };
  }
  if (body.type === "application/octet-stream")
    return {
      body: TINY_PNG,
      headers: { "content-type": body.type, "content-length": String(TINY_PNG.length) },
    };
  return { body: JSON.stringify(body.value), headers: { "content-type": body.type } };
}

/**
 * 400 and 422 codes a request valid by the document can still meet, because they are about state
 * or about fields' relation to each other, never about a field's shape.
 */
const SEMANTIC = new Set([
  // A cursor is opaque: a string the server didn't hand out is refused whatever its shape.
  "invalid_cursor",
  // A resumable upload completed before its parts make a file.
  "no_parts",
  "invalid_parts",
  // A folder move's from and to relate to each other (the root, or into itself).
  "invalid_move",
  // An emailed token that does not exist, was used or has expired; a one-time code that is not the
  // current one (it depends on the secret and the clock).
  "invalid_token",
  "otp_invalid",
  // Which credit packs exist is the deployment's config (CREDIT_PACKS).
  "unknown_pack",
  // A webhook's signature is checked with PayPal: whether it holds is never a matter of shape.
  "webhook_unverified",
  "webhook_replayed",
  // Organize: a look-alike threshold with another match kind; a rule's range with min > max or
  // after ≥ before; two rules with one id; a tag action with neither tags to add nor to remove.
  "invalid_threshold",
  "empty_range",
  "duplicate_rule_id",
  "empty_action",
  // A rule's regular expression: RE2's grammar (balanced groups, known escapes) is no JSON Schema pattern.
  "invalid_pattern",
  // Whether a webhook URL may be called depends on the host it names and the deployment
  // (ALLOW_PRIVATE_WEBHOOKS), not on the string's shape.
  "webhook_url_refused",
  // The same for a storage endpoint (ALLOW_PRIVATE_STORAGE); and whether a store accepts the
  // credentials, has the bucket or answers at all is the store's say, not the body's shape.
  "storage_endpoint_refused",
  "storage_credentials_refused",
  "storage_bucket_not_found",
  "storage_unreachable",
  "storage_request_failed",
  // An announcement's end must come after its start, and its Markdown links may only be http(s) or
  // mailto: relations between fields and inside the text, not a field's shape.
  "invalid_window",
  "unsafe_link",
  // Organize in place: a bucket prefix and a library folder exclude each other; a bucket is never
  // read, so plans that need content, and keep-both (two objects can't share a key), are refused;
  // whether objects sit under a prefix is the store's state.
  "folder_with_source",
  "bucket_content_unsupported",
  "conflict_policy_unsupported",
  "storage_prefix_empty",
  // tus requests carry Tus-Resumable (and Upload-* headers); the suite generates no headers.
  "tus_version_unsupported",
]);
/**
 * Statuses a valid request may still get: who is asking, what exists, what state it is in, how much
 * is left (credits, quota, rate), 415 for a referenced file of the wrong type (the request's own
 * body always has the documented content type), 426 for a WebSocket route called without upgrade.
 */
const STATEFUL = new Set([401, 402, 403, 404, 409, 410, 413, 415, 416, 426, 429]);

/** Statuses seen per operation for valid requests: the suite must reach past the refusals. */
const seen = new Map<string, number[]>();

async function check(op: Operation, req: GeneratedRequest, res: Response, valid: boolean) {
  const contentType = res.headers.get("content-type") ?? "";
  // binary answers (a PNG, a PDF) are read as bytes: only text is decoded
  const text = /json|text|svg|xml|postscript|dxf/.test(contentType)
    ? await res.text()
    : new TextDecoder().decode(await res.arrayBuffer());
  if (valid)
    seen.set(`${op.method.toUpperCase()} ${op.path}`, [
      ...(seen.get(`${op.method.toUpperCase()} ${op.path}`) ?? []),
      res.status,
    ]);
  const where = `${op.method.toUpperCase()} ${op.path} ${JSON.stringify(req).slice(0, 400)} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  const documented = op.responses[String(res.status)];
  expect(documented, `undocumented status: ${where}`).toBeDefined();
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (res.status >= 400) expect(type, where).toBe("application/problem+json");
  if (type.endsWith("json") && text !== "") {
    const content = documented!.content?.[type];
    expect(content, `undocumented content type ${type}: ${where}`).toBeDefined();
    const result = validatorFor(content!.schema, components).validate(JSON.parse(text));
    expect(result.valid, `${where}\n${JSON.stringify(result.errors.slice(0, 4))}`).toBe(true);
  }
  if (valid && res.status >= 400 && !STATEFUL.has(res.status)) {
    const code = (JSON.parse(text) as { code?: string }).code ?? "";
    expect(SEMANTIC.has(code), `a request valid by the document was refused: ${where}`).toBe(true);
  }
}

describe("every operation of the OpenAPI document, with generated requests", () => {
  for (const op of operations) {
    it(`${op.method.toUpperCase()} ${op.path}`, { timeout: 120_000 }, async () => {
      const actor = await actorFor(op);
      const slow = SLOW.test(op.path) ? 3 : 1;
      const send = async (req: GeneratedRequest) => {
        const { url, init } = toRequestInit(op, req);
        // A redirect is the operation's answer (documented as such), not something to follow.
        return call(url, { ...init, token: actor.accessToken, redirect: "manual" } as never);
      };
      await fc.assert(
        fc.asyncProperty(validRequest(op), async (req) => check(op, req, await send(req), true)),
        { seed: SEED, numRuns: Math.ceil(RUNS.valid / slow), endOnFailure: true },
      );
      await fc.assert(
        fc.asyncProperty(hostileRequest(op), async (req) => check(op, req, await send(req), false)),
        { seed: SEED + 1, numRuns: Math.ceil(RUNS.hostile / slow), endOnFailure: true },
      );
    });
  }
});

describe("coverage", () => {
  it("valid requests reach a success answer on most operations", () => {
    const report = [...seen].map(([op, statuses]) => `${op}: ${statuses.join(" ")}`).join("\n");
    console.log(report);
    const succeeded = [...seen.values()].filter((statuses) => statuses.some((s) => s < 300)).length;
    expect(succeeded / seen.size, report).toBeGreaterThan(0.7);
  });
});

describe("methods a path doesn't have", () => {
  it("are 405 problems with an Allow header listing the ones it has", async () => {
    const templates = Object.entries(doc.paths).map(([path, ops]) => ({
      pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`),
      methods: Object.keys(ops).filter((m) => METHODS.includes(m)),
    }));
    for (const path of Object.keys(doc.paths)) {
      const concrete = path.replace(/\{\w+\}/g, "x");
      // Every documented path this one also matches (/media/stats is a /media/{id} too).
      const allowed = new Set(templates.filter((t) => t.pattern.test(concrete)).flatMap((t) => t.methods));
      for (const method of METHODS.filter((m) => !allowed.has(m))) {
        const res = await call(`/api/v1${concrete}`, {
          method: method.toUpperCase(),
          token: fx.owner.accessToken,
        });
        const text = await res.text();
        expect(res.status, `${method} ${path}: ${text}`).toBe(405);
        expect(res.headers.get("content-type")).toContain("application/problem+json");
        const allow = (res.headers.get("allow") ?? "").split(/,\s*/).map((m) => m.toLowerCase());
        for (const m of allowed) expect(allow, `${method} ${path}`).toContain(m);
      }
    }
  });
});
