declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** test/fixtures/ over HTTP (vitest.config.ts): `GET http://fixtures/<name>` → bytes or 404. */
    FIXTURES: Fetcher;
  }
}
