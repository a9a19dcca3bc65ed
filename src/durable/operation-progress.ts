import { DurableObject } from "cloudflare:workers";
import type { JobProgress } from "../db/jobs-schema";

/** What watchers receive: progress updates, then one final message. */
export type ProgressMessage = (
  | ({ type: "progress" } & JobProgress)
  | { type: "succeeded" | "failed" | "cancelled"; job: Record<string, unknown> }
) & { sentAt?: string };

const FINAL = new Set(["succeeded", "failed", "cancelled"]);
const isFinal = (m: ProgressMessage) => FINAL.has(m.type);
/** Header the Worker uses to hand over the job's current state from D1 (the object may have none yet). */
export const SNAPSHOT_HEADER = "x-operation-snapshot";

/**
 * One object per job/operation: the latest state and the WebSockets watching it. Authorization
 * happens in the Worker before a request gets here. Uses the hibernation API, so idle watchers cost
 * nothing; the latest state lives in storage and is replayed to every new watcher.
 */
export class OperationProgress extends DurableObject<Env> {
  private latest: ProgressMessage | null | undefined;

  private async load(): Promise<ProgressMessage | null> {
    if (this.latest === undefined)
      this.latest = (await this.ctx.storage.get<ProgressMessage>("latest")) ?? null;
    return this.latest;
  }

  /** Upgrade to a WebSocket: send the latest state at once; if it is final, close right after. */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);

    let latest = await this.load();
    const snapshot = request.headers.get(SNAPSHOT_HEADER);
    if (!latest && snapshot) latest = JSON.parse(snapshot) as ProgressMessage;
    if (latest) {
      server.send(JSON.stringify(latest));
      if (isFinal(latest)) server.close(1000, latest.type);
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Records a new state and sends it to every watcher. A final state closes the sockets cleanly.
   * Updates after a final state are ignored (a late retry can't reopen a finished job).
   */
  async publish(update: ProgressMessage): Promise<number> {
    const latest = await this.load();
    if (latest && isFinal(latest)) return 0;
    // `sentAt` lets clients (and the fan-out benchmark) see how fresh an update is.
    const message = { ...update, sentAt: new Date().toISOString() } as ProgressMessage;
    this.latest = message;
    await this.ctx.storage.put("latest", message);
    const text = JSON.stringify(message);
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) {
      try {
        ws.send(text);
        if (isFinal(message)) ws.close(1000, message.type);
      } catch {
        // A socket that went away mid-send is dropped by the runtime.
      }
    }
    return sockets.length;
  }

  /** The latest state, for tests and for clients that poll through the Worker. */
  async snapshot(): Promise<ProgressMessage | null> {
    return this.load();
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Watchers only listen; a ping gets the latest state back.
    if (message === "ping")
      ws.send(
        JSON.stringify(
          (await this.load()) ?? { type: "progress", stage: "queued", done: 0, total: 1, percent: 0 },
        ),
      );
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Answer the close ourselves, or the client waits ~10 s and sees 1006 (PLATFORM.md).
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }
}
