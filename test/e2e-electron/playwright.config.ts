import { defineConfig } from '@playwright/test'

// The Electron app end to end (Playwright's _electron), for machines with an Electron binary —
// never part of `npm test` (this checkout has none). Build first, then on Linux run it with a
// display and a keychain:
//   npm run build && bash scripts/with-keyring.sh xvfb-run -a npm run test:electron
// On macOS and Windows: npm run build && npm run test:electron
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.electron.spec.ts',
  outputDir: '../../test-results/e2e-electron',
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure'
  }
})
