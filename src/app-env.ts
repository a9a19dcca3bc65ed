import type { BatchItem } from "drizzle-orm/batch";
import type { AnswerHeaders } from "./lib/answer-headers";
import type { Clock } from "./lib/clock";

/** Who is calling, as resolved by the auth middleware. */
export interface Principal {
  userId: string;
  role: "user" | "admin";
  email: string;
  /** Whether the account's email address is verified (buying credits and creating API keys need it). */
  emailVerified: boolean;
  /** How the caller proved who they are. */
  via: "session" | "access-token" | "api-key";
  /** The session (token family) behind a cookie or access token. */
  sessionId: string | null;
  apiKeyId: string | null;
  /** `*` for sessions and access tokens; an API key's own list otherwise. */
  scopes: readonly string[];
}

export interface IdempotencyHandle {
  /**
   * For a body the middleware can't fingerprint (an upload): claims the key for this fingerprint of
   * what the body means. Throws the stored answer (IdempotentReplay), 422 or 409 like the middleware.
   */
  claimForBody(bodyFingerprint: string): Promise<void>;
  /** Statement that records the final answer; handlers add it to their own db.batch(). */
  completeInBatch(status: number, body: unknown): BatchItem<"sqlite">;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    clock: Clock;
    principal: Principal | null;
    idempotency: IdempotencyHandle | null;
    /** Headers for the answer, put on it by requestContext once everything else ran. */
    answerHeaders: AnswerHeaders;
    /** Set by a handler when it wants the request log line to carry more context. */
    logFields: Record<string, unknown>;
    /** Hands a request to this same app in-process (the dev PayPal stand-in delivers its webhooks so). */
    selfFetch: (request: Request) => Promise<Response>;
  };
}
