import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The design's arrows (shared/design.md "The house") are an allow-list per folder, enforced by lint
// (eslint/importAllowList.js, configured in eslint.config.js). These cases prove the rule refuses a
// crossing, names what the folder may import, and stays quiet on an allowed import.
const eslint = new ESLint({ cwd: process.cwd() })

async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'thingbench/allowed-imports').map((m) => m.message)
}

const importing = (specifier: string) => `import { a } from '${specifier}'\nexport const b = a\n`
const component = (imports: string) => `<script setup lang="ts">\n${imports}\n</script>\n<template><div /></template>\n`

describe('import allow-lists per folder', () => {
  it("keeps 'electron' out of every folder but main and preload", async () => {
    for (const folder of ['core', 'sandbox', 'contract', 'shared', 'cli', 'app', 'headless'])
      expect((await refusals(`electron/${folder}/probe.ts`, importing('electron'))).join(), folder).toMatch(/may not import 'electron'/)
    expect(await refusals('electron/main/probe.ts', importing('electron'))).toEqual([])
    expect(await refusals('electron/preload/probe.ts', importing('electron'))).toEqual([])
  })

  it('keeps core and sandbox apart in both directions', async () => {
    expect((await refusals('electron/core/x/probe.ts', importing('../../sandbox/context'))).join()).toMatch(/electron\/core\/ may not import .*never imports the sandbox/)
    expect((await refusals('electron/sandbox/probe.ts', importing('../core/home'))).join()).toMatch(/electron\/sandbox\/ may not import .*never imports core/)
  })

  it('keeps core from importing what sits above it (app, cli, headless), which a ban-list let through', async () => {
    for (const above of ['../app/session', '../cli/index', '../headless/server', '../main/window'])
      expect((await refusals('electron/core/probe.ts', importing(above))).join(), above).toMatch(/may not import/)
  })

  it('lets core and sandbox both use electron/shared, and keeps shared free of packages and other folders', async () => {
    expect(await refusals('electron/core/fs/probe.ts', importing('../../shared/atomicFile'))).toEqual([])
    expect(await refusals('electron/sandbox/state/probe.ts', importing('../../shared/atomicFile'))).toEqual([])
    expect((await refusals('electron/shared/probe.ts', importing('zod'))).join()).toMatch(/Node built-ins only/)
    expect((await refusals('electron/shared/probe.ts', importing('../core/home'))).join()).toMatch(/may not import/)
    expect(await refusals('electron/shared/probe.ts', importing('node:fs'))).toEqual([])
  })

  it('refuses packages a folder does not list, by package name', async () => {
    expect((await refusals('electron/sandbox/probe.ts', importing('@aws-sdk/client-iot'))).join()).toMatch(/may not import '@aws-sdk\/client-iot'/)
    expect(await refusals('electron/core/probe.ts', importing('@aws-sdk/client-iot'))).toEqual([])
  })

  it('lets the cli and app compose core and sandbox', async () => {
    const code = "import { a } from '../core/home'\nimport { b } from '../sandbox/context'\nexport const c = [a, b]\n"
    expect(await refusals('electron/cli/probe.ts', code)).toEqual([])
    expect(await refusals('electron/app/probe.ts', code)).toEqual([])
  })

  it('keeps the contract free of everything but zod', async () => {
    expect((await refusals('electron/contract/probe.ts', importing('node:fs'))).join()).toMatch(/nothing but zod/)
    expect(await refusals('electron/contract/probe.ts', importing('zod'))).toEqual([])
  })

  it('lets the preload import only the contract’s names (types may come from the contract)', async () => {
    expect((await refusals('electron/preload/probe.ts', importing('../contract'))).join()).toMatch(/only bridges IPC/)
    expect(await refusals('electron/preload/probe.ts', importing('../contract/names'))).toEqual([])
    expect(await refusals('electron/preload/probe.ts', "import type { Transport } from '../contract/bridge'\nexport type T = Transport\n")).toEqual([])
    expect((await refusals('electron/preload/probe.ts', importing('node:fs'))).join()).toMatch(/may not import 'node:fs'/)
  })

  it('keeps Node, AWS SDKs and the back end out of the renderer; the contract comes by its alias', async () => {
    expect((await refusals('renderer/src/probe.ts', importing('node:fs'))).join()).toMatch(/sandboxed page/)
    expect((await refusals('renderer/src/probe.ts', importing('@aws-sdk/client-iot'))).join()).toMatch(/sandboxed page/)
    expect((await refusals('renderer/src/probe.ts', importing('../../electron/core/home'))).join()).toMatch(/only through the contract/)
    expect(await refusals('renderer/src/probe.ts', importing('@contract'))).toEqual([])
    expect(await refusals('renderer/src/views/probe.ts', importing('@contract/awsRules'))).toEqual([])
  })

  it('keeps stores from importing views and components from importing views', async () => {
    expect((await refusals('renderer/src/stores/probe.ts', importing('../views/registry/ThingsView.vue'))).join()).toMatch(/never the other way/)
    expect((await refusals('renderer/src/components/probe.ts', importing('../views/ConnectionsView.vue'))).join()).toMatch(/never import a view/)
    expect(await refusals('renderer/src/views/probe.ts', importing('../stores/useThingsStore'))).toEqual([])
  })

  it('applies the renderer rules to single-file components too', async () => {
    expect((await refusals('renderer/src/views/Probe.vue', component("import { a } from '../../../electron/core/home'\nconsole.log(a)"))).join()).toMatch(/only through the contract/)
    expect((await refusals('renderer/src/views/Probe.vue', component("import { ipcRenderer } from 'electron'\nconsole.log(ipcRenderer)"))).join()).toMatch(/may not import 'electron'/)
    expect(await refusals('renderer/src/views/Probe.vue', component("import { thingNameSchema } from '@contract'\nconsole.log(thingNameSchema)"))).toEqual([])
  })

  it('checks dynamic imports as well', async () => {
    expect((await refusals('electron/core/probe.ts', "export const load = () => import('../sandbox')\n")).join()).toMatch(/may not import '..\/sandbox'/)
  })
})
