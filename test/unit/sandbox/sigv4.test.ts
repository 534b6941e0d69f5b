import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { describe, expect, it } from 'vitest'
import { IotError } from '../../../electron/sandbox/http/iotError'
import { ACCEPTED_SIGNING_NAMES, verifySigV4, type SigV4Expectation } from '../../../electron/sandbox/http/sigv4'

// The verifier against requests signed by the AWS SDK's own signer, for every signing name AWS accepts.

const credentials = { accessKeyId: 'AKIASANDBOXTESTKEY01', secretAccessKey: 'sandbox-secret-access-key-for-the-test-0' }
const region = 'us-east-1'

async function signedRequest(service: string, body = '{"state":{"desired":{"on":true}}}') {
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 })
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/things/lamp-1/shadow',
    query: { name: 'main' },
    headers: { host: '127.0.0.1:4566', 'content-type': 'application/json' },
    body
  })
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value)
  return { method: 'POST', rawPath: '/things/lamp-1/shadow', query: new URLSearchParams({ name: 'main' }), headers, body: Buffer.from(body) }
}

const expecting = (services: readonly string[], secretAccessKey = credentials.secretAccessKey): SigV4Expectation => ({
  credentials: { ...credentials, secretAccessKey },
  region,
  services,
  now: Date.now()
})

async function refusalOf(call: Promise<void>): Promise<IotError> {
  const error = await call.then(() => undefined, (e: unknown) => e)
  if (!(error instanceof IotError)) throw new Error(`expected an IotError refusal, got ${String(error)}`)
  return error
}

describe('SigV4 credential scopes', () => {
  const everyApi = Object.entries(ACCEPTED_SIGNING_NAMES).flatMap(([api, names]) => names.map((name) => [api, name, names] as const))

  it.each(everyApi)('the %s accepts a request signed as %s', async (_api, name, names) => {
    await expect(verifySigV4(await signedRequest(name), expecting(names))).resolves.toBeUndefined()
  })

  it('recomputes the signature with the scope the client used: a wrong secret is still refused', async () => {
    const error = await refusalOf(verifySigV4(await signedRequest('execute-api'), expecting(ACCEPTED_SIGNING_NAMES.controlPlane, 'x'.repeat(40))))
    expect(error.errorName).toBe('InvalidSignatureException')
    expect(error.message).toMatch(/^The request signature we calculated does not match/)
  })

  it("refuses a name the API does not accept with InvalidSignatureException (403), listing the accepted ones", async () => {
    const error = await refusalOf(verifySigV4(await signedRequest('iotdata'), expecting(ACCEPTED_SIGNING_NAMES.controlPlane)))
    expect(error.errorName).toBe('InvalidSignatureException')
    expect(error.status).toBe(403)
    expect(error.message).toBe("Credential should be scoped to correct service: 'iot' or 'execute-api', not 'iotdata'.")
    const dataPlane = await refusalOf(verifySigV4(await signedRequest('iot'), expecting(ACCEPTED_SIGNING_NAMES.dataPlane)))
    expect(dataPlane.message).toBe("Credential should be scoped to correct service: 'iotdata' or 'iotdevicegateway', not 'iot'.")
  })
})
