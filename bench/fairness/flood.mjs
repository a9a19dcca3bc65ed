// User A's side of bench:fairness, in a worker thread of its own so that A's requests and answers
// never delay the timing of B's (main thread). `honour`: after a 429, wait its Retry-After, as a
// client keeping within its limit does; otherwise send the next request at once (a flood).
import { parentPort, workerData } from "node:worker_threads";

const { url, token, concurrency, seconds, honour } = workerData;
const statuses = {};
const end = performance.now() + seconds * 1000;

async function client() {
  while (performance.now() < end) {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, "cache-control": "no-cache" },
    });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 429 && honour) {
      const waitMs = Number(res.headers.get("retry-after") ?? 1) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, end - performance.now())));
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, client));
parentPort.postMessage(statuses);
