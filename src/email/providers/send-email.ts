import { MailError, type Mailer } from "../mailer";

/**
 * Cloudflare's `send_email` binding (Email Service), using its structured `send({from, to, …})`
 * form. It has no idempotency key: if a consumer dies between the send and recording it, the retry
 * can send once more — the lease makes that the only way, and it needs a crash in that window.
 */
export function sendEmailBindingMailer(env: Env): Mailer {
  // Optional in practice: only deployments that mail through Cloudflare bind it.
  const binding: SendEmail | undefined = env.SEND_EMAIL;
  return {
    name: "send_email",
    async send(mail) {
      // A deploy that forgot the binding is fixed by deploying again: retry until then, the dead-letter
      // queue marks the mail failed only once the retries run out.
      if (!binding) throw new MailError("The SEND_EMAIL binding is not configured.", false);
      try {
        const result = await binding.send({
          from: parseAddress(mail.from),
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: { "X-Edgecraft-Event": mail.idempotencyKey },
        });
        return { messageId: result.messageId ?? null };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // The binding throws for addresses it may not send to; those never succeed on a retry.
        throw new MailError(message, /not allowed|invalid|verified/i.test(message));
      }
    },
  };
}

/** `Edgecraft <no-reply@x>` → `{name, email}`; a bare address stays a string. */
function parseAddress(from: string): string | EmailAddress {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(from);
  return match ? { name: match[1]!.replace(/^"|"$/g, ""), email: match[2]! } : from;
}
