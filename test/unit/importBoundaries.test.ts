import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The design's arrows (shared/design.md "The house") are enforced by lint; these cases prove the
// rule fires on a crossing and stays quiet on an allowed import.
const eslint = new ESLint({ cwd: process.cwd() })

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('import boundaries', () => {
  it("keeps 'electron' out of core, sandbox, contract, cli and app", async () => {
    for (const folder of ['core', 'sandbox', 'contract', 'cli', 'app']) {
      const messages = await restrictedImports(`electron/${folder}/probe.ts`, "import { app } from 'electron'\nexport const a = app\n")
      expect(messages.join(), folder).toMatch(/Only electron\/main and electron\/preload may import 'electron'/)
    }
  })

  it('lets electron/main import electron', async () => {
    expect(await restrictedImports('electron/main/probe.ts', "import { app } from 'electron'\nexport const a = app\n")).toEqual([])
  })

  it('keeps core and sandbox apart in both directions', async () => {
    expect((await restrictedImports('electron/core/x/probe.ts', "import { a } from '../../sandbox/context'\nexport const b = a\n")).join()).toMatch(/never imports the sandbox/)
    expect((await restrictedImports('electron/sandbox/probe.ts', "import { a } from '../core/home'\nexport const b = a\n")).join()).toMatch(/never imports core/)
  })

  it('lets the cli and app compose core and sandbox', async () => {
    const code = "import { a } from '../core/home'\nimport { b } from '../sandbox/context'\nexport const c = [a, b]\n"
    expect(await restrictedImports('electron/cli/probe.ts', code)).toEqual([])
    expect(await restrictedImports('electron/app/probe.ts', code)).toEqual([])
  })

  it('keeps the contract free of everything but zod', async () => {
    expect((await restrictedImports('electron/contract/probe.ts', "import { readFile } from 'node:fs'\nexport const r = readFile\n")).join()).toMatch(/nothing but zod/)
    expect(await restrictedImports('electron/contract/probe.ts', "import { z } from 'zod'\nexport const s = z.string()\n")).toEqual([])
  })

  it('keeps Node and native modules out of the renderer', async () => {
    expect((await restrictedImports('renderer/src/probe.ts', "import { readFile } from 'node:fs'\nexport const r = readFile\n")).join()).toMatch(/sandboxed page/)
    expect((await restrictedImports('renderer/src/probe.ts', "import { a } from '../../electron/core/home'\nexport const b = a\n")).join()).toMatch(/only through electron\/contract/)
  })

  it('applies the renderer rules to single-file components too', async () => {
    const component = (imports: string) => `<script setup lang="ts">\n${imports}\n</script>\n<template><div /></template>\n`
    expect((await restrictedImports('renderer/src/views/Probe.vue', component("import { a } from '../../../electron/core/home'\nconsole.log(a)"))).join()).toMatch(/only through electron\/contract/)
    expect((await restrictedImports('renderer/src/views/Probe.vue', component("import { ipcRenderer } from 'electron'\nconsole.log(ipcRenderer)"))).join()).toMatch(/Only electron\/main/)
    expect(await restrictedImports('renderer/src/views/Probe.vue', component("import { thingNameSchema } from '../../../electron/contract'\nconsole.log(thingNameSchema)"))).toEqual([])
  })

  it('keeps electron out of the headless server', async () => {
    expect((await restrictedImports('electron/headless/probe.ts', "import { app } from 'electron'\nexport const a = app\n")).join()).toMatch(/Only electron\/main/)
  })
})
