import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: [
    "./src/db/schema.ts",
    "./src/db/jobs-schema.ts",
    "./src/db/organize-schema.ts",
    "./src/db/ops-schema.ts",
    "./src/db/alerts-schema.ts",
    "./src/db/security-schema.ts",
    "./src/db/email-schema.ts",
    "./src/db/billing-schema.ts",
    "./src/db/webhooks-schema.ts",
    "./src/db/storage-schema.ts",
  ],
  out: "./migrations",
});
