import { readFileSync } from 'node:fs'
import { matchesGlob } from 'node:path'
import { describe, expect, it } from 'vitest'
import viteConfig from '../../../../electron.vite.config'
import { electronBuilderConfig } from '../../../support/electronBuilderConfig'

// serialport is native: it runs in main only, is loaded from node_modules (never bundled), and its
// binding is unpacked from the asar (research/electron-hazards.md §3.1, §7).

describe('serialport in the packaged app', () => {
  it('is a runtime dependency that electron-vite keeps external in main', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }
    expect(pkg.dependencies.serialport).toMatch(/^\^?13\./)
    const config = viteConfig as unknown as { main: { build: { externalizeDeps: { exclude: string[] } } } }
    const bundled = config.main.build.externalizeDeps.exclude
    expect(bundled.filter((name) => name === 'serialport' || name.startsWith('@serialport/'))).toEqual([])
  })

  it('has its binding (the .node prebuild and the JS that finds it) unpacked from the asar', async () => {
    const unpacked = [(await electronBuilderConfig()).asarUnpack ?? []].flat()
    const isUnpacked = (file: string) => unpacked.some((pattern) => matchesGlob(file, pattern))
    expect(isUnpacked('node_modules/@serialport/bindings-cpp/prebuilds/darwin-x64+arm64/@serialport+bindings-cpp.node')).toBe(true)
    expect(isUnpacked('node_modules/@serialport/bindings-cpp/prebuilds/win32-x64/@serialport+bindings-cpp.node')).toBe(true)
    expect(isUnpacked('node_modules/@serialport/bindings-cpp/dist/index.js')).toBe(true)
    expect((await electronBuilderConfig()).npmRebuild).toBe(false)
  })
})
