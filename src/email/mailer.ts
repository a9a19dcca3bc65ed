import type { Db } from "../db/client";
import type { EmailConfig } from "./config";
import { httpMailer } from "./providers/http";
import { logMailer } from "./providers/log";
import { sendEmailBindingMailer } from "./providers/send-email";

/** A rendered message, ready for any provider. */
export interface OutgoingMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The outbox event id: providers that support it use it to refuse a second send of the same mail. */
  idempotencyKey: string;
  /** What produced the mail (the outbox topic), for logs and the dev mailbox. */
  topic: string;
}

export interface Mailer {
  readonly name: string;
  /** Resolves with the provider's message id; throws `MailError` when it refuses. */
  send(mail: OutgoingMail, now: Date): Promise<{ messageId: string | null }>;
}

/**
 * A provider's refusal. `permanent` ones (a malformed address, a rejected sender) fail at once;
 * the others (rate limits, 5xx, network) are retried with backoff.
 */
export class MailError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export function createMailer(config: EmailConfig, deps: { env: Env; db: Db; fetch?: typeof fetch }): Mailer {
  switch (config.provider) {
    case "log":
      return logMailer(deps.db);
    case "http":
      return httpMailer(config, deps.fetch ?? fetch);
    case "send_email":
      return sendEmailBindingMailer(deps.env);
  }
}
