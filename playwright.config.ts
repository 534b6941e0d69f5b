import { defineConfig } from '@playwright/test'

// End-to-end tests of the UI in Debian's Chromium against `thingbench serve` and a real Local IoT
// Core (one per test, see test/e2e/fixtures.ts). Never `npx playwright install`: the browser is the
// system's. One worker: each test runs its own sandbox and server on a 2-core machine.
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.THINGBENCH_CHROMIUM ?? '/usr/bin/chromium' },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1366, height: 860 }
  }
})
