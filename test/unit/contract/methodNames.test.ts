import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { apiEventNames, apiMethods } from '../../../electron/contract/api'
import { eventNames, isListedEvent, isListedMethod, methodNames } from '../../../electron/contract/names'

describe('the preload’s list of contract names', () => {
  it('lists exactly the methods and events of the contract table', () => {
    expect([...methodNames].sort()).toEqual(Object.keys(apiMethods).sort())
    expect([...eventNames].sort()).toEqual([...apiEventNames].sort())
  })

  it('refuses names that are not in the contract, including inherited object keys', () => {
    expect(isListedMethod('things.list')).toBe(true)
    for (const name of ['things.drop', 'constructor', '__proto__', 'toString', '', 42, undefined]) expect(isListedMethod(name)).toBe(false)
    expect(isListedEvent('connections.changed')).toBe(true)
    expect(isListedEvent('hasOwnProperty')).toBe(false)
  })

  it('keeps the built preload free of zod and the schemas (it only bridges IPC)', () => {
    // vitest's globalSetup (test/setup/freshBuild.ts) built it from the current sources.
    const preload = readFileSync(join(__dirname, '..', '..', '..', 'out', 'preload', 'index.cjs'), 'utf8')
    expect(preload).toContain('thingbench:call')
    expect(preload).not.toMatch(/ZodError|safeParse/)
    expect(preload.length).toBeLessThan(16 * 1024)
  })
})
