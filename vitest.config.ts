import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "ui/src/**/*.test.ts"],
    // e2e files each start their own gateway process; two cores on CI.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
