// The world of the MQTT connection tests: a Local IoT Core, a real vault (OS keychain) and journal in
// a temp home, and things provisioned into it by core's provisioning engine, as `thingbench
// provision` does. The Local IoT Core can be stopped and started again on the same ports and data
// directory, as a broker restart under connected devices.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IoTClient } from '@aws-sdk/client-iot'
import type { KeyAlgorithm, ProvisionResult } from '../../../../electron/contract'
import { deviceTarget, type MqttEndpoint, type MqttTarget } from '../../../../electron/core/mqtt'
import { Journal, provision, validatePlan } from '../../../../electron/core/provisioning'
import { osKeychain, Vault } from '../../../../electron/core/vault'
import { iotClientFor, startTestSandbox, testSecretProtector, type TestSandbox } from '../../../support/sandbox'

export interface DeviceWorld {
  sandbox: TestSandbox
  iot: IoTClient
  vault: Vault
  vaultFile: string
  endpoint: MqttEndpoint
  provisionThing(thingName: string, keyAlgorithm?: KeyAlgorithm): Promise<ProvisionResult>
  /** The thing connecting with its vault key, over mTLS to the Local IoT Core. */
  device(thingName: string, clientId?: string): MqttTarget
  /** Stops the Local IoT Core (its ports go quiet) and returns a function that starts it again on the same ports and data. */
  stopBroker(): Promise<() => Promise<void>>
  close(): Promise<void>
}

export async function startDeviceWorld(): Promise<DeviceWorld> {
  const home = await mkdtemp(join(tmpdir(), 'tb-mqtt-'))
  const dataDir = join(home, 'sandbox')
  const secretProtector = testSecretProtector()
  let sandbox = await startTestSandbox({ dataDir, secretProtector })
  const ports = { port: Number(new URL(sandbox.core.controlPlaneUrl).port), mqttPort: sandbox.core.mqttPort }
  const keychain = osKeychain()
  const vaultFile = join(home, 'vault.json')
  const vault = await Vault.open(vaultFile, keychain)
  const journal = await Journal.open(join(home, 'journal'))
  const caPem = await readFile(sandbox.core.caCertificatePath, 'utf8')
  const endpoint: MqttEndpoint = { host: sandbox.core.mqttHost, port: sandbox.core.mqttPort, caPem }
  // One client for the whole world: it keeps working across broker restarts (same port).
  const iot = iotClientFor(sandbox.core)
  let running = true

  const world: DeviceWorld = {
    get sandbox() {
      return sandbox
    },
    iot,
    vault,
    vaultFile,
    endpoint,
    async provisionThing(thingName, keyAlgorithm = 'ec') {
      const checked = validatePlan({ thingName, certificate: { mode: 'csr', keyAlgorithm } })
      if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
      return provision(checked.plan, { iot, vault, journal, connection: { kind: 'local' } })
    },
    device: (thingName, clientId) => deviceTarget({ iot, vault, thingName, clientId, endpoint }),
    async stopBroker() {
      await sandbox.stop()
      running = false
      return async () => {
        sandbox = await startTestSandbox({ dataDir, secretProtector, ...ports })
        running = true
      }
    },
    async close() {
      iot.destroy()
      if (running) await sandbox.stop()
      await keychain.deleteSecret(vault.keychainAccount).catch(() => false)
      await rm(home, { recursive: true, force: true })
    }
  }
  return world
}

/** Resolves with the first state for which `accept` holds (already current, or coming). */
export function stateReached<S extends { state: string }>(
  connection: { current: S; onState(listener: (state: S) => void): () => void },
  accept: (state: S) => boolean,
  timeoutMs = 10_000
): Promise<S> {
  if (accept(connection.current)) return Promise.resolve(connection.current)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop()
      reject(new Error(`state not reached within ${timeoutMs} ms (now ${JSON.stringify(connection.current)})`))
    }, timeoutMs)
    const stop = connection.onState((state) => {
      if (!accept(state)) return
      clearTimeout(timer)
      stop()
      resolve(state)
    })
  })
}
