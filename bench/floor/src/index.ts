// The platform's floor for `npm run bench:api`: a bare Hono worker. `GET /ping` is the least any API
// answer costs; `POST /put` is the least an upload costs — the raw body streamed into one R2 object
// while SHA-256 is taken of it, as the app's upload does, without parsing, checks or D1.
import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";

/** A Durable Object doing what the app's rate-limit bucket does per call: read and store a count. */
export class Counter extends DurableObject {
  async take(): Promise<number> {
    const n = ((await this.ctx.storage.get<number>("n")) ?? 0) + 1;
    await this.ctx.storage.put("n", n);
    return n;
  }
}

const app = new Hono<{
  Bindings: { MEDIA: R2Bucket; DB: D1Database; KV: KVNamespace; COUNTER: DurableObjectNamespace<Counter> };
}>();

app.get("/ping", (c) => c.json({ ok: true }));

// `/ping` plus one platform call each, so bench:api can price the calls a route makes in the same run.
// The log line has the fields of the app's request line (src/middleware/request-context).
app.get("/ping/log", (c) => {
  console.log(
    JSON.stringify({
      level: "info",
      event: "request",
      requestId: `req_${crypto.randomUUID()}`,
      method: c.req.method,
      route: "/ping/log",
      path: c.req.path,
      status: 200,
      durationMs: 0,
      userId: null,
    }),
  );
  return c.json({ ok: true });
});
app.get("/ping/d1", async (c) =>
  c.json({ ok: true, row: await c.env.DB.prepare("SELECT 1 AS one").first() }),
);
app.get("/ping/kv", async (c) => c.json({ ok: true, value: await c.env.KV.get("floor") }));
app.get("/ping/do", async (c) => c.json({ ok: true, n: await c.env.COUNTER.getByName("floor").take() }));
// An answer as long as `?bytes=` (bench:api passes the length of the app's 50-item media page).
const BODY_SHELL = JSON.stringify({ ok: true, pad: "" }).length;
app.get("/ping/body", (c) => {
  const bytes = Math.min(Number(c.req.query("bytes")) || 0, 1 << 20);
  return c.json({ ok: true, pad: "x".repeat(Math.max(0, bytes - BODY_SHELL)) });
});

app.post("/put", async (c) => {
  const size = Number(c.req.header("content-length"));
  const body = c.req.raw.body;
  if (!body || !Number.isSafeInteger(size)) return c.json({ error: "send a body with Content-Length" }, 411);
  const [toHash, toStore] = body.tee();
  const digest = new crypto.DigestStream("SHA-256");
  const hashing = toHash.pipeTo(digest);
  const { readable, writable } = new FixedLengthStream(size);
  const storing = toStore.pipeTo(writable);
  const key = `floor/${crypto.randomUUID()}`;
  await c.env.MEDIA.put(key, readable);
  await Promise.all([hashing, storing]);
  const sha256 = [...new Uint8Array(await digest.digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return c.json({ key, size, sha256 }, 201);
});

export default app;
