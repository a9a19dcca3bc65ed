/** Secrets `wrangler types` cannot see: they live in .dev.secrets locally (scripts/dev.mjs) and in `wrangler secret` when deployed. */
interface Secrets {
  /** Signs access tokens and share links; at least 32 characters. */
  AUTH_SECRET: string;
  /** With ADMIN_PASSWORD: creates the first admin when the deployment has none. */
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;
}
interface Env extends Secrets {}
declare namespace Cloudflare {
  interface Env extends Secrets {}
}
