// The real back end of the contract in this process, for integration, store and component tests:
// a fresh temp home, the real vault (OS keychain under a test service name), the Local IoT Core on
// demand, and a client whose transport copies every message the way IPC or the WebSocket would.
//
//   const t = await startTestApi()
//   await t.api.call('things.list', {})
//   await t.close()
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiClient, createDispatcher, type ApiClient, type Transport, type WireAnswer } from '../../electron/contract'
import { createApiBackend, type ApiBackend, type NativeDialogs } from '../../electron/app/api'
import { loggedUnexpectedErrors } from '../../electron/app/api/errors'
import { AppSession } from '../../electron/app/session'
import { osKeychain } from '../../electron/core/vault'

export interface TestApi {
  api: ApiClient
  backend: ApiBackend
  session: AppSession
  home: string
  close(): Promise<void>
}

/** Messages cross as JSON, like on the WebSocket: a Date or a class instance in a result shows up here. */
const overTheWire = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T))

/** `runtime: 'electron'` with `dialogs`: the back end as Electron main runs it (app.info says electron). */
export async function startTestApi(options: { dialogs?: NativeDialogs; runtime?: 'electron' | 'browser' } = {}): Promise<TestApi> {
  const home = await mkdtemp(join(tmpdir(), 'tb-api-'))
  const keychain = osKeychain('ThingBench-test')
  const session = await AppSession.open({ home, keychain })
  const backend = createApiBackend({ session, runtime: 'browser', version: '0.0.0-test', ...options })
  // As in the app: an unexpected failure is logged to the home's log and answered readably.
  const dispatcher = createDispatcher(backend.handlers, loggedUnexpectedErrors(session.log))
  const transport: Transport = {
    call: async (method, args) => overTheWire<WireAnswer>(await dispatcher.dispatch(method, structuredClone(args))),
    subscribe: (event, listener) =>
      backend.events.connect((name, payload) => {
        if (name === event) listener(overTheWire(payload))
      })
  }
  return {
    api: createApiClient(transport),
    backend,
    session,
    home,
    close: async () => {
      await backend.close()
      await session.close()
      await keychain.deleteSecret(session.vault.keychainAccount).catch(() => false)
      await rm(home, { recursive: true, force: true })
    }
  }
}
