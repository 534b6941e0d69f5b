import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deviceEndpoint, operatorEndpoint } from '../../../electron/app/mqttEndpoints'
import { AppSession } from '../../../electron/app/session'
import { ConnectionManager, deviceTarget, operatorTarget } from '../../../electron/core/mqtt'
import { provision, validatePlan } from '../../../electron/core/provisioning'
import { osKeychain } from '../../../electron/core/vault'

// The app's wiring for the Local IoT Core connection: a thing provisioned through the session
// connects as itself, and an operator with the session's credentials, both through endpoints the app
// looked up (core/mqtt never sees the sandbox). aws-crt is native: this file runs in its own fork.

const keychain = osKeychain('ThingBench-test')
let home: string
let session: AppSession
const manager = new ConnectionManager()

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tb-mqtt-session-'))
  session = await AppSession.open({ home, keychain })
})
afterAll(async () => {
  await manager.closeAll()
  await session.close()
  await keychain.deleteSecret(session.vault.keychainAccount).catch(() => false)
  await rm(home, { recursive: true, force: true })
})

describe('MQTT endpoints of the local connection', () => {
  it('a thing provisioned through the session connects to the embedded Local IoT Core, and an operator watches its shadow', async () => {
    const connection = { kind: 'local' } as const
    const iot = await session.iotClient(connection)
    const checked = validatePlan({ thingName: 'lamp-app' })
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    await provision(checked.plan, { iot, vault: session.vault, journal: session.journal, connection })

    const operator = await manager.acquire(operatorTarget({ clientId: 'operator-app', ...(await operatorEndpoint(session, connection)) }))
    const seen: string[] = []
    await operator.connection.subscribe('$aws/things/lamp-app/shadow/update/accepted', 1, (m) => seen.push(Buffer.from(m.payload).toString('utf8')))

    const device = await manager.acquire(deviceTarget({ iot, vault: session.vault, thingName: 'lamp-app', endpoint: await deviceEndpoint(session, connection) }))
    await device.connection.publish('$aws/things/lamp-app/shadow/update', JSON.stringify({ state: { reported: { on: true } }, clientToken: 'app-1' }))
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1)
    expect(JSON.parse(seen[0]!)).toMatchObject({ state: { reported: { on: true } }, clientToken: 'app-1', version: 1 })
    await device.release()
    await operator.release()
  })
})
