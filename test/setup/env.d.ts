declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** test/fixtures/ over HTTP (vitest.config.ts): `GET http://fixtures/<name>` → bytes or 404. */
    FIXTURES: Fetcher;
    /** Base URL of the local webhook receiver (test/servers/webhook-receiver.ts). */
    TEST_WEBHOOK_RECEIVER: string;
    /** The local S3-compatible server (test/servers/s3-server.ts): base URL, its one bucket and key. */
    TEST_S3_ENDPOINT: string;
    TEST_S3_BUCKET: string;
    TEST_S3_ACCESS_KEY_ID: string;
    TEST_S3_SECRET_ACCESS_KEY: string;
  }
}

/** Vitest hands the process environment to tests as `import.meta.env` (e.g. PROPERTY_SEED). */
interface ImportMeta {
  readonly env: Record<string, string | undefined>;
}
