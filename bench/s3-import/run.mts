// npm run bench:s3-import — S3 import throughput: 1,000 small objects (1–4 KB, distinct bytes) in a
// real S3-compatible server (test/servers/s3-server.ts, SigV4 checked) imported through `wrangler
// dev` (POST /storage/connections/{id}/import, timed from the request to the job's success), then
// imported again (every object skipped). The floor, in the same run: the same listing and GETs of
// the same objects straight from the S3 server with Node's fetch (signed with aws4fetch), each
// body hashed with SHA-256, one at a time as the import reads them.
import { createHash, randomBytes } from "node:crypto";
import { AwsClient } from "aws4fetch";
import { startS3Server } from "../../test/servers/s3-server.ts";
import { freePort, machineInfo, markdownTable, startDevServer, writeResults } from "../lib/harness.mjs";

const OBJECTS = 1_000;
const DEADLINE_MS = 25 * 60_000;
const watchdog = setTimeout(() => {
  console.error(`bench:s3-import took longer than ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(2);
}, DEADLINE_MS);
watchdog.unref();

const credentials = { accessKeyId: "BENCHKEY", secretAccessKey: "bench-secret-0123456789" };
const s3 = await startS3Server({ credentials: [credentials], buckets: ["bench"] });
const client = new AwsClient({ ...credentials, region: "us-east-1", service: "s3" });
const objectUrl = (key: string) => `${s3.url}/bench/${key.split("/").map(encodeURIComponent).join("/")}`;

async function ok(res: Response) {
  if (!res.ok) throw new Error(`${res.url} → ${res.status} ${await res.text()}`);
  return res;
}

// Seed: keys with spaces and unicode in a few "folders".
for (let i = 0; i < OBJECTS; i++) {
  const body = Buffer.concat([Buffer.from(`object ${i}\n`), randomBytes(1024 + (i % 3072))]).toString(
    "base64",
  );
  await ok(await client.fetch(objectUrl(`photos/set ${i % 10}/file ü ${i}.txt`), { method: "PUT", body }));
}

async function floor(): Promise<number> {
  const started = performance.now();
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const url = new URL(`${s3.url}/bench`);
    url.searchParams.set("list-type", "2");
    url.searchParams.set("prefix", "photos/");
    if (token) url.searchParams.set("continuation-token", token);
    const xml = await (await ok(await client.fetch(url))).text();
    for (const m of xml.matchAll(/<Key>(.*?)<\/Key>/g)) keys.push(m[1]!);
    token = /<NextContinuationToken>(.*?)<\/NextContinuationToken>/.exec(xml)?.[1];
  } while (token);
  for (const key of keys) {
    const res = await ok(await client.fetch(objectUrl(key)));
    createHash("sha256")
      .update(Buffer.from(await res.arrayBuffer()))
      .digest("hex");
  }
  if (keys.length !== OBJECTS) throw new Error(`floor listed ${keys.length} keys`);
  return (performance.now() - started) / 1000;
}

/** STORAGE_CONCURRENCY settings measured, each on its own `wrangler dev` with its own state. */
const SETTINGS = (process.env.BENCH_CONCURRENCY ?? "1,4").split(",").map(Number);

async function importTwice(concurrency: number) {
  const server = await startDevServer({
    port: await freePort(),
    vars: {
      RATE_LIMITS: "login-account=1000/1000,login-ip=1000/1000,register-ip=100/100,api-user=1000000/1000000",
      STORAGE_CONCURRENCY: String(concurrency),
    },
  });
  try {
    const base = `${server.url}/api/v1`;
    const account = { email: "s3-bench@example.com", password: "A-bench-passphrase-2026" };
    const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${p}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    await ok(await post("/auth/register", account));
    const { accessToken } = (await (await ok(await post("/auth/login", account))).json()) as {
      accessToken: string;
    };
    const auth = { authorization: `Bearer ${accessToken}` };
    const created = (await (
      await ok(
        await post(
          "/storage/connections",
          { endpoint: s3.url, region: "us-east-1", bucket: "bench", prefix: "photos/", ...credentials },
          auth,
        ),
      )
    ).json()) as { connection: { id: string } };

    async function importAll(): Promise<{ seconds: number; result: Record<string, number> }> {
      const started = performance.now();
      const res = await ok(
        await post(`/storage/connections/${created.connection.id}/import`, { folder: "/s3" }, auth),
      );
      const { job } = (await res.json()) as { job: { id: string } };
      for (;;) {
        const view = (await (await ok(await fetch(`${base}/jobs/${job.id}`, { headers: auth }))).json()) as {
          job: { status: string; result: Record<string, number>; error: unknown };
        };
        if (view.job.status === "succeeded")
          return { seconds: (performance.now() - started) / 1000, result: view.job.result };
        if (["failed", "cancelled"].includes(view.job.status))
          throw new Error(JSON.stringify(view.job.error));
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const first = await importAll();
    const again = await importAll();
    if (first.result.copied !== OBJECTS || again.result.skipped !== OBJECTS)
      throw new Error(`unexpected results: ${JSON.stringify([first.result, again.result])}`);
    return { concurrency, first, again };
  } finally {
    server.stop();
  }
}

try {
  const floorBefore = await floor();
  const runs = [];
  for (const c of SETTINGS) runs.push(await importTwice(c));
  const floorAfter = await floor();
  const floorSeconds = Math.min(floorBefore, floorAfter);
  const rate = (s: number) => OBJECTS / s;
  const row = (what: string, seconds: number) => ({
    what,
    "files/s": rate(seconds).toFixed(1),
    s: seconds.toFixed(2),
    "vs floor": (floorSeconds / seconds).toFixed(3),
  });
  const rows = [
    {
      ...row("floor: list + GET + SHA-256 in Node (best of 2)", floorSeconds),
      "files/s": rate(floorSeconds).toFixed(0),
    },
    ...runs.flatMap((r) => [
      row(`import, STORAGE_CONCURRENCY ${r.concurrency} (new files)`, r.first.seconds),
      row(`import again, STORAGE_CONCURRENCY ${r.concurrency} (all skipped)`, r.again.seconds),
    ]),
  ];
  const machine = machineInfo();
  const load = (await import("node:os"))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
  writeResults(
    "s3-import",
    { machine, loadavg: load, objects: OBJECTS, floorSeconds: [floorBefore, floorAfter], runs, rows },
    `# bench:s3-import\n\n${OBJECTS} objects of 1–4 KB in the local S3-compatible server (test/servers/s3-server.ts), imported through \`wrangler dev\` (local R2/D1/queues; STORAGE_CHUNK_SIZE 50), timed from the POST to the job's success, once per STORAGE_CONCURRENCY setting (objects read at a time per delivery; 1 is the serial import before, 4 the default), each on its own \`wrangler dev\` with fresh state. Floor: the same listing and GETs straight from the S3 server with Node's fetch, one at a time, each body hashed. Run with \`nice -n 10\`. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}; load average at the end ${load} (the machine is shared: other sessions' tests ran).\n\n${markdownTable(rows)}\n\n"vs floor" is the floor's time over this row's (below 1: slower than the floor).\n`,
  );
  console.log(markdownTable(rows));
} finally {
  await s3.close();
}
