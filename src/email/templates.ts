import { escapeHtml } from "../lib/html";
/**
 * Transactional mail, each as plain text and HTML. Every value put into HTML goes through `escapeHtml`;
 * the plain text carries the same facts, so a client that shows either loses nothing.
 */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A paragraph of text, or a call-to-action link, or a small table of facts. */
type Block = { p: string } | { link: string; label: string } | { facts: [string, string][] };

function render(subject: string, greeting: string, blocks: Block[], footer: string): RenderedMail {
  const textParts = [greeting, ""];
  const htmlParts = [`<p>${escapeHtml(greeting)}</p>`];
  for (const block of blocks) {
    if ("p" in block) {
      textParts.push(block.p, "");
      htmlParts.push(`<p>${escapeHtml(block.p)}</p>`);
    } else if ("link" in block) {
      textParts.push(`${block.label}: ${block.link}`, "");
      htmlParts.push(
        `<p><a href="${escapeHtml(block.link)}" style="display:inline-block;padding:10px 16px;background:#1f5fbf;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(block.label)}</a></p>`,
        `<p style="font-size:12px;color:#555">Or paste this address into your browser: ${escapeHtml(block.link)}</p>`,
      );
    } else {
      for (const [k, v] of block.facts) textParts.push(`${k}: ${v}`);
      textParts.push("");
      htmlParts.push(
        `<table style="border-collapse:collapse">${block.facts
          .map(
            ([k, v]) =>
              `<tr><th style="text-align:left;padding:2px 12px 2px 0">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
          )
          .join("")}</table>`,
      );
    }
  }
  textParts.push("—", footer);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111;max-width:560px">${htmlParts.join("")}<hr><p style="font-size:12px;color:#555">${escapeHtml(footer)}</p></body></html>`;
  return { subject, text: textParts.join("\n"), html };
}

const FOOTER = "Edgecraft — you get this mail because of activity on your account.";
const ALERT_FOOTER = "Edgecraft — you get this mail because an alert rule names this address.";
const hello = (name: string | null) => (name ? `Hello ${name},` : "Hello,");

export interface Recipient {
  name: string | null;
}

export const templates = {
  verifyEmail: (r: Recipient, d: { link: string; hours: number }) =>
    render(
      "Confirm your email address",
      hello(r.name),
      [
        { p: "Please confirm that this is your email address." },
        { link: d.link, label: "Confirm my email" },
        { p: `The link works once, for ${d.hours} hours. If you did not sign up, ignore this mail.` },
      ],
      FOOTER,
    ),
  accountExists: (r: Recipient, d: { signInLink: string; resetLink: string }) =>
    render(
      "Someone tried to sign up with your email",
      hello(r.name),
      [
        {
          p: "Someone (maybe you) tried to create an Edgecraft account with this address, which already has one. Nothing was changed.",
        },
        { link: d.signInLink, label: "Sign in" },
        { p: `Forgot your password? Reset it here: ${d.resetLink}` },
      ],
      FOOTER,
    ),
  passwordReset: (r: Recipient, d: { link: string; minutes: number }) =>
    render(
      "Reset your password",
      hello(r.name),
      [
        { p: "We got a request to reset the password of your account." },
        { link: d.link, label: "Choose a new password" },
        {
          p: `The link works once, for ${d.minutes} minutes. If you did not ask for it, ignore this mail: your password stays as it is.`,
        },
      ],
      FOOTER,
    ),
  passwordChanged: (r: Recipient, d: { at: string; resetLink: string }) =>
    render(
      "Your password was changed",
      hello(r.name),
      [
        { p: `The password of your account was changed at ${d.at} (UTC). Every session was signed out.` },
        { p: `If this was not you, reset your password now: ${d.resetLink}` },
      ],
      FOOTER,
    ),
  newSignIn: (r: Recipient, d: { at: string; ip: string; device: string; sessionsLink: string }) =>
    render(
      "New sign-in to your account",
      hello(r.name),
      [
        { p: "Your account was just signed in to from a device we had not seen before." },
        {
          facts: [
            ["Time (UTC)", d.at],
            ["IP address", d.ip],
            ["Device", d.device],
          ],
        },
        { p: `If this was not you, change your password and end the session: ${d.sessionsLink}` },
      ],
      FOOTER,
    ),
  twoFactorEnabled: (r: Recipient, d: { at: string }) =>
    render(
      "Two-factor sign-in is on",
      hello(r.name),
      [
        {
          p: `Two-factor sign-in was turned on for your account at ${d.at} (UTC). Signing in now needs a code from your authenticator app or a recovery code.`,
        },
        { p: "If this was not you, reset your password at once." },
      ],
      FOOTER,
    ),
  twoFactorDisabled: (r: Recipient, d: { at: string }) =>
    render(
      "Two-factor sign-in is off",
      hello(r.name),
      [
        { p: `Two-factor sign-in was turned off for your account at ${d.at} (UTC).` },
        { p: "If this was not you, reset your password and turn it back on." },
      ],
      FOOTER,
    ),
  receipt: (
    r: Recipient,
    d: {
      paymentId: string;
      pack: string;
      credits: number;
      amount: string;
      date: string;
      captureId: string;
      link: string;
    },
  ) =>
    render(
      `Receipt: ${d.credits} Edgecraft credits`,
      hello(r.name),
      [
        { p: "Thank you for your purchase. The credits are in your account." },
        {
          facts: [
            ["Date (UTC)", d.date],
            ["Pack", d.pack],
            ["Credits", String(d.credits)],
            ["Amount", d.amount],
            ["Payment", d.paymentId],
            ["PayPal capture", d.captureId],
          ],
        },
        { link: d.link, label: "View receipt" },
      ],
      FOOTER,
    ),
  jobFailed: (r: Recipient, d: { jobId: string; type: string; reason: string; link: string }) =>
    render(
      `Your ${d.type} job failed`,
      hello(r.name),
      [
        { p: `Job ${d.jobId} (${d.type}) could not be finished: ${d.reason}` },
        { p: "Any credits it had reserved were given back." },
        { link: d.link, label: "Open the job" },
      ],
      FOOTER,
    ),
  lowCredits: (r: Recipient, d: { balance: number; link: string }) =>
    render(
      "You are running low on credits",
      hello(r.name),
      [{ p: `You have ${d.balance} credits left.` }, { link: d.link, label: "Buy credits" }],
      FOOTER,
    ),
  alert: (
    r: Recipient,
    d: {
      kind: "fired" | "resolved";
      rule: string;
      signal: string;
      value: string;
      threshold: string;
      at: string;
      link: string;
    },
  ) =>
    render(
      d.kind === "fired" ? `[ALERT] ${d.rule} is firing` : `[RESOLVED] ${d.rule}`,
      hello(r.name),
      [
        {
          p:
            d.kind === "fired"
              ? `The alert "${d.rule}" fired: ${d.signal} is ${d.value}, above its threshold of ${d.threshold}.`
              : `The alert "${d.rule}" resolved: ${d.signal} is back at ${d.value} (threshold ${d.threshold}).`,
        },
        {
          facts: [
            ["Rule", d.rule],
            ["Signal", d.signal],
            ["Value", d.value],
            ["Threshold", d.threshold],
            ["At (UTC)", d.at],
          ],
        },
        { link: d.link, label: "Open Admin → Alerts" },
      ],
      ALERT_FOOTER,
    ),
  webhookDisabled: (r: Recipient, d: { url: string; reason: string; link: string }) =>
    render(
      "A webhook endpoint was disabled",
      hello(r.name),
      [
        { p: `We stopped sending events to ${d.url}: ${d.reason}` },
        {
          p: "Events that happen while it is disabled are not sent. Fix the receiver, enable the endpoint again and resend the deliveries you need.",
        },
        { link: d.link, label: "Open webhooks" },
      ],
      FOOTER,
    ),
} satisfies Record<string, (r: Recipient, d: never) => RenderedMail>;
