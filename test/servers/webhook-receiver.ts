import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real HTTP server that receives webhook deliveries for the tests (started by vitest.config.ts,
 * on 127.0.0.1 and a free port). `POST /hooks/<box>` records the request (method, headers, raw
 * body) in box `<box>` and answers the status that box was told to answer (`PUT /boxes/<box>`
 * `{"status": 500}`, default 204); `GET /boxes/<box>` lists what arrived.
 */
export async function startWebhookReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const boxes = new Map<string, { received: unknown[]; status: number }>();
  const box = (name: string) => {
    const found = boxes.get(name);
    if (found) return found;
    const made = { received: [] as unknown[], status: 204 };
    boxes.set(name, made);
    return made;
  };
  type Handler = (name: string, body: string, req: IncomingMessage, res: ServerResponse) => void;
  const routes: Record<string, Handler> = {
    "POST hooks": (name, body, req, res) => {
      const b = box(name);
      b.received.push({ method: req.method, headers: req.headers, body, at: new Date().toISOString() });
      res.writeHead(b.status).end(b.status >= 300 ? `refused by test box ${name}` : "");
    },
    "PUT boxes": (name, body, _req, res) => {
      box(name).status = (JSON.parse(body) as { status: number }).status;
      res.writeHead(204).end();
    },
    "GET boxes": (name, _body, _req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(box(name).received));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const [, kind, name] = (req.url ?? "").split("?")[0]!.split("/");
      const body = Buffer.concat(chunks).toString("utf8");
      const handle = name ? routes[`${req.method} ${kind}`] : undefined;
      if (handle) return handle(name!, body, req, res);
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
