import { CreateThingCommand, IoTClient } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NativeDialogs } from '../../../electron/app/api'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { motoCredentials, motoServerPath, startMotoServer, type RunningMoto } from '../../support/motoServer'

// things.connectivity against an AWS that cannot say whether a device is connected (moto has no
// GetThingConnectivityData; AWS answers it only with connectivity indexing on): the back end says
// it is not known, and why, instead of failing or calling the device offline. moto.test.ts checks
// that moto_server is on PATH (CI fails without it).

describe.runIf(motoServerPath)('things.connectivity against moto', () => {
  let moto: RunningMoto
  let t: TestApi
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }

  beforeAll(async () => {
    moto = await startMotoServer()
    // A saved endpoint connection takes the default credential chain, as the CLI does.
    process.env.AWS_ACCESS_KEY_ID = motoCredentials.accessKeyId
    process.env.AWS_SECRET_ACCESS_KEY = motoCredentials.secretAccessKey
    // As in Electron: the person confirms the endpoint in the app's dialog.
    const dialogs: NativeDialogs = { chooseExportFolder: async () => null, chooseFolder: async () => null, pickCertificateFile: async () => null, confirmEndpoint: async () => true }
    t = await startTestApi({ dialogs })
    await t.api.call('connections.addEndpoint', { url: moto.endpoint, region: motoCredentials.region, label: 'moto' })
    await t.api.call('connections.select', { id: `endpoint:${moto.endpoint}` })
    const iot = new IoTClient({ region: motoCredentials.region, endpoint: moto.endpoint, credentials: motoCredentials, maxAttempts: 1 })
    await iot.send(new CreateThingCommand({ thingName: 'moto-lamp' }))
    iot.destroy()
  }, 60_000)

  afterAll(async () => {
    await t?.close()
    await moto?.stop()
    for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('answers not known, with the reason, for a thing the account has', async () => {
    const answer = await t.api.call('things.connectivity', { thingName: 'moto-lamp' })
    expect(answer.known).toBe(false)
    if (!answer.known) {
      expect(answer.why).toMatch(/^The account did not answer GetThingConnectivityData \(\w+: .+\); AWS answers it once fleet indexing's thing connectivity mode is on\.$/)
      expect(answer.why).not.toContain('\n')
    }
  })
})
