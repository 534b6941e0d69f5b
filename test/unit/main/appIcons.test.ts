import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appIconPath } from '../../../electron/main/appIcon'
import { electronBuilderConfig } from '../../support/electronBuilderConfig'

// The icons the installers, the window and the browser tab use: present where electron.builder.yml
// and the code say, and really the formats their names claim (a broken icon fails only at packaging).

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file)
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} has the PNG signature`).toBe(true)
  expect(bytes.toString('latin1', 12, 16), `${file} starts with IHDR`).toBe('IHDR')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

/** The square sizes an .ico holds, after checking its header and that every image lies inside the file. */
function icoSizes(file: string): number[] {
  const bytes = readFileSync(file)
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)], `${file} has the ICO header (reserved 0, type 1)`).toEqual([0, 1])
  const count = bytes.readUInt16LE(4)
  const sizes: number[] = []
  for (let i = 0; i < count; i++) {
    const entry = 6 + 16 * i
    const width = bytes[entry] || 256 // 0 means 256
    const length = bytes.readUInt32LE(entry + 8)
    const offset = bytes.readUInt32LE(entry + 12)
    expect(offset + length, `image ${i} of ${file} lies inside the file`).toBeLessThanOrEqual(bytes.length)
    sizes.push(width)
  }
  return sizes
}

/** The element types of an .icns, after checking its magic and that its length field is the file's. */
function icnsTypes(file: string): string[] {
  const bytes = readFileSync(file)
  expect(bytes.toString('latin1', 0, 4), `${file} starts with the icns magic`).toBe('icns')
  expect(bytes.readUInt32BE(4), `${file}'s length field`).toBe(bytes.length)
  const types: string[] = []
  for (let offset = 8; offset < bytes.length; offset += bytes.readUInt32BE(offset + 4)) {
    expect(bytes.readUInt32BE(offset + 4), `element at ${offset} of ${file} has a length`).toBeGreaterThan(8)
    types.push(bytes.toString('latin1', offset, offset + 4))
  }
  return types
}

describe('app icons', async () => {
  const config = await electronBuilderConfig()

  it('lie in the build resources folder the config names, with their SVG source', () => {
    expect(config.directories?.buildResources).toBe('resources/build')
    expect(existsSync(resolve('resources/build/icon.svg'))).toBe(true)
    for (const icon of [config.mac?.icon, config.win?.icon]) {
      expect(icon, 'mac and win name an icon').toBeTruthy()
      expect(dirname(resolve(icon!))).toBe(resolve('resources/build'))
    }
  })

  it('macOS: an .icns with the 512 and 1024 pixel retina images', () => {
    const types = icnsTypes(resolve(config.mac!.icon!))
    expect(types).toEqual(expect.arrayContaining(['ic09', 'ic10']))
  })

  it('Windows: an .ico with the 256 pixel image electron-builder requires, and the small ones', () => {
    expect(config.win!.icon).toMatch(/\.ico$/)
    expect(icoSizes(resolve(config.win!.icon!))).toEqual(expect.arrayContaining([16, 32, 48, 256]))
  })

  it('PNGs: 1024 for electron-builder, 512 for the window (shipped as an extraResource)', () => {
    expect(pngSize(resolve('resources/build/icon.png'))).toEqual({ width: 1024, height: 1024 })
    const windowIcon = appIconPath(resolve('resources'))
    expect(pngSize(windowIcon)).toEqual({ width: 512, height: 512 })
    const shipped = [config.extraResources ?? []].flat().some(
      (entry) => typeof entry === 'object' && resolve(entry.from ?? '.') === resolve('resources') && [entry.filter ?? []].flat().includes('build/icon-512.png')
    )
    expect(shipped, 'extraResources ships resources/build/icon-512.png').toBe(true)
  })

  it('the browser mode: index.html links a favicon that the build copies from renderer/public', () => {
    expect(readFileSync(resolve('renderer/index.html'), 'utf8')).toContain('<link rel="icon" href="/favicon.ico" />')
    expect(icoSizes(join(resolve('renderer/public'), 'favicon.ico'))).toEqual(expect.arrayContaining([16, 32]))
  })
})
