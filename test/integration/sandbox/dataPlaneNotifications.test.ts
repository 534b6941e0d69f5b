import { DeleteThingShadowCommand, GetThingShadowCommand, UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { afterEach, describe, expect, it } from 'vitest'
import { dataPlaneRoutes } from '../../../electron/sandbox/dataplane/routes'
import { ShadowNotifications, type ShadowNotifier } from '../../../electron/sandbox/dataplane/notifications'
import { startSandboxHttpServer, type RunningServer } from '../../../electron/sandbox/http/server'
import { sigV4Authorizer } from '../../../electron/sandbox/http/requestAuthorizer'
import { ACCEPTED_SIGNING_NAMES } from '../../../electron/sandbox/http/sigv4'
import { ShadowBook, type ShadowMessage } from '../../../electron/sandbox/shadow'
import { dataPlaneClientFor } from '../../support/dataPlane'

// An HTTP update's `update/delta` and `update/documents` go to the data plane's ShadowNotifier (the
// MQTT broker publishes them, research/iot-core.md §1.7): the data plane's own server and routes over
// a real ShadowBook, called by @aws-sdk/client-iot-data-plane, with a recording notifier standing in
// for the broker.

const NOW_MS = Date.UTC(2026, 0, 15, 9, 30, 0)
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
const region = 'us-east-1'
const bytes = (document: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(document))

let server: RunningServer | undefined
let client: IoTDataPlaneClient | undefined

afterEach(async () => {
  client?.destroy()
  await server?.close()
})

async function serve(notifications: ShadowNotifications, shadows = new ShadowBook({ clock: () => NOW_MS }), onInternalFailure?: (error: unknown) => void): Promise<IoTDataPlaneClient> {
  server = await startSandboxHttpServer({
    routes: dataPlaneRoutes({ shadows, notifier: notifications, now: () => NOW_MS, ...(onInternalFailure ? { onInternalFailure } : {}) }),
    host: '127.0.0.1',
    port: 0,
    authorizer: sigV4Authorizer({ credentials, region, services: ACCEPTED_SIGNING_NAMES.dataPlane }),
    throttling: false
  })
  client = dataPlaneClientFor({ ...credentials, region, dataPlaneUrl: server.url })
  return client
}

function recorder(): { notifier: ShadowNotifier; published: ShadowMessage[][] } {
  const published: ShadowMessage[][] = []
  return { notifier: { publish: (messages) => void published.push([...messages]) }, published }
}

describe('notifications of HTTP updates', () => {
  it('an accepted update hands update/delta and update/documents to the plugged-in notifier', async () => {
    const notifications = new ShadowNotifications()
    const { notifier, published } = recorder()
    notifications.use(notifier)
    const data = await serve(notifications)

    await data.send(new UpdateThingShadowCommand({ thingName: 'lamp', payload: bytes({ state: { desired: { on: true } }, clientToken: 'tok-1' }) }))
    expect(published).toHaveLength(1)
    expect(published[0]!.map((message) => message.topic)).toEqual(['$aws/things/lamp/shadow/update/delta', '$aws/things/lamp/shadow/update/documents'])
    expect(published[0]![0]!.payload).toMatchObject({ state: { on: true }, version: 1, clientToken: 'tok-1' })
    expect(published[0]![1]!.payload).toMatchObject({ previous: null, current: { state: { desired: { on: true } }, version: 1 }, clientToken: 'tok-1' })

    await data.send(new UpdateThingShadowCommand({ thingName: 'lamp', shadowName: 'cfg', payload: bytes({ state: { reported: { on: true } } }) }))
    // No delta without desired: only the documents of the named shadow.
    expect(published[1]!.map((message) => message.topic)).toEqual(['$aws/things/lamp/shadow/name/cfg/update/documents'])
  })

  it('a refused update, a get and a delete publish nothing', async () => {
    const notifications = new ShadowNotifications()
    const { notifier, published } = recorder()
    notifications.use(notifier)
    const data = await serve(notifications)
    await data.send(new UpdateThingShadowCommand({ thingName: 'lamp', payload: bytes({ state: { desired: { on: true } } }) }))
    published.length = 0

    await expect(data.send(new UpdateThingShadowCommand({ thingName: 'lamp', payload: bytes({ state: { desired: { on: false } }, version: 9 }) }))).rejects.toMatchObject({
      name: 'ConflictException'
    })
    await data.send(new GetThingShadowCommand({ thingName: 'lamp' }))
    await data.send(new DeleteThingShadowCommand({ thingName: 'lamp' }))
    expect(published).toEqual([])
  })

  it('without a notifier they are dropped and the update is answered', async () => {
    const data = await serve(new ShadowNotifications())
    const answer = await data.send(new UpdateThingShadowCommand({ thingName: 'lamp', payload: bytes({ state: { desired: { on: true } } }) }))
    expect(JSON.parse(new TextDecoder().decode(answer.payload))).toMatchObject({ version: 1 })
  })

  it('a notifier that throws does not undo or fail the committed update; the failure is reported', async () => {
    const failures: unknown[] = []
    const notifications = new ShadowNotifications((error) => failures.push(error))
    notifications.use({
      publish: () => {
        throw new Error('broker is gone')
      }
    })
    const data = await serve(notifications)
    const answer = await data.send(new UpdateThingShadowCommand({ thingName: 'lamp', payload: bytes({ state: { desired: { on: true } } }) }))
    expect(JSON.parse(new TextDecoder().decode(answer.payload))).toMatchObject({ version: 1 })
    expect(failures).toEqual([new Error('broker is gone')])
    const stored = await data.send(new GetThingShadowCommand({ thingName: 'lamp' }))
    expect(JSON.parse(new TextDecoder().decode(stored.payload))).toMatchObject({ version: 1, state: { desired: { on: true } } })
  })
})

describe('a shadow that cannot be stored', () => {
  it('is refused with InternalFailureException (500), reported with its cause, and neither kept nor announced', async () => {
    const failures: unknown[] = []
    const notifications = new ShadowNotifications()
    const { notifier, published } = recorder()
    notifications.use(notifier)
    const shadows = new ShadowBook({
      clock: () => NOW_MS,
      persistence: {
        save: () => {
          throw new Error('ENOSPC: no space left on device')
        }
      }
    })
    const data = await serve(notifications, shadows, (error) => failures.push(error))
    await expect(data.send(new UpdateThingShadowCommand({ thingName: 'lamp', payload: bytes({ state: { desired: { on: true } } }) }))).rejects.toMatchObject({
      name: 'InternalFailureException',
      message: 'Internal service failure',
      $metadata: { httpStatusCode: 500 }
    })
    expect(failures).toEqual([new Error('ENOSPC: no space left on device')])
    expect(published).toEqual([])
    await expect(data.send(new GetThingShadowCommand({ thingName: 'lamp' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
  })
})
