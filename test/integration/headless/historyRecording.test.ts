import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AppSession } from '../../../electron/app/session'
import type { ApiClient, ApiEvents } from '../../../electron/contract'
import { osKeychain } from '../../../electron/core/vault'
import { startHeadlessServer, type HeadlessServer } from '../../../electron/headless'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { apiClientFor } from './support/apiClient'
import { writeFakeRenderer } from './support/headless'

// The state history over the real WebSocket transport: a watch in the back end records every
// document it sees — whether or not a view shows it — updates made outside the app with
// @aws-sdk/client-iot-data-plane are listed by history.versions in order, and they are still there
// after the back end restarts on the same home.

const keychain = osKeychain('ThingBench-test')
let home: string
let running: { session: AppSession; server: HeadlessServer; api: ApiClient } | undefined

async function startBackEnd(): Promise<{ session: AppSession; server: HeadlessServer; api: ApiClient }> {
  const session = await AppSession.open({ home, keychain })
  const server = await startHeadlessServer({ session, rendererDir: join(home, 'renderer'), version: '9.9.9-test', log: () => {} })
  running = { session, server, api: apiClientFor(server) }
  return running
}
async function stopBackEnd(): Promise<void> {
  if (!running) return
  await running.server.close()
  await running.session.close()
  running = undefined
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tb-history-recording-'))
  await writeFakeRenderer(join(home, 'renderer'))
}, 60_000)
afterAll(async () => {
  const account = running?.session.vault.keychainAccount
  await stopBackEnd()
  if (account) await keychain.deleteSecret(account).catch(() => false)
  await rm(home, { recursive: true, force: true })
})

describe('the history records what a watch sees', () => {
  it('keeps every update made outside the app, in order with who made it, across a restart of the back end', async () => {
    const { session, api: firstApi } = await startBackEnd()
    let api = firstApi
    const outcome = await api.call('provisioning.run', { plan: { thingName: 'history-lamp' } })
    expect(outcome.outcome).toBe('provisioned')
    await api.call('shadow.update', { thingName: 'history-lamp', shadowName: 'climate', reported: { celsius: 18 } })

    const documents: Array<ApiEvents['shadow.document']> = []
    api.on('shadow.document', (payload) => documents.push(payload))
    const { watchId, document } = await api.call('shadow.watch', { thingName: 'history-lamp', shadowName: 'climate' })
    expect(document?.version).toBe(1)

    const data = dataPlaneClientFor(await session.localIotCore())
    const encoder = new TextEncoder()
    for (let celsius = 19; celsius <= 26; celsius++)
      await data.send(
        new UpdateThingShadowCommand({
          thingName: 'history-lamp',
          shadowName: 'climate',
          payload: encoder.encode(JSON.stringify({ state: { desired: { celsius }, reported: { note: `set, "by" cli\n${celsius}` } }, clientToken: `cli-${celsius}` }))
        })
      )
    await vi.waitFor(() => expect(documents.filter((d) => d.watchId === watchId).map((d) => d.document.version).at(-1)).toBe(9), { timeout: 5000 })

    const listed = await api.call('history.versions', { thingName: 'history-lamp', shadowName: 'climate', withDocuments: true })
    expect(listed.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(listed.versions[0]).toMatchObject({ source: 'get', document: { state: { reported: { celsius: 18 } } } })
    expect(listed.versions[1]).toMatchObject({ source: 'documents', clientToken: 'cli-19', previousVersion: 1, document: { state: { desired: { celsius: 19 }, reported: { celsius: 18 } } } })
    expect(listed.versions[8]!.document!.state.desired).toEqual({ celsius: 26 })
    const times = listed.versions.map((v) => v.time)
    expect([...times].sort((a, b) => a - b)).toEqual(times)
    // Only the watched shadow was recorded.
    expect((await api.call('history.versions', { thingName: 'history-lamp' })).versions).toEqual([])
    await api.call('shadow.unwatch', { watchId })

    await stopBackEnd()
    ;({ api } = await startBackEnd())
    const again = await api.call('history.versions', { thingName: 'history-lamp', shadowName: 'climate', maxResults: 5 })
    expect(again.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5])
    const rest = await api.call('history.versions', { thingName: 'history-lamp', shadowName: 'climate', nextToken: again.nextToken! })
    expect(rest.versions.map((v) => v.version)).toEqual([6, 7, 8, 9])

    const diff = await api.call('history.diff', { thingName: 'history-lamp', shadowName: 'climate', from: 2, to: 9 })
    expect(diff.changes).toEqual([
      { kind: 'changed', path: ['desired', 'celsius'], before: 19, after: 26 },
      { kind: 'changed', path: ['reported', 'note'], before: 'set, "by" cli\n19', after: 'set, "by" cli\n26' }
    ])
    const missing = await api.call('history.version', { thingName: 'history-lamp', shadowName: 'climate', version: 99 }).catch((error: Error & { errorName?: string }) => error)
    expect(missing).toMatchObject({ errorName: 'ResourceNotFoundException', message: expect.stringContaining('holds versions 1–9') })

    const exported = await api.call('history.export', { thingName: 'history-lamp', shadowName: 'climate', format: 'csv' })
    expect(exported.rows).toBe(9)
    expect(exported.path.startsWith(join(home, 'exports', 'history'))).toBe(true)
    const csv = await readFile(exported.path, 'utf8')
    expect(csv.split('\r\n')[0]).toBe('time,version,clientToken,desired.celsius,reported.celsius,reported.note')
    expect(csv).toContain(',9,cli-26,26,18,"set, ""by"" cli\n26"\r\n')
    const refused = await api.call('history.export', { thingName: 'history-lamp', format: 'jsonl', folder: 'relative/path' }).catch((error: Error & { errorName?: string }) => error)
    expect(refused).toMatchObject({ message: expect.stringContaining('folder must be an absolute path') })
  }, 90_000)
})
