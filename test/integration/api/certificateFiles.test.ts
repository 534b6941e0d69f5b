import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DescribeCertificateCommand, type IoTClient } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NativeDialogs } from '../../../electron/app/api'
import { certificateMatchesKey } from '../../../electron/core/certificates'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { makeDeviceCertificateWithKey, pemBodyLines } from '../provisioning/support/deviceCertificate'

// A device certificate file that also holds its private key, through the real contract handlers
// (browser mode's file input, Electron's dialog) and the real Local IoT Core: only the certificate
// reaches AWS and the page; the key, when the person asks, goes into the vault.

let picked: string | null = null
const dialogs: NativeDialogs = {
  chooseExportFolder: async () => null,
  chooseFolder: async () => null,
  pickCertificateFile: async () => picked,
  confirmEndpoint: async () => false
}

let t: TestApi
let dir: string
/** Every request body the SDK sent to the Local IoT Core, by operation. */
const sent: Array<{ operation: string; body: string }> = []

beforeAll(async () => {
  t = await startTestApi({ dialogs })
  dir = await mkdtemp(join(tmpdir(), 'tb-certfiles-'))
  const iot: IoTClient = await t.session.iotClient({ kind: 'local' })
  iot.middlewareStack.add(
    (next, context) => async (args) => {
      const body = (args.request as { body?: unknown }).body
      const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : body === undefined ? '' : String(body)
      sent.push({ operation: String(context.commandName), body: text })
      return next(args)
    },
    { step: 'finalizeRequest', name: 'recordRequestBodies' }
  )
})
afterAll(async () => {
  await t?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const neverShows = (value: unknown, privateKeyPem: string) => {
  const text = JSON.stringify(value)
  expect(text).not.toMatch(/PRIVATE KEY/)
  for (const line of pemBodyLines(privateKeyPem)) expect(text).not.toContain(line)
}

describe('a certificate file that holds its private key', () => {
  it('browser mode: the file input read is split in the back end, the key is kept in the vault on request and never sent to AWS', async () => {
    const device = await makeDeviceCertificateWithKey({ commonName: 'lamp-file-1' })
    const view = await t.api.call('files.readCertificate', { text: `${device.certificatePem}${device.privateKeyPem}`, fileName: 'lamp-file-1.pem' })
    expect(view).toMatchObject({ source: 'lamp-file-1.pem', holdsPrivateKey: true, certificate: { subject: 'CN=lamp-file-1' } })
    neverShows(view, device.privateKeyPem)

    sent.length = 0
    const outcome = await t.api.call('provisioning.run', {
      plan: { thingName: 'lamp-file-1', policy: { mode: 'none' }, certificate: { mode: 'existing', certificatePem: view.certificatePem, keepPrivateKey: true } }
    })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
    neverShows(outcome, device.privateKeyPem)
    expect(outcome.result.privateKeyInVault).toBe(true)

    const register = sent.filter((s) => s.operation === 'RegisterCertificateWithoutCACommand')
    expect(register).toHaveLength(1)
    expect(register[0]!.body).toContain('BEGIN CERTIFICATE')
    for (const request of sent) neverShows(request.body, device.privateKeyPem)

    const kept = await t.session.vault.get(outcome.result.certificateId)
    expect(kept).not.toBeNull()
    expect(certificateMatchesKey(device.certificatePem, kept!)).toBe(true)
    const described = await (await t.session.iotClient({ kind: 'local' })).send(new DescribeCertificateCommand({ certificateId: outcome.result.certificateId }))
    expect(described.certificateDescription?.certificatePem).not.toMatch(/PRIVATE KEY/)
  })

  it('without the request to keep it, registers the certificate alone and the vault stays without its key', async () => {
    const device = await makeDeviceCertificateWithKey({ commonName: 'lamp-file-2' })
    const view = await t.api.call('files.readCertificate', { text: `${device.privateKeyPem}${device.certificatePem}`, fileName: 'lamp-file-2.pem' })
    const outcome = await t.api.call('provisioning.run', {
      plan: { thingName: 'lamp-file-2', policy: { mode: 'none' }, certificate: { mode: 'existing', certificatePem: view.certificatePem } }
    })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
    expect(outcome.result.privateKeyInVault).toBe(false)
    expect(await t.session.vault.has(outcome.result.certificateId)).toBe(false)
  })

  it('Electron: the dialog names a file, the back end reads it; a cancelled dialog says so', async () => {
    const device = await makeDeviceCertificateWithKey({ commonName: 'lamp-file-3' })
    picked = join(dir, 'lamp-file-3.pem')
    await writeFile(picked, `${device.privateKeyPem}\n${device.certificatePem}`)
    const view = await t.api.call('files.pickCertificate', {})
    expect(view).toMatchObject({ source: picked, holdsPrivateKey: true, certificate: { subject: 'CN=lamp-file-3' } })
    neverShows(view, device.privateKeyPem)

    picked = null
    expect(await t.api.call('files.pickCertificate', {})).toEqual({ cancelled: true })
  })

  it('refuses a key alone, a key for another certificate, and a plan that carries a key or asks for one it does not have; nothing is created', async () => {
    const [device, other] = await Promise.all([makeDeviceCertificateWithKey({ commonName: 'lamp-file-4' }), makeDeviceCertificateWithKey()])
    await expect(t.api.call('files.readCertificate', { text: device.privateKeyPem, fileName: 'key.pem' })).rejects.toMatchObject({
      errorName: 'InvalidCertificateFile',
      message: expect.stringContaining('key.pem holds a private key but no certificate')
    })
    await expect(t.api.call('files.readCertificate', { text: `${other.privateKeyPem}${device.certificatePem}`, fileName: 'mixed.pem' })).rejects.toMatchObject({
      errorName: 'InvalidCertificateFile',
      message: expect.stringContaining('does not belong to its certificate')
    })

    sent.length = 0
    const carriesKey = await t.api.call('provisioning.run', {
      plan: { thingName: 'lamp-file-4', certificate: { mode: 'existing', certificatePem: `${device.certificatePem}${device.privateKeyPem}` } }
    })
    expect(carriesKey).toMatchObject({ outcome: 'refused', problems: [{ path: 'certificate.certificatePem', message: expect.stringMatching(/holds a private key/) }] })
    // Never read with its key: there is none to keep.
    const noKeyHeld = await t.api.call('provisioning.run', {
      plan: { thingName: 'lamp-file-4', certificate: { mode: 'existing', certificatePem: device.certificatePem, keepPrivateKey: true } }
    })
    expect(noKeyHeld).toMatchObject({ outcome: 'refused', problems: [{ path: 'certificate.keepPrivateKey', message: expect.stringMatching(/no private key to keep/) }] })
    expect(sent.filter((s) => !s.operation.startsWith('List') && !s.operation.startsWith('Describe') && !s.operation.startsWith('Get'))).toEqual([])
  })
})
