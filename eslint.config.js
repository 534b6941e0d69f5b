// Lint rules, including the design's import boundaries (shared/design.md "The house"):
// a folder says which runtime its code may use.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import importAllowList from './eslint/importAllowList.js'

const node = 'node:*'
const awsSdk = ['@aws-sdk/*', '@smithy/*']
const certificates = ['@peculiar/*', 'reflect-metadata']
const nativeAndDevice = ['@napi-rs/keyring', 'aws-crt', 'aws-iot-device-sdk-v2', 'serialport', '@serialport/*']
const logging = ['pino', 'pino-roll']
const uiLibraries = ['vue', 'pinia', 'vue-router', 'naive-ui', '@codemirror/*', '@lezer/*', 'jsondiffpatch', 'uplot', 'tinykeys', '@xterm/*']

// What each folder may import (shared/design.md "The house"): its own files plus this list.
// Arrows: renderer -> contract; main, headless, cli -> app -> core, sandbox, contract; core -> contract;
// preload -> contract's names. core and sandbox never meet; only main and preload see 'electron'.
const folders = {
  'electron/contract': { allow: ['zod'], why: 'The contract is imported by everyone, so it imports nothing but zod.' },
  'electron/shared': { allow: [node], why: 'Code core and sandbox both need: Node built-ins only, no packages, no other folder.' },
  'electron/core': {
    allow: [node, 'electron/contract', 'electron/shared', ...awsSdk, ...certificates, ...nativeAndDevice, ...logging, 'p-limit', 'zod'],
    why: 'core is Electron-free and never imports the sandbox (it talks to it over AWS wire protocols), app, cli or UI.'
  },
  'electron/sandbox': {
    allow: [node, 'electron/shared', '@smithy/signature-v4', ...certificates, ...logging, 'zod', 'ws', 'aedes', 'aedes-*', 'mqtt-packet', 'websocket-stream'],
    why: 'The sandbox stands where AWS stands: it never imports core, app or the contract.'
  },
  'electron/app': {
    allow: [node, 'electron/contract', 'electron/core', 'electron/sandbox', 'electron/shared', ...awsSdk, ...logging, 'p-limit', 'zod'],
    why: 'app composes core and the sandbox for every entry point, without Electron.'
  },
  'electron/main': { allow: ['electron', node, 'electron/app', 'electron/contract', 'electron/core', 'electron/shared'] },
  'electron/headless': { allow: [node, 'electron/app', 'electron/contract', 'electron/core', 'electron/shared', 'ws'] },
  'electron/cli': { allow: [node, 'electron/app', 'electron/headless', 'electron/contract', 'electron/core', 'electron/sandbox', 'electron/shared'] },
  'electron/preload': {
    allow: ['electron', 'electron/contract/names', 'electron/main/ipcChannels'],
    allowTypes: ['electron/contract'],
    why: 'The sandboxed preload only bridges IPC: no Node, no zod, only the list of names.'
  },
  'renderer/src/stores': {
    allow: [...uiLibraries, 'renderer/src/api', 'electron/contract'],
    why: 'A store holds state and calls the contract; views and components use stores, never the other way.'
  },
  'renderer/src/api': { allow: ['vue', 'electron/contract'], why: 'The renderer talks to the back end only through the contract.' },
  'renderer/src/components': {
    allow: [...uiLibraries, 'renderer/src/stores', 'electron/contract'],
    why: 'Components are the building blocks of views: they never import a view, the layout or the router.'
  },
  'renderer/src': {
    allow: [...uiLibraries, 'electron/contract'],
    why: 'The renderer runs in a sandboxed page: it talks to the back end only through the contract (@contract); Node, AWS SDKs and native modules live in the main process.'
  }
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  ...tseslint.configs.recommended,
  // Single-file components get the same rules (import boundaries included), parsed as TypeScript.
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } }
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['electron/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.vue'],
    plugins: { thingbench: importAllowList },
    rules: { 'thingbench/allowed-imports': ['error', { folders, aliases: { '@contract': 'electron/contract' } }] }
  }
)
