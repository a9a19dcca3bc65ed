/** Secrets `wrangler types` cannot see: they live in .dev.secrets locally (scripts/dev.mjs) and in `wrangler secret` when deployed. */
interface Secrets {
  /** Signs access tokens and share links; at least 32 characters. */
  AUTH_SECRET: string;
  /** With ADMIN_PASSWORD: creates the first admin when the deployment has none. */
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;
  /** Bearer token of the HTTP mail provider (EMAIL_PROVIDER=http). */
  EMAIL_HTTP_TOKEN?: string;
  /** PayPal REST app credentials; billing answers 503 without them. */
  PAYPAL_CLIENT_ID?: string;
  PAYPAL_CLIENT_SECRET?: string;
}
interface Env extends Secrets {}
declare namespace Cloudflare {
  interface Env extends Secrets {}
}
