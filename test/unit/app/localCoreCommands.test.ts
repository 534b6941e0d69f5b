import { describe, expect, it } from 'vitest'
import { localCoreDetails, powershellWord, shellWord } from '../../../electron/app/localCoreCommands'
import type { LocalIotCoreInfo } from '../../../electron/sandbox'

// The command lines Connections offers to copy. The POSIX lines are run with both AWS CLIs in
// test/integration/api/connectionsTest.test.ts; no PowerShell exists on this machine, so its lines
// are checked here for PowerShell's quoting rules.
const core = {
  controlPlaneUrl: 'http://127.0.0.1:4100',
  dataPlaneUrl: 'http://127.0.0.1:4101',
  deviceDataPlaneUrl: 'https://127.0.0.1:4102',
  mqttHost: '127.0.0.1',
  mqttPort: 8883,
  webSocketUrl: 'wss://127.0.0.1:4103/mqtt',
  region: 'eu-west-1',
  accessKeyId: 'AKIALOCALCORE',
  secretAccessKey: "se/cret+it's",
  caCertificatePath: 'C:\\Users\\Ada Lovelace\\ThingBench\\ca.pem'
} as unknown as LocalIotCoreInfo

describe('the Local IoT Core command lines', () => {
  it('quote a word only when a shell would split or expand it, each in its own way', () => {
    expect(shellWord('eu-west-1')).toBe('eu-west-1')
    expect(powershellWord('eu-west-1')).toBe('eu-west-1')
    expect(shellWord("it's $HOME")).toBe(`'it'\\''s $HOME'`)
    expect(powershellWord("it's $HOME")).toBe(`'it''s $HOME'`)
  })

  it('give every command in both shells, with the same words', () => {
    const { commands } = localCoreDetails(core)
    const byId = Object.fromEntries(commands.map((c) => [c.id, c]))
    expect(byId.credentials!.powershell.split('\n')).toEqual([
      `$env:AWS_ACCESS_KEY_ID = 'AKIALOCALCORE'`,
      `$env:AWS_SECRET_ACCESS_KEY = 'se/cret+it''s'`,
      `$env:AWS_REGION = 'eu-west-1'; $env:AWS_DEFAULT_REGION = 'eu-west-1'`
    ])
    expect(byId.credentials!.command).toContain(`export AWS_SECRET_ACCESS_KEY='se/cret+it'\\''s'`)
    expect(byId['get-thing-shadow']!.powershell).toBe(
      'aws iot-data get-thing-shadow --thing-name THING_NAME --endpoint-url http://127.0.0.1:4101 shadow.json; Get-Content shadow.json'
    )
    // A path with spaces and a topic with `$` stay one word, unexpanded.
    expect(byId['mosquitto-sub']!.powershell).toContain(`--cafile 'C:\\Users\\Ada Lovelace\\ThingBench\\ca.pem'`)
    expect(byId['mosquitto-sub']!.powershell).toContain(`-t '$aws/things/THING_NAME/shadow/update/documents'`)
  })
})
