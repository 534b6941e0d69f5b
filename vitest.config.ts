import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// aws-crt and the keychain binding are native: one copy per process, so tests run in forked
// processes, never worker threads (research/electron-hazards.md §1.5). The Vue plugin compiles the
// renderer's single-file components for the component tests.
export default defineConfig({
  plugins: [vue()],
  test: {
    pool: 'forks',
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2
  }
})
