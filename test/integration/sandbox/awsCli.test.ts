import { execFile } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AWS_CLI_INSTALL_HINT, findAwsClis, sandboxCliEnv, type AwsCli } from '../../support/awsClis'
import { skippedOffCi } from '../../support/neededTool'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { makeDeviceCertificate } from '../provisioning/support/deviceCertificate'

// Every AWS CLI on this machine, by path, against a Local IoT Core of its own. The CLIs sign and
// parse differently (v2 scopes AWS IoT's credentials to `execute-api`, v1 to `iot`), so each one
// found is a separate client written elsewhere that must work.

const run = promisify(execFile)
const clis = findAwsClis()
const onCi = Boolean(process.env['CI'])
const neededClis = onCi ? 2 : 1
const foundText = clis.length ? clis.map((cli) => cli.label).join('; ') : 'none'

interface CliResult {
  code: number
  stdout: string
  stderr: string
}

describe('the AWS CLIs on this machine', () => {
  // On CI both a v1 and a v2 must be there; locally one is enough and none skips.
  it.skipIf(skippedOffCi(clis.length >= neededClis))(`found ${clis.length} distinct AWS CLI${clis.length === 1 ? '' : 's'}: ${foundText}`, () => {
    if (clis.length < neededClis)
      expect.fail(`Found ${clis.length} distinct AWS CLI(s) (${foundText}); ${onCi ? 'CI runs two (v1 and v2)' : 'the test needs one'}: ${AWS_CLI_INSTALL_HINT}.`)
  })
})

for (const cli of clis) describeCli(cli)

function describeCli(cli: AwsCli): void {
  describe(`${cli.label} against the Local IoT Core`, () => {
    let sandbox: TestSandbox
    let home: string

    /** Runs `aws iot ...` with only the sandbox's credentials in its environment. */
    async function aws(...args: string[]): Promise<CliResult> {
      const env = sandboxCliEnv(home, sandbox.core)
      try {
        const { stdout, stderr } = await run(cli.path, ['iot', ...args, '--endpoint-url', sandbox.core.controlPlaneUrl, '--output', 'json'], { env })
        return { code: 0, stdout, stderr }
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string }
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
      }
    }

    /** The JSON a successful call printed; a refusal fails the test with the CLI's own words. */
    async function awsJson(...args: string[]): Promise<Record<string, unknown>> {
      const result = await aws(...args)
      if (result.code !== 0) expect.fail(`aws iot ${args[0]} failed (exit ${result.code}): ${result.stderr}`)
      return result.stdout.trim() ? (JSON.parse(result.stdout) as Record<string, unknown>) : {}
    }

    beforeAll(async () => {
      sandbox = await startTestSandbox()
      home = fs.mkdtempSync(path.join(sandbox.dataDir, 'home-'))
    })
    afterAll(async () => {
      await sandbox.stop()
    })

    it(`${cli.label}: create-thing, describe-thing and list-things`, async () => {
      const created = await awsJson('create-thing', '--thing-name', 'cli-lamp', '--attribute-payload', '{"attributes":{"site":"bench-3"}}')
      expect(created).toMatchObject({ thingName: 'cli-lamp', thingArn: `arn:aws:iot:${sandbox.core.region}:${sandbox.core.accountId}:thing/cli-lamp` })
      expect(await awsJson('describe-thing', '--thing-name', 'cli-lamp')).toMatchObject({
        thingName: 'cli-lamp',
        attributes: { site: 'bench-3' },
        version: 1
      })
      const listed = (await awsJson('list-things')) as { things: Array<{ thingName: string }> }
      expect(listed.things.map((thing) => thing.thingName)).toEqual(['cli-lamp'])
    })

    it(`${cli.label}: create-policy, get-policy and list-policies`, async () => {
      const document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}'
      const created = await awsJson('create-policy', '--policy-name', 'cli-policy', '--policy-document', document)
      expect(created).toMatchObject({ policyName: 'cli-policy', policyVersionId: '1', policyDocument: document })
      expect(await awsJson('get-policy', '--policy-name', 'cli-policy')).toMatchObject({
        defaultVersionId: '1',
        policyArn: expect.stringContaining(`:${sandbox.core.accountId}:policy/cli-policy`)
      })
      expect((await awsJson('list-policies')).policies).toEqual([{ policyName: 'cli-policy', policyArn: expect.stringContaining('policy/cli-policy') }])
    })

    it(`${cli.label}: create-keys-and-certificate and list-certificates`, async () => {
      const created = (await awsJson('create-keys-and-certificate', '--set-as-active')) as { certificateId: string; keyPair: { PrivateKey: string } }
      expect(created.keyPair.PrivateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/)
      const listed = (await awsJson('list-certificates')) as { certificates: Array<{ certificateId: string; status: string }> }
      expect(listed.certificates).toContainEqual(expect.objectContaining({ certificateId: created.certificateId, status: 'ACTIVE' }))
    })

    it(`${cli.label}: register-certificate-without-ca, attach it to a thing and a policy`, async () => {
      const pem = await makeDeviceCertificate({ commonName: 'cli-factory-device' })
      const file = path.join(home, 'device.pem.crt')
      fs.writeFileSync(file, pem)
      const registered = (await awsJson('register-certificate-without-ca', '--certificate-pem', `file://${file}`, '--status', 'ACTIVE')) as {
        certificateId: string
        certificateArn: string
      }
      expect(registered.certificateId).toBe(createHash('sha256').update(new X509Certificate(pem).raw).digest('hex'))
      await awsJson('create-thing', '--thing-name', 'cli-factory-device')
      await awsJson('attach-thing-principal', '--thing-name', 'cli-factory-device', '--principal', registered.certificateArn)
      await awsJson('create-policy', '--policy-name', 'cli-device-policy', '--policy-document', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}')
      await awsJson('attach-policy', '--policy-name', 'cli-device-policy', '--target', registered.certificateArn)
      expect((await awsJson('list-thing-principals', '--thing-name', 'cli-factory-device')).principals).toEqual([registered.certificateArn])
      expect((await awsJson('list-attached-policies', '--target', registered.certificateArn)).policies).toEqual([
        expect.objectContaining({ policyName: 'cli-device-policy' })
      ])
      expect(await awsJson('describe-certificate', '--certificate-id', registered.certificateId)).toMatchObject({
        certificateDescription: { certificateId: registered.certificateId, status: 'ACTIVE' }
      })
    })

    it(`${cli.label}: describe-endpoint`, async () => {
      expect(await awsJson('describe-endpoint', '--endpoint-type', 'iot:Data-ATS')).toEqual({ endpointAddress: 'localhost' })
    })

    it(`${cli.label}: refusals carry AWS's error names`, async () => {
      const missingThing = await aws('describe-thing', '--thing-name', 'no-such-thing')
      expect(missingThing.code).not.toBe(0)
      expect(missingThing.stderr).toContain('An error occurred (ResourceNotFoundException) when calling the DescribeThing operation')
      const missingPolicy = await aws('get-policy', '--policy-name', 'no-such-policy')
      expect(missingPolicy.stderr).toContain('(ResourceNotFoundException)')
      const malformed = await aws('create-policy', '--policy-name', 'bad', '--policy-document', '{"Statement":[]}')
      expect(malformed.stderr).toContain('(MalformedPolicyException)')
    })
  })
}
