import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

const run = promisify(execFile)

interface CliResult {
  code: number
  stdout: string
  stderr: string
}

describe('the AWS CLI against the Local IoT Core', () => {
  let sandbox: TestSandbox
  let home: string

  /** Runs `aws iot ...` with only the sandbox's credentials in its environment. */
  async function aws(...args: string[]): Promise<CliResult> {
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: home,
      AWS_CONFIG_FILE: path.join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
      AWS_ACCESS_KEY_ID: sandbox.core.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sandbox.core.secretAccessKey,
      AWS_REGION: sandbox.core.region,
      AWS_DEFAULT_REGION: sandbox.core.region,
      AWS_MAX_ATTEMPTS: '1'
    }
    try {
      const { stdout, stderr } = await run('aws', ['iot', ...args, '--endpoint-url', sandbox.core.controlPlaneUrl, '--output', 'json'], { env })
      return { code: 0, stdout, stderr }
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string }
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
    }
  }

  beforeAll(async () => {
    sandbox = await startTestSandbox()
    home = fs.mkdtempSync(path.join(sandbox.dataDir, 'home-'))
  })
  afterAll(async () => {
    await sandbox.stop()
  })

  it('creates and reads a policy', async () => {
    const document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}'
    const created = await aws('create-policy', '--policy-name', 'cli-policy', '--policy-document', document)
    expect(created.stderr).toBe('')
    expect(JSON.parse(created.stdout)).toMatchObject({ policyName: 'cli-policy', policyVersionId: '1', policyDocument: document })
    const got = await aws('get-policy', '--policy-name', 'cli-policy')
    expect(JSON.parse(got.stdout)).toMatchObject({ defaultVersionId: '1', policyArn: expect.stringContaining(`:${sandbox.core.accountId}:policy/cli-policy`) })
    const listed = await aws('list-policies')
    expect(JSON.parse(listed.stdout).policies).toEqual([{ policyName: 'cli-policy', policyArn: expect.stringContaining('policy/cli-policy') }])
  })

  it('describes the endpoint', async () => {
    const described = await aws('describe-endpoint', '--endpoint-type', 'iot:Data-ATS')
    expect(JSON.parse(described.stdout)).toEqual({ endpointAddress: 'localhost' })
  })

  it('creates keys and a certificate and lists it', async () => {
    const created = JSON.parse((await aws('create-keys-and-certificate', '--set-as-active')).stdout)
    expect(created.keyPair.PrivateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/)
    const listed = JSON.parse((await aws('list-certificates')).stdout)
    expect(listed.certificates[0]).toMatchObject({ certificateId: created.certificateId, status: 'ACTIVE' })
  })

  it("shows AWS's error name when refused", async () => {
    const missing = await aws('get-policy', '--policy-name', 'no-such-policy')
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('ResourceNotFoundException')
    const malformed = await aws('create-policy', '--policy-name', 'bad', '--policy-document', '{"Statement":[]}')
    expect(malformed.stderr).toContain('MalformedPolicyException')
  })
})
