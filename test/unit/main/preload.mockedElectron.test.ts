import { describe, expect, it, vi } from 'vitest'
import { apiMethods, type Transport } from '../../../electron/contract'

// electron/preload/index.ts with a MOCKED Electron (no binary here): contextBridge and
// ipcRenderer are stand-ins recording what the preload exposes and sends.

const bridge = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  listeners: new Map<string, Array<(...args: unknown[]) => void>>(),
  invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, result: {} }))
}))
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => bridge.exposed.set(key, value) },
  ipcRenderer: {
    invoke: bridge.invoke,
    on: (channel: string, listener: (...args: unknown[]) => void) => bridge.listeners.set(channel, [...(bridge.listeners.get(channel) ?? []), listener])
  }
}))

await import('../../../electron/preload/index')
const thingbench = bridge.exposed.get('thingbench') as Transport
const fromMain = (name: string, payload: unknown) => {
  for (const listener of bridge.listeners.get('thingbench:event') ?? []) listener({ sender: 'the IpcRendererEvent' }, name, payload)
}

describe('preload bridge (mocked Electron contextBridge and ipcRenderer)', () => {
  it('exposes exactly window.thingbench = { call, subscribe }', () => {
    expect([...bridge.exposed.keys()]).toEqual(['thingbench'])
    expect(Object.keys(thingbench).sort()).toEqual(['call', 'subscribe'])
  })

  it('forwards every contract method over thingbench:call and refuses other names without IPC', async () => {
    for (const method of Object.keys(apiMethods)) await thingbench.call(method, { probe: method })
    expect(bridge.invoke.mock.calls).toEqual(Object.keys(apiMethods).map((method) => ['thingbench:call', method, { probe: method }]))
    bridge.invoke.mockClear()
    expect(await thingbench.call('shell.exec', { cmd: 'rm -rf /' })).toMatchObject({ ok: false, error: { errorName: 'UnknownMethod' } })
    expect(bridge.invoke).not.toHaveBeenCalled()
  })

  it('delivers only the payload of the subscribed event, never the IpcRendererEvent', () => {
    const received: unknown[][] = []
    const off = thingbench.subscribe('connections.changed', (...args: unknown[]) => received.push(args))
    fromMain('connections.changed', { id: 'local' })
    fromMain('provisioning.progress', { phase: 'step' })
    expect(received).toEqual([[{ id: 'local' }]])
    off()
    fromMain('connections.changed', { id: 'local' })
    expect(received).toHaveLength(1)
    expect(bridge.listeners.get('thingbench:event')).toHaveLength(1)
  })

  it('refuses to subscribe to an event outside the contract', () => {
    expect(() => thingbench.subscribe('thingbench:call', () => {})).toThrow(/no event "thingbench:call"/)
  })
})
