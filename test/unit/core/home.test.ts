import { describe, expect, it } from 'vitest'
import { defaultHome, homeLayout } from '../../../electron/core/home'

describe('defaultHome', () => {
  it('honours THINGBENCH_HOME so tests and scripts can isolate a run', () => {
    expect(defaultHome({ THINGBENCH_HOME: '/tmp/tb-a', HOME: '/home/u' }, 'linux')).toBe('/tmp/tb-a')
  })

  it("matches Electron's userData folder on each OS, so the app and the CLI share a home", () => {
    expect(defaultHome({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.config/ThingBench')
    expect(defaultHome({ HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe('/xdg/ThingBench')
    expect(defaultHome({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Application Support/ThingBench')
    expect(defaultHome({ USERPROFILE: 'C:\\Users\\u', APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toMatch(/AppData.Roaming.ThingBench$/)
  })

  it('lays out the vault, journal and the embedded Local IoT Core under the home', () => {
    const layout = homeLayout('/h')
    expect(layout.vaultFile).toBe('/h/vault.json')
    expect(layout.journalDir).toBe('/h/journal')
    expect(layout.sandboxDir).toBe('/h/local-iot-core')
  })
})
