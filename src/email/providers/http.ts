import type { EmailConfig } from "../config";
import { MailError, type Mailer } from "../mailer";

/**
 * A plain HTTP mail API in Resend's shape: `POST {EMAIL_HTTP_BASE}/emails` with a bearer token and
 * `{from, to, subject, text, html}`, answering `{id}`. The `Idempotency-Key` header makes the
 * provider drop a second send of the same event (Resend keeps keys for 24 hours), which closes the
 * window between "sent" and "recorded as sent".
 */
export function httpMailer(config: EmailConfig, fetchImpl: typeof fetch): Mailer {
  const base = config.httpBase;
  if (!base) throw new Error("EMAIL_HTTP_BASE is not set");
  return {
    name: "http",
    async send(mail) {
      let res: Response;
      try {
        res = await fetchImpl(`${base}/emails`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${config.httpToken ?? ""}`,
            "idempotency-key": mail.idempotencyKey,
          },
          body: JSON.stringify({
            from: mail.from,
            to: [mail.to],
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
          }),
        });
      } catch (error) {
        throw new MailError(`Mail API unreachable: ${String(error)}`, false);
      }
      const body = (await res.json().catch(() => ({}))) as { id?: unknown; message?: unknown };
      if (!res.ok) {
        const reason = `Mail API answered ${res.status}${typeof body.message === "string" ? `: ${body.message}` : ""}`;
        // 408, 409 (a concurrent request with the same key), 429 and 5xx are worth another try.
        const transient = res.status === 408 || res.status === 409 || res.status === 429 || res.status >= 500;
        throw new MailError(reason, !transient);
      }
      return { messageId: typeof body.id === "string" ? body.id : null };
    },
  };
}
