import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { contractAlias } from './electron.vite.config'

// aws-crt and the keychain binding are native: one copy per process, so tests run in forked
// processes, never worker threads (research/electron-hazards.md §1.5). The Vue plugin compiles the
// renderer's single-file components for the component tests.
export default defineConfig({
  plugins: [vue()],
  resolve: { alias: contractAlias },
  test: {
    pool: 'forks',
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // The CLI and serve tests run the build, as users do: rebuilt first when older than its sources.
    globalSetup: ['test/setup/freshBuild.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2
  }
})
