import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

const bundledDependencies = [
  '@aws-sdk/client-iot',
  '@aws-sdk/credential-providers',
  '@peculiar/asn1-csr',
  '@peculiar/asn1-schema',
  '@peculiar/asn1-x509',
  '@peculiar/x509',
  '@smithy/core',
  '@smithy/signature-v4',
  'p-limit',
  'reflect-metadata',
  'ws',
  'zod'
]

// The renderer imports the contract as '@contract' (tsconfig.base.json's paths say the same).
export const contractAlias = { '@contract': resolve(__dirname, 'electron/contract') }

// One entry per process (electron-vite's vue-ts layout, with the design's folders).
export default defineConfig({
  main: {
    build: {
      // Pure-JavaScript dependencies are bundled: resolving and reading a few thousand files of the
      // AWS SDK at every start would cost a CLI command more than its work. Native modules (keychain,
      // aws-crt, serialport) stay external, loaded from node_modules (research/electron-hazards.md §1.1).
      externalizeDeps: { exclude: bundledDependencies },
      // The Electron main process, and the `thingbench` command (bin/thingbench.mjs runs out/main/cli.js),
      // which is a Node process of its own: its commands are separate chunks, loaded when they run.
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          cli: resolve(__dirname, 'electron/cli/main.ts')
        },
        // Modules run in source order across chunks: @peculiar/x509's tsyringe needs the
        // reflect-metadata polyfill (imported just before it) to have run.
        output: { strictExecutionOrder: true }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload cannot require anything, not even its own chunks: inline everything, emit CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [vue()],
    resolve: { alias: contractAlias },
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } }
    }
  }
})
