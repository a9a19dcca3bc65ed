import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Storage is isolated per test file; setup files run before each file, so every file starts migrated.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
