// Vectorize jobs as an API client follows them: over the WebSocket, or by polling.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { call, ORIGIN, type TestUser } from "../helpers/api";

export interface JobJson {
  id: string;
  status: string;
  attempts: number;
  progress: { stage: string; percent: number; done: number; total: number };
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

/** Opens the job's WebSocket through the Worker, as a client would. */
export async function watch(user: TestUser, jobId: string, headers: Record<string, string> = {}) {
  const res = await exports.default.fetch(
    new Request(`${ORIGIN}/api/v1/jobs/${jobId}/ws`, {
      headers: { upgrade: "websocket", authorization: `Bearer ${user.accessToken}`, ...headers },
    }),
  );
  return res;
}

/** Collects messages until the final one (or the timeout). */
export function collect(
  ws: WebSocket,
  timeoutMs = 20_000,
): Promise<{ messages: Record<string, unknown>[]; closed: number | null }> {
  const messages: Record<string, unknown>[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ messages, closed: null }), timeoutMs);
    ws.addEventListener("message", (event) => {
      messages.push(JSON.parse(String(event.data)));
    });
    ws.addEventListener("close", (event) => {
      clearTimeout(timer);
      resolve({ messages, closed: event.code });
    });
    ws.accept();
  });
}

export async function getJob(user: TestUser, id: string): Promise<JobJson> {
  const res = await call(`/api/v1/jobs/${id}`, { token: user.accessToken });
  expect(res.status).toBe(200);
  return ((await res.json()) as { job: JobJson }).job;
}

export async function waitFinal(user: TestUser, id: string, timeoutMs = 30_000): Promise<JobJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(user, id);
    if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POST /vectorize for `mediaId` with `options` (and `pricing`), then the job once it is final. */
export async function vectorized(user: TestUser, mediaId: string, options: object = {}, pricing?: string) {
  const res = await call("/api/v1/vectorize", {
    method: "POST",
    token: user.accessToken,
    json: { mediaId, options, ...(pricing ? { pricing } : {}) },
  });
  expect(res.status, await res.clone().text()).toBe(202);
  const { job } = (await res.json()) as { job: JobJson };
  return waitFinal(user, job.id, 60_000);
}
