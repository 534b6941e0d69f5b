import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startTestApi, type TestApi } from '../../support/apiBackend'

// electron/main/ipc.ts with a MOCKED Electron (no binary here): ipcMain and the window are
// stand-ins; the sender check, the dispatcher, the event fan-out and the back end behind them
// (handlers, session, Local IoT Core) are the real code.

const ipc = vi.hoisted(() => ({ handlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>() }))
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => Promise<unknown>) => ipc.handlers.set(channel, handler),
    removeHandler: (channel: string) => ipc.handlers.delete(channel)
  }
}))

const { bindContractToWindow } = await import('../../../electron/main/ipc')

const appUrl = 'file:///app/out/renderer/index.html'
const mainFrame = { url: `${appUrl}#/provision` }
const webContents = { mainFrame, send: vi.fn() }
const window = { webContents, isDestroyed: () => false }
let t: TestApi
beforeAll(async () => {
  t = await startTestApi()
})
afterAll(async () => {
  unbind?.()
  await t?.close()
})
let unbind: (() => void) | undefined

function invoke(event: { senderFrame: { url: string } | null; sender: unknown }, method: unknown, args: unknown = {}) {
  return ipc.handlers.get('thingbench:call')!(event, method, args)
}

describe('IPC binding (mocked Electron ipcMain and window)', () => {
  const log: string[] = []

  beforeEach(() => {
    log.length = 0
    webContents.send.mockClear()
    unbind?.()
    unbind = bindContractToWindow(window as never, appUrl, t.backend.handlers, t.backend.events, (line) => log.push(line))
  })

  it('answers a call from the main frame of our window showing the app, with the back end behind it', async () => {
    const answer = await invoke({ senderFrame: mainFrame, sender: webContents }, 'app.info')
    expect(answer).toEqual({ ok: true, result: expect.objectContaining({ home: t.home }) })
  })

  it('refuses a call from an iframe, another window, or a foreign page, and logs it', async () => {
    const iframe = { url: `${appUrl}#/x` }
    const refusals = [
      await invoke({ senderFrame: iframe, sender: webContents }, 'app.info'),
      await invoke({ senderFrame: mainFrame, sender: { mainFrame } }, 'app.info'),
      await invoke({ senderFrame: { url: 'https://attacker.example/' }, sender: { ...webContents, mainFrame: { url: 'https://attacker.example/' } } }, 'app.info'),
      await invoke({ senderFrame: null, sender: webContents }, 'app.info')
    ]
    for (const answer of refusals) expect(answer).toEqual({ ok: false, error: { errorName: 'UntrustedSender', message: expect.any(String) } })
    expect(log).toHaveLength(4)
    expect(log.every((line) => line.startsWith('Refused an IPC call to app.info'))).toBe(true)
  })

  it('validates method names and arguments like every transport', async () => {
    const trusted = { senderFrame: mainFrame, sender: webContents }
    expect(await invoke(trusted, 'fs.readFile')).toMatchObject({ ok: false, error: { errorName: 'UnknownMethod' } })
    expect(await invoke(trusted, 'app.info', { extra: 1 })).toMatchObject({ ok: false, error: { errorName: 'InvalidArguments' } })
  })

  it('sends back-end events to the window, and stops after unbinding', async () => {
    const trusted = { senderFrame: mainFrame, sender: webContents }
    expect(await invoke(trusted, 'connections.select', { id: 'local' })).toMatchObject({ ok: true })
    expect(webContents.send).toHaveBeenCalledWith('thingbench:event', 'connections.changed', expect.objectContaining({ id: 'local' }))
    unbind!()
    unbind = undefined
    t.backend.events.emit('connections.changed', { id: 'local', label: 'Local IoT Core', connection: { kind: 'local' } })
    expect(webContents.send).toHaveBeenCalledTimes(1)
    expect(ipc.handlers.has('thingbench:call')).toBe(false)
  })
})
