import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real-mode suites bring up Java services: give them room; unit tests stay fast.
    testTimeout: 30_000,
    hookTimeout: 600_000,
    pool: "forks",
  },
});
