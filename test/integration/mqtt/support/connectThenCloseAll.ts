// A process that connects as a thing through core's connection manager (its key from the vault),
// uses the connection, then calls closeAll() and nothing else: it must exit by itself.
//   node --import tsx connectThenCloseAll.ts < {"vaultFile", "controlPlaneUrl", "region", "accessKeyId", "secretAccessKey", "thingName", "endpoint"}
import { text } from 'node:stream/consumers'
import { IoTClient } from '@aws-sdk/client-iot'
import { ConnectionManager, deviceTarget, type MqttEndpoint } from '../../../../electron/core/mqtt'
import { osKeychain, Vault } from '../../../../electron/core/vault'

interface Input {
  vaultFile: string
  controlPlaneUrl: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  thingName: string
  endpoint: MqttEndpoint
}

const input = JSON.parse(await text(process.stdin)) as Input
const iot = new IoTClient({ region: input.region, endpoint: input.controlPlaneUrl, credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey } })
const vault = await Vault.open(input.vaultFile, osKeychain())
const manager = new ConnectionManager()
const { connection } = await manager.acquire(deviceTarget({ iot, vault, thingName: input.thingName, endpoint: input.endpoint }))
await connection.subscribe(`$aws/things/${input.thingName}/shadow/get/+`, 1, () => {})
await connection.publish(`$aws/things/${input.thingName}/shadow/get`, '{}', { qos: 1 })
process.stdout.write(`${JSON.stringify(connection.current)}\n`)
await manager.closeAll()
iot.destroy()
process.stdout.write(`${JSON.stringify(connection.current)}\n`)
