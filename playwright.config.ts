import { defineConfig } from '@playwright/test';

/**
 * Two projects run the same specs: `chromium` drives the built renderer in Debian's Chromium through a
 * bridge to the real main-process router; `electron` launches the real app where an Electron binary
 * exists, and skips cleanly where it does not.
 */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  projects: [
    { name: 'chromium', metadata: { target: 'chromium' } },
    { name: 'electron', metadata: { target: 'electron' } },
  ],
});
