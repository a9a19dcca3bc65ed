import type { Db } from "../../db/client";
import { devMail } from "../../db/email-schema";
import type { Mailer } from "../mailer";

/**
 * The dev default: "sending" stores the message in D1, where the dev mailbox shows it. Keyed by the
 * outbox event id, so a re-sent event adds nothing.
 */
export function logMailer(db: Db): Mailer {
  return {
    name: "log",
    async send(mail, now) {
      await db
        .insert(devMail)
        .values({
          id: mail.idempotencyKey,
          toAddress: mail.to,
          fromAddress: mail.from,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          topic: mail.topic,
          createdAt: now.toISOString(),
        })
        .onConflictDoNothing();
      console.log(
        JSON.stringify({ level: "info", event: "mail_logged", to: mail.to, subject: mail.subject }),
      );
      return { messageId: mail.idempotencyKey };
    },
  };
}
