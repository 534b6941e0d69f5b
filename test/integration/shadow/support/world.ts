// One shadow test's world: a fresh Local IoT Core in-process, things provisioned by core's
// provisioning engine with the seed 'shadow' policy (key made here, in a real vault under the OS
// keychain), each connected as itself over mTLS with the key read back from the vault, and the real
// @aws-sdk/client-iot-data-plane on the HTTP data plane.
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { Journal, provision, validatePlan } from '../../../../electron/core/provisioning'
import { ShadowClient } from '../../../../electron/core/shadow'
import { osKeychain, Vault } from '../../../../electron/core/vault'
import { dataPlaneClientFor } from '../../../support/dataPlane'
import { MqttJsConnection, type MqttJsDevice } from '../../../support/mqttJsConnection'
import { startTestSandbox, type TestSandbox } from '../../../support/sandbox'

export interface ShadowWorld {
  sandbox: TestSandbox
  dataPlane: IoTDataPlaneClient
  /** The shadow client over HTTP, signed with the sandbox's credentials (an operator). */
  http: ShadowClient
  /** Provisions `thingName` with the seed shadow policy; its key comes back out of the vault. */
  provisionThing(thingName: string): Promise<MqttJsDevice>
  /** Connects as the thing (client id = thing name unless given). */
  connect(device: MqttJsDevice): Promise<MqttJsConnection>
  close(): Promise<void>
}

export async function startShadowWorld(): Promise<ShadowWorld> {
  const home = await mkdtemp(join(tmpdir(), 'tb-shadow-'))
  const sandbox = await startTestSandbox()
  const keychain = osKeychain()
  const vault = await Vault.open(join(home, 'vault.json'), keychain)
  const journal = await Journal.open(join(home, 'journal'))
  const dataPlane = dataPlaneClientFor(sandbox.core)
  const http = ShadowClient.overHttp(dataPlane)
  const gateway = { mqttHost: sandbox.core.mqttHost, mqttPort: sandbox.core.mqttPort, ca: readFileSync(sandbox.core.caCertificatePath, 'utf8') }
  const connections: MqttJsConnection[] = []
  return {
    sandbox,
    dataPlane,
    http,
    async provisionThing(thingName) {
      const checked = validatePlan({ thingName, policy: { mode: 'template', template: 'shadow' } })
      if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
      const result = await provision(checked.plan, { iot: sandbox.iot, vault, journal, connection: { kind: 'local' } })
      const privateKeyPem = await vault.get(result.certificateId)
      if (privateKeyPem === null) throw new Error(`no key in the vault for ${result.certificateId}`)
      return { thingName, certificatePem: result.certificatePem, privateKeyPem }
    },
    async connect(device) {
      const connection = await MqttJsConnection.connect(gateway, device)
      connections.push(connection)
      return connection
    },
    async close() {
      await Promise.all(connections.map((c) => c.close().catch(() => undefined)))
      await http.close()
      dataPlane.destroy()
      await sandbox.stop()
      await keychain.deleteSecret(vault.keychainAccount).catch(() => false)
      await rm(home, { recursive: true, force: true })
    }
  }
}

