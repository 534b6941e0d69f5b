import { Sha256 } from '@aws-crypto/sha256-js'
import { DescribeEndpointCommand, ListPoliciesCommand, IoTClient } from '@aws-sdk/client-iot'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { controlPlaneRates, rateFor, type LocalIotCore } from '../../../electron/sandbox'
import { iotClientFor, startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { refusal } from '../../support/refusal'

/** A raw HTTP call signed with the sandbox's credentials, for requests the SDK would never send. */
async function signedFetch(core: LocalIotCore, method: string, path: string, body?: string, service = 'iot'): Promise<Response> {
  const url = new URL(core.controlPlaneUrl)
  const signer = new SignatureV4({
    credentials: { accessKeyId: core.accessKeyId, secretAccessKey: core.secretAccessKey },
    region: core.region,
    service,
    sha256: Sha256
  })
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body
  })
  return fetch(`${core.controlPlaneUrl}${path}`, { method, headers: signed.headers as Record<string, string>, body })
}


describe('control-plane server', () => {
  let sandbox: TestSandbox
  beforeAll(async () => {
    sandbox = await startTestSandbox()
  })
  afterAll(async () => {
    await sandbox.stop()
  })

  it('answers a correctly signed SDK call', async () => {
    const listed = await sandbox.iot.send(new ListPoliciesCommand({}))
    expect(listed.policies).toEqual([])
  })

  it('refuses a wrong secret with InvalidSignatureException (403)', async () => {
    const client = iotClientFor(sandbox.core, { secretAccessKey: 'x'.repeat(40) })
    const error = await refusal(client.send(new ListPoliciesCommand({})))
    client.destroy()
    expect(error).toEqual({
      name: 'InvalidSignatureException',
      status: 403,
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
    })
  })

  it('refuses an unknown access key with UnrecognizedClientException (403)', async () => {
    const client = iotClientFor(sandbox.core, { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' })
    const error = await refusal(client.send(new ListPoliciesCommand({})))
    client.destroy()
    expect(error).toEqual({
      name: 'UnrecognizedClientException',
      status: 403,
      message: 'The security token included in the request is invalid.'
    })
  })

  it('refuses an unsigned request with MissingAuthenticationTokenException (403)', async () => {
    const response = await fetch(`${sandbox.core.controlPlaneUrl}/policies`)
    expect(response.status).toBe(403)
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' })
  })

  it('refuses a request signed more than 15 minutes off with "Signature expired"', async () => {
    const client = new IoTClient({
      region: sandbox.core.region,
      endpoint: sandbox.core.controlPlaneUrl,
      credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey },
      maxAttempts: 1,
      systemClockOffset: -20 * 60 * 1000
    })
    const error = await refusal(client.send(new ListPoliciesCommand({})))
    client.destroy()
    expect(error.name).toBe('InvalidSignatureException')
    expect(error.status).toBe(403)
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/)
  })

  it('refuses a region the sandbox does not serve', async () => {
    const client = new IoTClient({
      region: 'eu-west-1',
      endpoint: sandbox.core.controlPlaneUrl,
      credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey },
      maxAttempts: 1
    })
    const error = await refusal(client.send(new ListPoliciesCommand({})))
    client.destroy()
    expect(error.name).toBe('InvalidSignatureException')
    expect(error.message).toContain("Credential should be scoped to a valid region, not 'eu-west-1'")
  })

  // The SDKs scope the control plane to `iot`, the AWS CLI v2 to `execute-api`; AWS accepts both.
  it.each(['iot', 'execute-api'])("accepts a request signed for the credential scope '%s'", async (service) => {
    const response = await signedFetch(sandbox.core, 'GET', '/policies', undefined, service)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ policies: [] })
  })

  it.each(['s3', 'iotdata'])("refuses the credential scope '%s' with InvalidSignatureException, naming the accepted ones", async (service) => {
    const response = await signedFetch(sandbox.core, 'GET', '/policies', undefined, service)
    expect(response.status).toBe(403)
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException')
    expect(await response.json()).toEqual({
      message: `Credential should be scoped to correct service: 'iot' or 'execute-api', not '${service}'.`
    })
  })

  it('answers malformed JSON with 400 SerializationException', async () => {
    const response = await signedFetch(sandbox.core, 'POST', '/policies/broken', '{"policyDocument": ')
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('SerializationException')
    expect(((await response.json()) as { message: string }).message).toMatch(/not valid JSON/)
  })

  it('answers an unknown path with 404 and says which request it could not route', async () => {
    const response = await signedFetch(sandbox.core, 'GET', '/no-such-operation')
    expect(response.status).toBe(404)
    expect(((await response.json()) as { message: string }).message).toContain('GET /no-such-operation')
  })

  it('does not throttle when throttling is off', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => sandbox.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })))
    )
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
  })
})

describe('throttling', () => {
  it("publishes AWS's default rates", () => {
    expect(controlPlaneRates['CreateThing']).toBe(100)
    expect(controlPlaneRates['AttachPolicy']).toBe(15)
    expect(rateFor('DescribeEndpoint')).toBe(10)
  })

  it('refuses calls beyond the rate with ThrottlingException (400) "Rate exceeded" when on', async () => {
    const sandbox = await startTestSandbox({ throttling: true })
    try {
      // DescribeEndpoint allows 10/s: 100 calls at once cannot all fit in one second's budget.
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, () => sandbox.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })))
      )
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { name: string; message: string; $metadata: { httpStatusCode: number } }] : []))
      expect(refused.length).toBeGreaterThan(0)
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true)
      expect(refused[0]!.name).toBe('ThrottlingException')
      expect(refused[0]!.message).toBe('Rate exceeded')
      expect(refused[0]!.$metadata.httpStatusCode).toBe(400)
    } finally {
      await sandbox.stop()
    }
  })
})
