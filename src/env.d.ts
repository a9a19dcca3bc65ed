/** Optional secrets `wrangler types` cannot see (they are not in [secrets].required). */
interface OptionalSecrets {
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;
}
interface Env extends OptionalSecrets {}
declare namespace Cloudflare {
  interface Env extends OptionalSecrets {}
}
