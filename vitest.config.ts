import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Rebuilds the CLI bundle (dist/cli) when a source is newer: some integration tests spawn it.
    globalSetup: ['test/integration/cli-build-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each start their own slapd on free ports; two workers match the 2-core machines.
    maxWorkers: 2,
  },
});
