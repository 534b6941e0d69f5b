import { mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DescribeThingCommand, IoTClient, ListCertificatesCommand } from '@aws-sdk/client-iot'
import { afterEach, describe, expect, it } from 'vitest'
import { cliEnv, runThingbench, startThingbench } from '../../support/thingbenchProcess'

// A `thingbench provision` killed with SIGKILL half-way; the next command, whatever it is, undoes it.
describe('thingbench after a killed provision', () => {
  let home: string
  afterEach(async () => rm(home, { recursive: true, force: true }))

  it('undoes the interrupted run before doing its own work, leaving no thing and no certificate', async () => {
    home = await mkdtemp(join(tmpdir(), 'tb-cli-recovery-'))
    // The killed command is the CLI with the engine's test hook; every later one is the shipped `thingbench`.
    const killed = await startThingbench(
      ['provision', '--thing', 'lamp-k1'],
      cliEnv(home, { TB_PAUSE_AT: 'attachThingPrincipal:called' }),
      (line) => line.startsWith('PAUSED'),
      { hooked: true }
    )
    expect(killed.line).toBe('PAUSED attachThingPrincipal:called')
    killed.child.kill('SIGKILL')
    await once(killed.child, 'close')

    // Any command recovers first: here the sandbox itself, so the state can then be checked.
    const sandbox = await startThingbench(['sandbox'], cliEnv(home), (line) => line.startsWith('{'))
    try {
      expect(sandbox.stderr()).toMatch(/lamp-k1/)
      const info = JSON.parse(sandbox.line) as { controlPlaneUrl: string; region: string; accessKeyId: string; secretAccessKey: string }
      const iot = new IoTClient({
        region: info.region,
        endpoint: info.controlPlaneUrl,
        credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey }
      })
      await expect(iot.send(new DescribeThingCommand({ thingName: 'lamp-k1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
      expect((await iot.send(new ListCertificatesCommand({}))).certificates).toEqual([])
    } finally {
      sandbox.child.kill('SIGTERM')
      await once(sandbox.child, 'close')
    }
    // Nothing is left for a later command to recover.
    const again = await runThingbench(['deprovision', '--thing', 'lamp-k1', '--dry-run'], cliEnv(home))
    expect(again.stderr).not.toMatch(/Recovered/)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/lamp-k1/)
  })
})
