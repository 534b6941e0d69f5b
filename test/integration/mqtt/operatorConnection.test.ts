import { readFile } from 'node:fs/promises'
import { UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionManager, operatorTarget, type MqttEndpoint, type OperatorCredentials, type ReceivedMessage } from '../../../electron/core/mqtt'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// Operator connections through core's connection manager: MQTT over WebSocket to the Local IoT
// Core's /mqtt endpoint, the upgrade signed with SigV4 by aws-crt with the credentials of the moment
// (aws-crt is native, one per process: this file runs in its own fork).

let sandbox: TestSandbox
let data: IoTDataPlaneClient
let endpoint: MqttEndpoint
let manager: ConnectionManager

beforeAll(async () => {
  sandbox = await startTestSandbox()
  data = dataPlaneClientFor(sandbox.core)
  const url = new URL(sandbox.core.webSocketUrl)
  endpoint = { host: url.hostname, port: Number(url.port), caPem: await readFile(sandbox.core.caCertificatePath, 'utf8') }
  manager = new ConnectionManager()
})
afterAll(async () => {
  await manager.closeAll()
  data.destroy()
  await sandbox.stop()
})

const sandboxCredentials = (): OperatorCredentials => ({ accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey })

describe('operator connections (WebSocket + SigV4)', () => {
  it("connects with the session's credentials and watches a thing's shadow documents as an HTTP update lands", async () => {
    const lease = await manager.acquire(operatorTarget({ clientId: 'operator-1', endpoint, region: sandbox.core.region, credentials: sandboxCredentials() }))
    try {
      expect(lease.connection.current).toEqual({ state: 'connected', sessionPresent: false })
      const received: ReceivedMessage[] = []
      await lease.connection.subscribe('$aws/things/ws-lamp/shadow/update/documents', 1, (m) => received.push(m))
      await data.send(new UpdateThingShadowCommand({ thingName: 'ws-lamp', payload: JSON.stringify({ state: { desired: { on: true } }, clientToken: 'op-1' }) }))
      await expect.poll(() => received.length, { timeout: 5000 }).toBe(1)
      expect(JSON.parse(Buffer.from(received[0]!.payload).toString('utf8'))).toMatchObject({ current: { state: { desired: { on: true } }, version: 1 }, clientToken: 'op-1' })
    } finally {
      await lease.release()
    }
  })

  it('asks a credentials provider (profile, SSO, environment) again at the upgrade, so refreshed credentials are used', async () => {
    let asked = 0
    const provider = async (): Promise<OperatorCredentials> => {
      asked++
      return sandboxCredentials()
    }
    const lease = await manager.acquire(operatorTarget({ clientId: 'operator-2', endpoint, region: sandbox.core.region, credentials: provider }))
    try {
      // Once to fail early with the provider's own error, once to sign the upgrade.
      expect(asked).toBe(2)
      await lease.connection.publish('$aws/things/ws-lamp/shadow/get', '{}', { qos: 1 })
    } finally {
      await lease.release()
    }
  })

  it('a wrong secret is refused at the upgrade, in plain words', async () => {
    const credentials = { ...sandboxCredentials(), secretAccessKey: 'not-the-secret' }
    await expect(manager.acquire(operatorTarget({ clientId: 'operator-3', endpoint, region: sandbox.core.region, credentials }))).rejects.toThrow(
      `Cannot connect operator client "operator-3" to localhost:${endpoint.port}: the server at localhost:${endpoint.port} refused the WebSocket upgrade: the credentials were not accepted`
    )
  })

  it('credentials that cannot be had give the provider\u2019s reason and open nothing', async () => {
    const provider = async (): Promise<OperatorCredentials> => {
      throw new Error('Token is expired. To refresh this SSO session run aws sso login with the corresponding profile.')
    }
    await expect(manager.acquire(operatorTarget({ clientId: 'operator-4', endpoint, region: sandbox.core.region, credentials: provider }))).rejects.toThrow('Token is expired')
  })
})
