import { env } from "cloudflare:workers";
import { expect } from "vitest";

export interface DevMailRow {
  id: string;
  to_address: string;
  subject: string;
  text: string;
  html: string;
  topic: string;
}

/** Mail the `log` provider stored for `to`, oldest first. */
export async function mailTo(to: string): Promise<DevMailRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT * FROM dev_mail WHERE to_address = ? ORDER BY created_at, id",
  )
    .bind(to)
    .all<DevMailRow>();
  return results;
}

/**
 * Waits for the email queue's consumer to store a mail to `to` whose subject matches (the consumer
 * runs after the request, through the real queue). Returns the newest such mail.
 */
export async function waitForMail(to: string, subject: RegExp, timeoutMs = 10_000): Promise<DevMailRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await mailTo(to)).filter((m) => subject.test(m.subject));
    if (found.length > 0) return found.at(-1)!;
    if (Date.now() > deadline) {
      const all = (await mailTo(to)).map((m) => m.subject);
      expect.fail(`no mail to ${to} matching ${subject} within ${timeoutMs} ms; got: ${JSON.stringify(all)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until at least `count` mails to `to` match `subject` (each sent by the queue's consumer after
 * its request, so a fixed wait is not enough on a loaded machine), lets the queue settle, and returns
 * every match, oldest first: a caller expecting exactly `count` still sees one too many.
 */
export async function waitForMails(
  to: string,
  subject: RegExp,
  count: number,
  timeoutMs = 10_000,
): Promise<DevMailRow[]> {
  const deadline = Date.now() + timeoutMs;
  const matching = async () => (await mailTo(to)).filter((m) => subject.test(m.subject));
  while ((await matching()).length < count && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  await settledMailCount(to);
  return matching();
}

/** The `token` query parameter of the first link to `path` in a mail's text. */
export function tokenFrom(mail: DevMailRow, path: string): string {
  const match = new RegExp(`${path.replace(/\//g, "\\/")}\\?token=([^\\s]+)`).exec(mail.text);
  expect(match, `a ${path} link in: ${mail.text}`).not.toBeNull();
  return decodeURIComponent(match![1]!);
}

/** Lets queued work (mail sent after a response) settle, then counts mails to `to`. */
export async function settledMailCount(to: string, waitMs = 600): Promise<number> {
  await new Promise((r) => setTimeout(r, waitMs));
  return (await mailTo(to)).length;
}
