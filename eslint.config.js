// Lint rules, including the design's import boundaries (shared/design.md "The house"):
// a folder says which runtime its code may use.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'

const noElectron = { name: 'electron', message: "Only electron/main and electron/preload may import 'electron'." }
const nativeForMainOnly = ['aws-crt', 'aws-iot-device-sdk-v2', 'serialport', '@serialport/*', '@napi-rs/keyring', '@aws-sdk/*']

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
    files: ['electron/core/**', 'electron/sandbox/**', 'electron/contract/**', 'electron/cli/**', 'electron/app/**', 'electron/headless/**', 'renderer/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] }
  },
  {
    files: ['electron/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ group: ['**/sandbox', '**/sandbox/**'], message: 'core/ never imports the sandbox: it talks to it over AWS wire protocols.' }]
        }
      ]
    }
  },
  {
    files: ['electron/sandbox/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ group: ['**/core', '**/core/**'], message: 'sandbox/ stands where AWS stands: it never imports core/.' }]
        }
      ]
    }
  },
  {
    files: ['electron/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ regex: '^(?!zod$|\\./)', message: 'contract/ imports nothing but zod and itself.' }]
        }
      ]
    }
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['node:*', ...nativeForMainOnly], message: 'The renderer runs in a sandboxed page: Node, AWS SDKs and native modules live in the main process.' },
            { regex: '^(\\.\\./)+electron/(?!contract)', message: 'The renderer talks to the back end only through electron/contract.' }
          ]
        }
      ]
    }
  },
  {
    files: ['electron/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', ...nativeForMainOnly], message: 'The sandboxed preload only bridges IPC.' }] }
      ]
    }
  }
)
