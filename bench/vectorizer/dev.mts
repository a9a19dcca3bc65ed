// In local dev the queue consumer shares the isolate with every request: while a trace runs, how long
// does GET /api/v1/health take (against the same server idle), and how many progress frames reach a
// WebSocket watcher before the job ends?
import { percentile, startDevServer } from "../lib/harness.mjs";

interface Upload {
  name: string;
  bytes: Uint8Array;
  options: Record<string, unknown>;
}

async function healthLatencies(base: string, until: () => boolean, max: number): Promise<number[]> {
  const out: number[] = [];
  while (!until() && out.length < max) {
    const t0 = performance.now();
    await (await fetch(`${base}/api/v1/health`)).arrayBuffer();
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 25));
  }
  return out;
}

export async function devLatency(uploads: Upload[]) {
  const server = await startDevServer({
    vars: {
      RATE_LIMITS:
        "login-account=50/50,login-ip=200/200,register-ip=50/50,api-user=50000/50000,anon-ip=50000/50000,job-create=200/200",
    },
  });
  const base = server.url;
  try {
    const user = { email: `bench${Date.now()}@bench.test`, password: "correct-horse-battery-9" };
    const json = { "content-type": "application/json" };
    await fetch(`${base}/api/v1/auth/register`, {
      method: "POST",
      headers: json,
      body: JSON.stringify(user),
    });
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: json,
      body: JSON.stringify(user),
    });
    const auth = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
    let done = false;
    const idle = await healthLatencies(base, () => false, 40);
    const rows = [];
    for (const u of uploads) {
      const form = new FormData();
      form.append("file", new File([u.bytes], `${u.name}.png`, { type: "image/png" }));
      const up = await fetch(`${base}/api/v1/media`, { method: "POST", headers: auth, body: form });
      const media = ((await up.json()) as { media: { id: string; width: number; height: number } }).media;
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/vectorize`, {
        method: "POST",
        headers: { ...auth, ...json },
        body: JSON.stringify({ mediaId: media.id, options: u.options }),
      });
      const postMs = performance.now() - t0;
      const { job } = (await res.json()) as { job: { id: string } };
      done = false;
      let frames = 0;
      let endMs = 0;
      // Node's WebSocket (undici) takes an options object with headers; the DOM typings know only protocols.
      const ws: WebSocket = Reflect.construct(WebSocket, [
        `${base.replace("http", "ws")}/api/v1/jobs/${job.id}/ws`,
        { headers: auth },
      ]);
      ws.addEventListener("message", (e) => {
        const m = JSON.parse(String(e.data)) as { type: string };
        if (m.type === "progress") frames++;
        else {
          done = true;
          endMs = performance.now() - t0;
          ws.close();
        }
      });
      const during = await healthLatencies(base, () => done, 2000);
      rows.push({
        image: u.name,
        mp: (media.width * media.height) / 1e6,
        options: JSON.stringify(u.options),
        postMs,
        jobMs: endMs,
        progressFrames: frames,
        healthDuringP50: percentile(during, 50),
        healthDuringP95: percentile(during, 95),
        healthDuringMax: Math.max(...during),
        healthRequests: during.length,
      });
    }
    return { idleP50: percentile(idle, 50), idleMax: Math.max(...idle), rows };
  } finally {
    server.stop();
  }
}
