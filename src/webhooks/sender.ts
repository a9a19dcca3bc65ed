import { Webhook } from "standardwebhooks";

/**
 * Signing and sending one webhook message per the Standard Webhooks spec, with the spec's own
 * library: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`). Shared by every feature that sends signed
 * webhooks (endpoint deliveries here; alerts later): nothing in this file knows what is sent.
 */

/** A new signing secret in the spec's format: `whsec_` + base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `whsec_${btoa(binary)}`;
}

export interface SignedMessage {
  headers: Record<string, string>;
  body: string;
}

export function signWebhook(
  secret: string,
  message: { id: string; timestamp: Date; body: string },
): SignedMessage {
  const signature = new Webhook(secret).sign(message.id, message.timestamp, message.body);
  return {
    body: message.body,
    headers: {
      "content-type": "application/json",
      "webhook-id": message.id,
      "webhook-timestamp": String(Math.floor(message.timestamp.getTime() / 1000)),
      "webhook-signature": signature,
    },
  };
}

export interface SendOutcome {
  ok: boolean;
  /** The receiver's status code; null when no answer came (network error, timeout). */
  status: number | null;
  durationMs: number;
  /** Why it failed, for the delivery log (never the receiver's body beyond a short excerpt). */
  error: string | null;
  /** A 4xx the receiver means (410 Gone: it asks to stop); 429 and 5xx are worth retrying. */
  retryable: boolean;
}

/**
 * POSTs a signed message. Redirects are not followed (a redirect is a failure: following one could
 * lead to an address the URL check refused); 2xx is success; the answer body is read at most 1 KiB.
 */
export async function sendSignedWebhook(
  url: URL,
  message: SignedMessage,
  options: { timeoutMs: number; fetch?: typeof fetch; userAgent?: string },
): Promise<SendOutcome> {
  const started = Date.now();
  const doFetch = options.fetch ?? fetch;
  try {
    const res = await doFetch(url.toString(), {
      method: "POST",
      headers: { ...message.headers, "user-agent": options.userAgent ?? "Edgecraft-Webhooks/1.0" },
      body: message.body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const excerpt = await readExcerpt(res);
    const durationMs = Date.now() - started;
    if (res.status >= 200 && res.status < 300)
      return { ok: true, status: res.status, durationMs, error: null, retryable: false };
    return {
      ok: false,
      status: res.status,
      durationMs,
      error: refusedBecause(res, excerpt),
      retryable: res.status !== 410,
    };
  } catch (error) {
    return {
      ok: false,
      status: null,
      durationMs: Date.now() - started,
      error: unreachedBecause(error, options.timeoutMs),
      retryable: true,
    };
  }
}

/** Why a non-2xx answer failed the attempt: a redirect (never followed) or the status and body excerpt. */
function refusedBecause(res: Response, excerpt: string): string {
  if (res.status >= 300 && res.status < 400)
    return `redirect to ${res.headers.get("location") ?? "?"} (not followed)`;
  return `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ""}`;
}

/** Why no answer came: the time ran out, or the connection failed. */
function unreachedBecause(error: unknown, timeoutMs: number): string {
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
  if (timedOut) return `no answer within ${timeoutMs} ms`;
  return `could not connect: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
}

async function readExcerpt(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < 1024) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(Math.min(size, 1024));
  let at = 0;
  for (const c of chunks) {
    const n = Math.min(c.length, all.length - at);
    all.set(c.subarray(0, n), at);
    at += n;
  }
  return new TextDecoder().decode(all).replace(/\s+/g, " ").trim().slice(0, 200);
}
