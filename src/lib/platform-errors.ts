/**
 * Errors the platform raises when a binding is overloaded or briefly unreachable, which a client
 * should retry later: answered 503 with Retry-After, not 500. Durable Object calls mark theirs
 * (`.overloaded`, or `.retryable` on an infrastructure error, i.e. not `.remote` — one the object's own
 * code threw: Durable Objects docs, "Error handling"); D1 names its transient errors in the message
 * (D1 docs, "Retry queries").
 */
const D1_TRANSIENT = [
  "Network connection lost",
  "storage caused object to be reset",
  "reset because its code was updated",
];

export function isTransientPlatformError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const marks = error as Error & { overloaded?: unknown; retryable?: unknown; remote?: unknown };
  if (marks.overloaded === true) return true;
  if (marks.retryable === true && marks.remote !== true) return true;
  return D1_TRANSIENT.some((text) => error.message.includes(text));
}
