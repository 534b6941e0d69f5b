import { CreateThingCommand, DeleteThingCommand, DescribeThingCommand } from '@aws-sdk/client-iot'
import {
  ConflictException,
  DeleteThingShadowCommand,
  GetThingShadowCommand,
  InvalidRequestException,
  IoTDataPlaneClient,
  ListNamedShadowsForThingCommand,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
  UnsupportedDocumentEncodingException,
  UpdateThingShadowCommand
} from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataPlaneClientFor, signedDataPlaneFetch } from '../../support/dataPlane'
import { refusal } from '../../support/refusal'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// The Device Shadow HTTP API through @aws-sdk/client-iot-data-plane, unmodified, against the Local
// IoT Core's data-plane endpoint: AWS's documents, versions, limits and refusals (research/iot-core.md
// §1, mqtt-shadow.md §5). The sandbox's clock is fixed so timestamps can be asserted.

const NOW_MS = Date.UTC(2026, 0, 15, 9, 30, 0)
const NOW_S = NOW_MS / 1000

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const bytes = (document: unknown): Uint8Array => encoder.encode(typeof document === 'string' ? document : JSON.stringify(document))
const parsed = (payload: Uint8Array | undefined): Record<string, unknown> => JSON.parse(decoder.decode(payload)) as Record<string, unknown>

let sandbox: TestSandbox
let data: IoTDataPlaneClient

beforeAll(async () => {
  sandbox = await startTestSandbox({ now: () => NOW_MS })
  data = dataPlaneClientFor(sandbox.core)
})
afterAll(async () => {
  data.destroy()
  await sandbox.stop()
})

async function update(thingName: string, document: unknown, shadowName?: string): Promise<Record<string, unknown>> {
  return parsed((await data.send(new UpdateThingShadowCommand({ thingName, shadowName, payload: bytes(document) }))).payload)
}

async function get(thingName: string, shadowName?: string): Promise<Record<string, unknown>> {
  return parsed((await data.send(new GetThingShadowCommand({ thingName, shadowName }))).payload)
}

/** The stored shadow's version, or undefined when it does not exist: to show that a refusal changed nothing. */
async function versionOf(thingName: string, shadowName?: string): Promise<number | undefined> {
  try {
    return (await get(thingName, shadowName)).version as number
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined
    throw error
  }
}

describe('the data plane endpoint', () => {
  it('is its own HTTP endpoint on loopback, apart from the control plane', () => {
    expect(sandbox.core.dataPlaneUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(sandbox.core.dataPlaneUrl).not.toBe(sandbox.core.controlPlaneUrl)
  })

  it.each(['iotdata', 'iotdevicegateway'])("accepts requests signed for '%s'", async (service) => {
    await update('signing-lamp', { state: { reported: { on: true } } })
    const response = await signedDataPlaneFetch(sandbox.core, { method: 'GET', path: '/things/signing-lamp/shadow', service })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { state: unknown }).state).toEqual({ reported: { on: true } })
  })

  it.each(['iot', 'execute-api'])("refuses requests signed for the control plane's '%s' with InvalidSignatureException (403)", async (service) => {
    const response = await signedDataPlaneFetch(sandbox.core, { method: 'GET', path: '/things/signing-lamp/shadow', service })
    expect(response.status).toBe(403)
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException')
    expect(await response.json()).toEqual({ message: `Credential should be scoped to correct service: 'iotdata' or 'iotdevicegateway', not '${service}'.` })
  })

  it('does not serve the control plane, nor the data plane on the control-plane endpoint', async () => {
    const onDataPlane = await signedDataPlaneFetch(sandbox.core, { method: 'GET', path: '/policies' })
    expect(onDataPlane.status).toBe(404)
    const controlPlaneData = new IoTDataPlaneClient({
      region: sandbox.core.region,
      endpoint: sandbox.core.controlPlaneUrl,
      credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey },
      maxAttempts: 1
    })
    const error = await refusal(controlPlaneData.send(new GetThingShadowCommand({ thingName: 'signing-lamp' })))
    controlPlaneData.destroy()
    expect(error).toMatchObject({ name: 'InvalidSignatureException', status: 403 })
  })
})

describe('the classic shadow over HTTP', () => {
  it('update answers the accepted document: the request state echoed, its metadata, version 1', async () => {
    const accepted = await update('lamp-1', { state: { desired: { color: 'red', brightness: 80 } } })
    expect(accepted).toEqual({
      state: { desired: { color: 'red', brightness: 80 } },
      metadata: { desired: { color: { timestamp: NOW_S }, brightness: { timestamp: NOW_S } } },
      version: 1,
      timestamp: NOW_S
    })
  })

  it('get answers the whole document with the delta of desired against reported', async () => {
    await update('lamp-1', { state: { reported: { color: 'blue', brightness: 80 } } })
    expect(await get('lamp-1')).toEqual({
      state: { desired: { color: 'red', brightness: 80 }, reported: { color: 'blue', brightness: 80 }, delta: { color: 'red' } },
      metadata: {
        desired: { color: { timestamp: NOW_S }, brightness: { timestamp: NOW_S } },
        reported: { color: { timestamp: NOW_S }, brightness: { timestamp: NOW_S } }
      },
      version: 2,
      timestamp: NOW_S
    })
  })

  it('merges: null deletes a key, arrays are replaced whole', async () => {
    await update('lamp-merge', { state: { desired: { modes: ['eco', 'boost'], color: 'red', timer: { on: 5 } } } })
    await update('lamp-merge', { state: { desired: { modes: ['night'], color: null, timer: { off: 9 } } } })
    expect((await get('lamp-merge')).state).toEqual({ desired: { modes: ['night'], timer: { on: 5, off: 9 } }, delta: { modes: ['night'], timer: { on: 5, off: 9 } } })
  })

  it('echoes the clientToken of an update', async () => {
    const accepted = await update('lamp-token', { state: { reported: { on: false } }, clientToken: 'bench-7f3a' })
    expect(accepted).toMatchObject({ clientToken: 'bench-7f3a', version: 1 })
  })

  it('accepts an update carrying the current version and moves it on', async () => {
    await update('lamp-lock', { state: { desired: { on: true } } })
    expect(await update('lamp-lock', { state: { desired: { on: false } }, version: 1 })).toMatchObject({ version: 2 })
  })

  it('refuses a stale version with ConflictException (409) and AWS\'s body, changing nothing', async () => {
    await update('lamp-conflict', { state: { desired: { on: true } } })
    await update('lamp-conflict', { state: { desired: { on: false } } })
    const call = data.send(new UpdateThingShadowCommand({ thingName: 'lamp-conflict', payload: bytes({ state: { desired: { on: true } }, version: 1, clientToken: 'c-409' }) }))
    const error = await call.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictException)
    expect(error).toMatchObject({ name: 'ConflictException', message: 'Version conflict', $metadata: { httpStatusCode: 409 } })

    const raw = await signedDataPlaneFetch(sandbox.core, {
      method: 'POST',
      path: '/things/lamp-conflict/shadow',
      body: JSON.stringify({ state: { desired: { on: true } }, version: 1, clientToken: 'c-409' })
    })
    expect(raw.status).toBe(409)
    expect(raw.headers.get('x-amzn-errortype')).toBe('ConflictException')
    expect(await raw.json()).toEqual({ code: 409, message: 'Version conflict', clientToken: 'c-409' })
    expect(await get('lamp-conflict')).toMatchObject({ version: 2, state: { desired: { on: false } } })
  })

  it('get and delete of a missing shadow: ResourceNotFoundException (404) naming the thing', async () => {
    for (const call of [data.send(new GetThingShadowCommand({ thingName: 'never-updated' })), data.send(new DeleteThingShadowCommand({ thingName: 'never-updated' }))]) {
      const error = await call.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ResourceNotFoundException)
      expect(error).toMatchObject({ message: "No shadow exists with name: 'never-updated'", $metadata: { httpStatusCode: 404 } })
    }
    const raw = await signedDataPlaneFetch(sandbox.core, { method: 'GET', path: '/things/never-updated/shadow' })
    expect(raw.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    expect(await raw.json()).toEqual({ code: 404, message: "No shadow exists with name: 'never-updated'" })
  })

  it('delete answers the deleted version; a re-created shadow continues the version', async () => {
    await update('lamp-phoenix', { state: { desired: { on: true } } })
    await update('lamp-phoenix', { state: { reported: { on: true } } })
    const deleted = parsed((await data.send(new DeleteThingShadowCommand({ thingName: 'lamp-phoenix' }))).payload)
    expect(deleted).toEqual({ version: 2, timestamp: NOW_S })
    expect(await versionOf('lamp-phoenix')).toBeUndefined()
    expect(await update('lamp-phoenix', { state: { desired: { on: false } } })).toMatchObject({ version: 3 })
    // The old document is gone, not merged into the new one.
    expect((await get('lamp-phoenix')).state).toEqual({ desired: { on: false }, delta: { on: false } })
  })

  it('keeps a shadow for a thing that is not in the registry, and after its thing is deleted', async () => {
    await update('ghost-device', { state: { reported: { fw: '1.2.0' } } })
    expect(await refusal(sandbox.iot.send(new DescribeThingCommand({ thingName: 'ghost-device' })))).toMatchObject({ name: 'ResourceNotFoundException' })
    expect((await get('ghost-device')).state).toEqual({ reported: { fw: '1.2.0' } })

    await sandbox.iot.send(new CreateThingCommand({ thingName: 'short-lived' }))
    await update('short-lived', { state: { reported: { on: true } } })
    await sandbox.iot.send(new DeleteThingCommand({ thingName: 'short-lived' }))
    expect(await get('short-lived')).toMatchObject({ version: 1, state: { reported: { on: true } } })
  })
})

describe('refused updates over HTTP: AWS\'s exception, message and status, nothing changed', () => {
  const cases: Array<{ title: string; payload: string | Uint8Array; error: new (...args: never[]) => Error; name: string; status: number; message: string }> = [
    { title: 'malformed JSON', payload: '{"state": {"desired": ', error: InvalidRequestException, name: 'InvalidRequestException', status: 400, message: 'Invalid JSON' },
    { title: 'state not an object', payload: '{"state": "on"}', error: InvalidRequestException, name: 'InvalidRequestException', status: 400, message: 'State node must be an object' },
    { title: 'no state', payload: '{"desired": {"on": true}}', error: InvalidRequestException, name: 'InvalidRequestException', status: 400, message: 'Missing required node: state' },
    { title: 'a delta node', payload: '{"state": {"delta": {"on": true}}}', error: InvalidRequestException, name: 'InvalidRequestException', status: 400, message: "State contains an invalid node: 'delta'" },
    {
      // `desired` is level 1: six object levels are allowed, this is seven.
      title: 'too deep',
      payload: JSON.stringify({ state: { desired: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } } }),
      error: InvalidRequestException,
      name: 'InvalidRequestException',
      status: 400,
      message: 'JSON contains too many levels of nesting; maximum is 6'
    },
    {
      title: 'larger than 8 KB once merged',
      payload: JSON.stringify({ state: { desired: { blob: 'x'.repeat(8200) } } }),
      error: RequestEntityTooLargeException,
      name: 'RequestEntityTooLargeException',
      status: 413,
      message: 'The payload exceeds the maximum size allowed'
    },
    {
      title: 'bytes that are not UTF-8',
      payload: Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      error: UnsupportedDocumentEncodingException,
      name: 'UnsupportedDocumentEncodingException',
      status: 415,
      message: 'Unsupported documented encoding; supported encoding is UTF-8'
    }
  ]

  for (const c of cases)
    it(`${c.title}: ${c.name} (${c.status}) "${c.message}"`, async () => {
      await update('lamp-refusals', { state: { desired: { on: true } } })
      const before = await get('lamp-refusals')
      const payload = typeof c.payload === 'string' ? bytes(c.payload) : c.payload
      const error = await data.send(new UpdateThingShadowCommand({ thingName: 'lamp-refusals', payload })).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(c.error)
      expect(error).toMatchObject({ name: c.name, message: c.message, $metadata: { httpStatusCode: c.status } })
      expect(await get('lamp-refusals')).toEqual(before)
    })

  it('six levels of nesting below the state are accepted', async () => {
    const accepted = await update('lamp-deep', { state: { desired: { a: { b: { c: { d: { e: { f: 1 } } } } } } } })
    expect(accepted).toMatchObject({ version: 1 })
  })

  it('the 413 over the wire: x-amzn-ErrorType and the error document with its timestamp', async () => {
    const response = await signedDataPlaneFetch(sandbox.core, {
      method: 'POST',
      path: '/things/lamp-big/shadow',
      body: JSON.stringify({ state: { reported: { blob: 'y'.repeat(9000) } }, clientToken: 'big-1' })
    })
    expect(response.status).toBe(413)
    expect(response.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException')
    expect(await response.json()).toEqual({ code: 413, message: 'The payload exceeds the maximum size allowed', timestamp: NOW_S, clientToken: 'big-1' })
    expect(await versionOf('lamp-big')).toBeUndefined()
  })

  it('an invalid thing name: InvalidRequestException saying which constraint', async () => {
    const error = await data.send(new UpdateThingShadowCommand({ thingName: 'lamp one', payload: bytes({ state: {} }) })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidRequestException)
    expect((error as Error).message).toMatch(/^1 validation error detected: .*thingName.*/)
  })
})

describe('named shadows over HTTP', () => {
  it('are separate documents from the classic shadow and from each other', async () => {
    await update('pump-1', { state: { desired: { rpm: 1200 } } })
    expect(await update('pump-1', { state: { desired: { mode: 'eco' } } }, 'config')).toMatchObject({ version: 1 })
    expect(await update('pump-1', { state: { reported: { temp: 41 } } }, 'sensors')).toMatchObject({ version: 1 })
    expect((await get('pump-1', 'config')).state).toEqual({ desired: { mode: 'eco' }, delta: { mode: 'eco' } })
    expect((await get('pump-1', 'sensors')).state).toEqual({ reported: { temp: 41 } })
    expect((await get('pump-1')).state).toEqual({ desired: { rpm: 1200 }, delta: { rpm: 1200 } })
  })

  it('a missing named shadow: ResourceNotFoundException naming the shadow', async () => {
    const error = await data.send(new GetThingShadowCommand({ thingName: 'pump-1', shadowName: 'nope' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResourceNotFoundException)
    expect((error as Error).message).toBe("No shadow exists with name: 'nope'")
  })

  it('delete removes only that named shadow', async () => {
    await update('pump-2', { state: { reported: { on: true } } }, 'doomed')
    await update('pump-2', { state: { reported: { on: true } } }, 'kept')
    expect(parsed((await data.send(new DeleteThingShadowCommand({ thingName: 'pump-2', shadowName: 'doomed' }))).payload)).toEqual({ version: 1, timestamp: NOW_S })
    expect(await versionOf('pump-2', 'doomed')).toBeUndefined()
    expect(await versionOf('pump-2', 'kept')).toBe(1)
    expect((await data.send(new ListNamedShadowsForThingCommand({ thingName: 'pump-2' }))).results).toEqual(['kept'])
  })

  it('an invalid shadow name: InvalidRequestException', async () => {
    const error = await data.send(new UpdateThingShadowCommand({ thingName: 'pump-1', shadowName: 'a/b', payload: bytes({ state: {} }) })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidRequestException)
    expect((error as Error).message).toContain('shadowName')
  })

  it('lists the named shadows sorted, never the classic one, a page at a time', async () => {
    const names = ['gamma', 'alpha', 'epsilon', 'beta', 'delta']
    await update('multi', { state: { reported: { classic: true } } })
    for (const name of names) await update('multi', { state: { reported: { name } } }, name)

    const all = await data.send(new ListNamedShadowsForThingCommand({ thingName: 'multi' }))
    expect(all.results).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma'])
    expect(all.nextToken).toBeUndefined()
    expect(all.timestamp).toBe(NOW_S)

    const pages: string[][] = []
    let nextToken: string | undefined
    do {
      const page = await data.send(new ListNamedShadowsForThingCommand({ thingName: 'multi', pageSize: 2, nextToken }))
      pages.push(page.results ?? [])
      nextToken = page.nextToken
    } while (nextToken !== undefined)
    expect(pages).toEqual([['alpha', 'beta'], ['delta', 'epsilon'], ['gamma']])
  })

  it('lists nothing, not 404, for a thing without named shadows or unknown to the registry', async () => {
    expect((await data.send(new ListNamedShadowsForThingCommand({ thingName: 'nobody-here' }))).results).toEqual([])
  })

  it('refuses a page size above 100 and a token it did not hand out', async () => {
    const tooBig = await data.send(new ListNamedShadowsForThingCommand({ thingName: 'multi', pageSize: 101 })).catch((e: unknown) => e)
    expect(tooBig).toBeInstanceOf(InvalidRequestException)
    expect((tooBig as Error).message).toContain('less than or equal to 100')
    const badToken = await data.send(new ListNamedShadowsForThingCommand({ thingName: 'multi', nextToken: 'made-up' })).catch((e: unknown) => e)
    expect(badToken).toBeInstanceOf(InvalidRequestException)
    expect((badToken as Error).message).toContain("The nextToken 'made-up' is not valid")
  })
})
