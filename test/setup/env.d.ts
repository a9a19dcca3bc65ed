declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** test/fixtures/ over HTTP (vitest.config.ts): `GET http://fixtures/<name>` → bytes or 404. */
    FIXTURES: Fetcher;
    /** Base URL of the local webhook receiver (test/servers/webhook-receiver.ts). */
    TEST_WEBHOOK_RECEIVER: string;
  }
}
