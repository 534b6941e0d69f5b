import { X509Certificate, createPrivateKey, sign, verify } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CreateKeysAndCertificateCommand, CreatePolicyCommand, DescribeEndpointCommand, GetPolicyCommand } from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DataDirectoryInUseError, startLocalIotCore } from '../../../electron/sandbox'
import { FileStore } from '../../../electron/sandbox/state/fileStore'
import { iotClientFor, startTestSandbox, testSecretProtector } from '../../support/sandbox'

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
}

describe('Local IoT Core lifecycle', () => {
  let dataDir: string
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-lifecycle-'))
  })
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('keeps state, account, credentials, CA and endpoint across a restart', async () => {
    const protector = testSecretProtector()
    const first = await startTestSandbox({ dataDir, secretProtector: protector })
    await first.iot.send(new CreatePolicyCommand({ policyName: 'survivor', policyDocument: '{"Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}' }))
    const endpoint = (await first.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))).endpointAddress
    const caPem = fs.readFileSync(first.core.caCertificatePath, 'utf8')
    const before = { ...first.core }
    await first.stop()

    const second = await startTestSandbox({ dataDir, secretProtector: protector })
    try {
      expect(second.core).toMatchObject({
        accountId: before.accountId,
        accessKeyId: before.accessKeyId,
        secretAccessKey: before.secretAccessKey,
        caCertificatePath: path.join(dataDir, 'ca', 'LocalIoTCoreRootCA.pem')
      })
      expect(fs.readFileSync(second.core.caCertificatePath, 'utf8')).toBe(caPem)
      expect((await second.iot.send(new GetPolicyCommand({ policyName: 'survivor' }))).policyArn).toContain(before.accountId)
      expect((await second.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))).endpointAddress).toBe(endpoint)
      // Certificates made after the restart still chain to the same CA.
      const created = await second.iot.send(new CreateKeysAndCertificateCommand({}))
      expect(new X509Certificate(created.certificatePem!).verify(new X509Certificate(caPem).publicKey)).toBe(true)
    } finally {
      await second.stop()
    }
  })

  it('answers localhost for every endpoint type and refuses an unknown one', async () => {
    const sandbox = await startTestSandbox({ dataDir })
    try {
      for (const endpointType of [undefined, 'iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'])
        expect((await sandbox.iot.send(new DescribeEndpointCommand({ endpointType }))).endpointAddress).toBe('localhost')
      const error = await sandbox.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Nope' })).catch((e: Error) => e)
      expect(error).toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } })
      expect((error as Error).message).toContain('iot:Data-ATS')
    } finally {
      await sandbox.stop()
    }
  })

  it('never writes the CA private key or the secret access key in plaintext', async () => {
    const protector = testSecretProtector()
    const sandbox = await startTestSandbox({ dataDir, secretProtector: protector })
    const secretAccessKey = sandbox.core.secretAccessKey
    const caPem = fs.readFileSync(sandbox.core.caCertificatePath, 'utf8')
    await sandbox.stop()

    // The sealed key opens to the CA's real key: it signs what the CA certificate's public key verifies.
    const store = FileStore.open(path.join(dataDir, 'state'))
    const sealed = store.get<{ sealedPrivateKey: string }>('meta', 'ca')!.sealedPrivateKey
    store.close()
    const pkcs8 = await protector.open(Buffer.from(sealed, 'base64'))
    const caKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
    const signature = sign('sha256', Buffer.from('probe'), caKey)
    expect(verify('sha256', Buffer.from('probe'), new X509Certificate(caPem).publicKey, signature)).toBe(true)

    const files = filesUnder(dataDir)
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      const bytes = fs.readFileSync(file)
      const text = bytes.toString('utf8')
      expect(text, file).not.toContain('PRIVATE KEY')
      expect(text, file).not.toContain(pkcs8.toString('base64'))
      expect(bytes.includes(pkcs8), file).toBe(false)
      expect(text, file).not.toContain(secretAccessKey)
    }
  })

  it('refuses a second sandbox on the same data directory while the first runs, and allows it after', async () => {
    const protector = testSecretProtector()
    const first = await startTestSandbox({ dataDir, secretProtector: protector })
    const second = await startLocalIotCore({ dataDir, secretProtector: protector }).catch((e: unknown) => e)
    expect(second).toBeInstanceOf(DataDirectoryInUseError)
    expect((second as Error).message).toContain(`the Local IoT Core data directory ${dataDir} is in use by process ${process.pid}`)
    // The refused start changed nothing: the first sandbox still answers.
    expect((await first.iot.send(new DescribeEndpointCommand({}))).endpointAddress).toBe('localhost')
    await first.stop()
    const third = await startTestSandbox({ dataDir, secretProtector: protector })
    await third.stop()
  })

  it('takes over a lock left by a process that died', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    fs.writeFileSync(path.join(dataDir, 'local-iot-core.lock'), `${dead.stdout}\n`)
    const sandbox = await startTestSandbox({ dataDir })
    expect((await sandbox.iot.send(new DescribeEndpointCommand({}))).endpointAddress).toBe('localhost')
    await sandbox.stop()
    expect(fs.existsSync(path.join(dataDir, 'local-iot-core.lock'))).toBe(false)
  })

  it('says so clearly when the data directory was sealed with another key, and leaves it unlocked', async () => {
    const first = await startTestSandbox({ dataDir })
    await first.stop()
    const error = await startLocalIotCore({ dataDir, secretProtector: testSecretProtector() }).catch((e: Error) => e)
    expect((error as Error).message).toContain(`The Local IoT Core secrets in ${dataDir} cannot be unsealed`)
    const again = await startTestSandbox({ dataDir }).catch((e: Error) => e)
    expect((again as Error).message).not.toContain('in use')
  })

  it('hands out a loopback URL, an AWS-shaped account id and access key', async () => {
    const sandbox = await startTestSandbox({ dataDir })
    const client = iotClientFor(sandbox.core)
    try {
      expect(sandbox.core.controlPlaneUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(sandbox.core.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/)
      expect(sandbox.core.secretAccessKey).toHaveLength(40)
      expect(sandbox.core.accountId).toMatch(/^\d{12}$/)
      expect((await client.send(new DescribeEndpointCommand({}))).endpointAddress).toBe('localhost')
    } finally {
      client.destroy()
      await sandbox.stop()
    }
  })
})
