import { readFile } from "node:fs/promises";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
const corpusRoot = path.resolve(import.meta.dirname, "../shared/corpus");

/**
 * Tests reach the shared image corpus through this service binding: workerd has no file system,
 * and the corpus must not be copied into the repo. `GET http://corpus/clipart/x.png` → bytes or 404.
 */
async function serveCorpus(request: Request): Promise<Response> {
  const relative = decodeURIComponent(new URL(request.url).pathname).replace(/^\/+/, "");
  const file = path.resolve(corpusRoot, relative);
  if (!file.startsWith(`${corpusRoot}${path.sep}`)) return new Response("outside corpus", { status: 400 });
  try {
    return new Response(await readFile(file));
  } catch {
    return new Response("not found", { status: 404 });
  }
}

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: migrations,
          AUTH_SECRET: "test-secret-that-is-long-enough-0123456789",
          JOB_RETRY_BASE_SECONDS: "0",
          // Small organize chunks so a few hundred test files span many deliveries.
          ORGANIZE_CHUNK_SIZE: "40",
          // Small, slow-refilling buckets so limits are reached quickly and no refill happens mid-test.
          RATE_LIMITS:
            "login-account=8/1,login-account-client=3/1,login-ip=50/600,register-ip=3/1,api-user=600/600,anon-ip=40/1,share-ip=20/1,job-create=30/60,organize-user=10/0.1667,otp-account=4/1,password-reset-ip=50/600,password-reset-account=3/1,verify-resend=3/1,billing-user=100/600",
          // Tests play the edge: each request's CF-Connecting-IP is its client (test/helpers/api.ts).
          TRUST_CF_CONNECTING_IP: "true",
          EMAIL_RETRY_BASE_SECONDS: "0",
          // PayPal: test/helpers/paypal.ts routes fetches to this base to the local stand-in.
          PAYPAL_API_BASE: "https://paypal.test",
          PAYPAL_WEBHOOK_ID: "TESTWEBHOOK",
          PAYPAL_CLIENT_ID: "test-client",
          PAYPAL_CLIENT_SECRET: "test-client-secret",
        },
        serviceBindings: { CORPUS: serveCorpus },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    setupFiles: ["./test/setup/apply-migrations.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
