import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import {
  CreateThingGroupCommand,
  DescribeThingCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand
} from '@aws-sdk/client-iot'
import { GetThingShadowCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { certificateMatchesKey } from '../../../electron/core/certificates'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { cliEnv, runThingbench, startThingbench } from '../../support/thingbenchProcess'

// The `thingbench` command end to end: a real child process, the real keychain (the test runs
// inside scripts/with-keyring.sh), the real Local IoT Core, checked with the real AWS SDK.

interface SandboxInfo {
  controlPlaneUrl: string
  dataPlaneUrl: string
  deviceDataPlaneUrl: string
  webSocketUrl: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  caCertificatePath: string
  dataDir: string
}

const temps: string[] = []
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true })
})

function sdkFor(info: SandboxInfo): IoTClient {
  return new IoTClient({
    region: info.region,
    endpoint: info.controlPlaneUrl,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey }
  })
}

describe('thingbench sandbox', () => {
  it('prints what a client needs on one JSON line, serves the AWS SDK, and stops cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const home = await tempDir('tb-cli-home-')
      const { child, line } = await startThingbench(['sandbox'], cliEnv(home))
      const info = JSON.parse(line) as SandboxInfo
      expect(info.controlPlaneUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(info).toMatchObject({ region: expect.any(String), accessKeyId: expect.any(String), secretAccessKey: expect.any(String) })
      expect(await readFile(info.caCertificatePath, 'utf8')).toContain('BEGIN CERTIFICATE')
      const listed = await sdkFor(info).send(new ListThingsCommand({}))
      expect(listed.things).toEqual([])
      // The Device Shadow HTTP API, on its own port; the serving file tells other commands where.
      expect(info.dataPlaneUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const data = dataPlaneClientFor(info)
      await data.send(new UpdateThingShadowCommand({ thingName: 'cli-lamp', payload: new TextEncoder().encode('{"state":{"reported":{"on":true}}}') }))
      const shadow = await data.send(new GetThingShadowCommand({ thingName: 'cli-lamp' }))
      expect(JSON.parse(new TextDecoder().decode(shadow.payload))).toMatchObject({ state: { reported: { on: true } }, version: 1 })
      data.destroy()
      const serving = JSON.parse(await readFile(join(home, 'local-iot-core.serving.json'), 'utf8')) as { info: SandboxInfo }
      expect(serving.info.dataPlaneUrl).toBe(info.dataPlaneUrl)
      // MQTT over WebSocket with SigV4, for an operator holding these credentials.
      expect(info.webSocketUrl).toMatch(/^wss:\/\/localhost:\d+\/mqtt$/)
      // The data plane for devices: HTTPS with their certificates.
      expect(info.deviceDataPlaneUrl).toMatch(/^https:\/\/localhost:\d+$/)
      child.kill(signal)
      const [code] = await once(child, 'close')
      expect(code, signal).toBe(0)
    }
  })

  it('refuses a port that is not a number, with the usage hint', async () => {
    const result = await runThingbench(['sandbox', '--port', 'eighty'], cliEnv(await tempDir('tb-cli-home-')))
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--port must be a port number/)
  })
})

describe('thingbench provision and deprovision', () => {
  let home: string
  let info: SandboxInfo
  let iot: IoTClient
  let sandbox: Awaited<ReturnType<typeof startThingbench>>

  // One `thingbench sandbox` serves the home; every provision/deprovision below reuses it.
  beforeAll(async () => {
    home = await tempDir('tb-cli-home-')
    sandbox = await startThingbench(['sandbox'], cliEnv(home))
    info = JSON.parse(sandbox.line) as SandboxInfo
    iot = sdkFor(info)
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
  })
  afterAll(async () => {
    sandbox.child.kill('SIGTERM')
    await once(sandbox.child, 'close')
  })

  it('provisions a thing with a CSR certificate, the shadow policy and a group, all visible through the AWS SDK', async () => {
    const result = await runThingbench(
      ['provision', '--thing', 'lamp-0001', '--attribute', 'site=bench-3', '--group', 'line-1', '--json'],
      cliEnv(home)
    )
    expect(result.stderr).not.toMatch(/PRIVATE KEY/)
    expect(result.code, result.stderr).toBe(0)
    const output = JSON.parse(result.stdout) as { certificateId: string; certificateArn: string; policyName: string; privateKeyInVault: boolean }
    expect(output.privateKeyInVault).toBe(true)
    expect(JSON.stringify(output)).not.toMatch(/PRIVATE KEY/)

    const thing = await iot.send(new DescribeThingCommand({ thingName: 'lamp-0001' }))
    expect(thing.attributes).toEqual({ site: 'bench-3' })
    const principals = await iot.send(new ListThingPrincipalsCommand({ thingName: 'lamp-0001' }))
    expect(principals.principals).toEqual([output.certificateArn])
    const policies = await iot.send(new ListAttachedPoliciesCommand({ target: output.certificateArn }))
    expect(policies.policies?.map((p) => p.policyName)).toEqual([output.policyName])
    const groups = await iot.send(new ListThingGroupsForThingCommand({ thingName: 'lamp-0001' }))
    expect(groups.thingGroups?.map((g) => g.groupName)).toEqual(['line-1'])
  })

  it('refuses to provision an existing thing again unless --add-certificate asks for a second certificate', async () => {
    const refused = await runThingbench(['provision', '--thing', 'lamp-0001', '--attribute', 'site=bench-3', '--group', 'line-1'], cliEnv(home))
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/Thing lamp-0001 already exists, with certificate [0-9a-f]{12}… \(ACTIVE\) and group line-1 .*--add-certificate/)
    expect((await iot.send(new ListThingPrincipalsCommand({ thingName: 'lamp-0001' }))).principals).toHaveLength(1)

    const added = await runThingbench(['provision', '--thing', 'lamp-0001', '--attribute', 'site=bench-3', '--group', 'line-1', '--add-certificate', '--json'], cliEnv(home))
    expect(added.code, added.stderr).toBe(0)
    expect((await iot.send(new ListThingPrincipalsCommand({ thingName: 'lamp-0001' }))).principals).toHaveLength(2)
  })

  it('writes the AWS console bundle with --out: certificate, private key (0600) matching it, public key, root CAs', async () => {
    const out = await tempDir('tb-cli-bundle-')
    const result = await runThingbench(['provision', '--thing', 'lamp-0002', '--out', out, '--json'], cliEnv(home))
    expect(result.code, result.stderr).toBe(0)
    const { certificateId } = JSON.parse(result.stdout) as { certificateId: string }
    const files = (await readdir(out)).sort()
    expect(files).toEqual(
      [
        `${certificateId}-certificate.pem.crt`,
        `${certificateId}-private.pem.key`,
        `${certificateId}-public.pem.key`,
        'AmazonRootCA1.pem',
        'LocalIoTCoreRootCA.pem'
      ].sort()
    )
    const keyFile = join(out, `${certificateId}-private.pem.key`)
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    const certificatePem = await readFile(join(out, `${certificateId}-certificate.pem.crt`), 'utf8')
    const privateKeyPem = await readFile(keyFile, 'utf8')
    expect(certificateMatchesKey(certificatePem, privateKeyPem)).toBe(true)

    // The same key is nowhere in the home in plaintext: not as PEM, not as its base64 body.
    const body = privateKeyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
    for (const file of await filesUnder(home)) {
      const text = await readFile(file, 'latin1')
      expect(text, file).not.toContain('PRIVATE KEY')
      expect(text, file).not.toContain(body.slice(0, 40))
    }
  })

  it('provisions with AWS-generated keys and with an existing device certificate', async () => {
    const aws = await runThingbench(['provision', '--thing', 'lamp-0003', '--cert', 'aws', '--json'], cliEnv(home))
    expect(aws.code, aws.stderr).toBe(0)
    expect(JSON.parse(aws.stdout)).toMatchObject({ privateKeyInVault: true })

    const out = await tempDir('tb-cli-bundle-')
    const first = await runThingbench(['provision', '--thing', 'lamp-0004', '--out', out, '--json'], cliEnv(home))
    expect(first.code, first.stderr).toBe(0)
    const { certificateId } = JSON.parse(first.stdout) as { certificateId: string }
    // A second thing registered from a device certificate file: that certificate is already known
    // to this account, so AWS refuses it and the run is undone.
    const again = await runThingbench(
      ['provision', '--thing', 'lamp-0005', '--cert', join(out, `${certificateId}-certificate.pem.crt`)],
      cliEnv(home)
    )
    expect(again.code).toBe(1)
    expect(again.stderr.trim().split('\n').at(-1)).toMatch(/ResourceAlreadyExistsException/)
    await expect(iot.send(new DescribeThingCommand({ thingName: 'lamp-0005' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
  })

  it('refuses an invalid thing name before any call, with a one-line reason and exit code 2', async () => {
    const before = await iot.send(new ListCertificatesCommand({}))
    const result = await runThingbench(['provision', '--thing', 'lamp 6!'], cliEnv(home))
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/Thing name may contain only letters, digits/)
    const after = await iot.send(new ListCertificatesCommand({}))
    expect(after.certificates?.length).toBe(before.certificates?.length)
  })

  it('refuses an --out that cannot take the bundle before anything is created (exit 2, nothing left behind)', async () => {
    const before = await iot.send(new ListCertificatesCommand({}))
    const notAFolder = join(home, 'a-file-not-a-folder')
    await writeFile(notAFolder, 'in the way\n')
    const result = await runThingbench(['provision', '--thing', 'lamp-0008', '--out', join(notAFolder, 'bundle')], cliEnv(home))
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--out .* cannot take the bundle \(ENOTDIR\).*Nothing was created/)
    await expect(iot.send(new DescribeThingCommand({ thingName: 'lamp-0008' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    const after = await iot.send(new ListCertificatesCommand({}))
    expect(after.certificates?.length).toBe(before.certificates?.length)
  })

  it('fails on a policy that does not exist with AWS error name, leaving nothing behind', async () => {
    const before = await iot.send(new ListCertificatesCommand({}))
    const result = await runThingbench(['provision', '--thing', 'lamp-0007', '--policy', 'NoSuchPolicy'], cliEnv(home))
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/NoSuchPolicy/)
    await expect(iot.send(new DescribeThingCommand({ thingName: 'lamp-0007' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    const after = await iot.send(new ListCertificatesCommand({}))
    expect(after.certificates?.length).toBe(before.certificates?.length)
  })

  it('deprovisions: a dry run lists the calls and changes nothing, the real run removes thing and certificate', async () => {
    const made = await runThingbench(['provision', '--thing', 'lamp-0008', '--json'], cliEnv(home))
    expect(made.code, made.stderr).toBe(0)
    const { certificateId } = JSON.parse(made.stdout) as { certificateId: string }

    const dry = await runThingbench(['deprovision', '--thing', 'lamp-0008', '--dry-run', '--json'], cliEnv(home))
    expect(dry.code, dry.stderr).toBe(0)
    const operations = (JSON.parse(dry.stdout) as { calls: Array<{ operation: string }> }).calls.map((c) => c.operation)
    expect(operations).toEqual(['DetachThingPrincipal', 'DetachPolicy', 'UpdateCertificate', 'DeleteCertificate', 'DeleteVaultKey', 'DeleteThing'])
    await iot.send(new DescribeThingCommand({ thingName: 'lamp-0008' }))

    const real = await runThingbench(['deprovision', '--thing', 'lamp-0008'], cliEnv(home))
    expect(real.code, real.stderr).toBe(0)
    await expect(iot.send(new DescribeThingCommand({ thingName: 'lamp-0008' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    const certificates = await iot.send(new ListCertificatesCommand({ pageSize: 250 }))
    expect(certificates.certificates?.map((c) => c.certificateId)).not.toContain(certificateId)
  })

  it('talks to an explicit --endpoint with credentials from the AWS environment variables', async () => {
    const other = await tempDir('tb-cli-home-')
    const result = await runThingbench(
      ['provision', '--thing', 'lamp-0009', '--endpoint', info.controlPlaneUrl, '--no-policy', '--json'],
      cliEnv(other, { AWS_ACCESS_KEY_ID: info.accessKeyId, AWS_SECRET_ACCESS_KEY: info.secretAccessKey, AWS_REGION: info.region })
    )
    expect(result.code, result.stderr).toBe(0)
    await iot.send(new DescribeThingCommand({ thingName: 'lamp-0009' }))

    const wrong = await runThingbench(
      ['provision', '--thing', 'lamp-0010', '--endpoint', info.controlPlaneUrl, '--json'],
      cliEnv(other, { AWS_ACCESS_KEY_ID: info.accessKeyId, AWS_SECRET_ACCESS_KEY: 'not-the-secret', AWS_REGION: info.region })
    )
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/InvalidSignatureException/)
  })
})

describe('thingbench without a keychain', () => {
  it('stops with an error that says what to install or unlock, and writes no key anywhere', async () => {
    const home = await tempDir('tb-cli-home-')
    const env = cliEnv(home)
    delete env.DBUS_SESSION_BUS_ADDRESS
    const result = await runThingbench(['provision', '--thing', 'lamp-0100'], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/keychain|Secret Service/i)
    expect(result.stderr).toMatch(/gnome-keyring|install|unlock/i)
    for (const file of await filesUnder(home)) expect(await readFile(file, 'latin1')).not.toContain('PRIVATE KEY')
  })
})

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}
