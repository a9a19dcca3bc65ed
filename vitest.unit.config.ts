import { defineConfig } from "vitest/config";

/**
 * The pure domain modules' unit tests in plain Node, for mutation testing (`npm run test:mutation`):
 * Stryker's vitest runner cannot run inside the Workers pool. The same files run in workerd with
 * the rest of the suite (`npm test`), so they hold there too.
 */
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
  },
});
