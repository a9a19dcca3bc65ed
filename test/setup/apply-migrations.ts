import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Setup files run before each test file. A worker's files share its storage (vitest.config.ts:
// isolate), so only the first applies the migrations; the rest find them applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
