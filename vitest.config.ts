import { defineConfig } from 'vitest/config'

// aws-crt and the keychain binding are native: one copy per process, so tests run in forked
// processes, never worker threads (research/electron-hazards.md §1.5).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2
  }
})
