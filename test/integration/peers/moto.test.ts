import { createHash, X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  CreateThingGroupCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand
} from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { certificateMatchesKey } from '../../../electron/core/certificates'
import { skippedOffCi } from '../../support/neededTool'
import { motoCredentials, MOTO_INSTALL_HINT, motoServerPath, startMotoServer, type RunningMoto } from '../../support/motoServer'
import { cliEnv, runThingbench } from '../../support/thingbenchProcess'
import { makeDeviceCertificate } from '../provisioning/support/deviceCertificate'

// moto (a widely used AWS emulator nobody here wrote) as the AWS that `thingbench provision
// --endpoint` talks to: the test starts `moto_server` itself, provisions and deprovisions with the
// built CLI, and checks every result with the AWS SDK pointed at moto. moto differs from AWS where
// a real client must cope: its certificate ids are not the SHA-256 of the DER, and its
// CreateCertificateFromCsr certifies a key of its own instead of the CSR's.

const motoServer = motoServerPath
const awsEnv = { AWS_ACCESS_KEY_ID: motoCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: motoCredentials.secretAccessKey, AWS_REGION: motoCredentials.region }

describe('moto_server on this machine', () => {
  it.skipIf(skippedOffCi(motoServer !== undefined))(`is found (${motoServer ?? 'not on PATH'})`, () => {
    if (!motoServer) expect.fail(`moto_server is not on PATH; the moto peer tests need it: ${MOTO_INSTALL_HINT}.`)
  })
})

describe.runIf(motoServer)('thingbench provision --endpoint against moto', () => {
  let moto: RunningMoto
  let endpoint: string
  let iot: IoTClient
  let home: string
  const temps: string[] = []
  const tempDir = async (prefix: string) => {
    const dir = await mkdtemp(path.join(tmpdir(), prefix))
    temps.push(dir)
    return dir
  }
  const thingbench = (...args: string[]) => runThingbench([...args, '--endpoint', endpoint], cliEnv(home, awsEnv))

  beforeAll(async () => {
    moto = await startMotoServer()
    endpoint = moto.endpoint
    iot = new IoTClient({ region: awsEnv.AWS_REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 })
    home = await tempDir('tb-moto-home-')
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
  }, 60_000)

  afterAll(async () => {
    iot?.destroy()
    await moto?.stop()
    for (const dir of temps) await rm(dir, { recursive: true, force: true })
  })

  it('refuses the CSR path cleanly: moto certifies a key of its own, so the run fails with CertificateKeyMismatch and is undone', async () => {
    const result = await thingbench('provision', '--thing', 'moto-csr-lamp')
    expect(result.code).toBe(1)
    const reason = result.stderr.trim().split('\n').at(-1)
    expect(reason).toMatch(/CertificateKeyMismatch: CreateCertificateFromCsr returned certificate \w+ for another public key than the one in the CSR/)
    expect(reason).toMatch(/Everything this run created was undone\.$/)
    expect((await iot.send(new ListThingsCommand({}))).things).toEqual([])
    expect((await iot.send(new ListCertificatesCommand({}))).certificates).toEqual([])
  })

  it('provisions with the keys moto makes: thing, ACTIVE certificate attached with its policy, group; the bundle key matches', async () => {
    const out = await tempDir('tb-moto-bundle-')
    const result = await thingbench('provision', '--thing', 'moto-lamp-1', '--cert', 'aws', '--attribute', 'site=bench-3', '--group', 'line-1', '--out', out, '--json')
    expect(result.code, result.stderr).toBe(0)
    const output = JSON.parse(result.stdout) as { certificateId: string; certificateArn: string; policyName: string; privateKeyInVault: boolean }
    expect(output.privateKeyInVault).toBe(true)

    expect((await iot.send(new DescribeThingCommand({ thingName: 'moto-lamp-1' }))).attributes).toEqual({ site: 'bench-3' })
    const described = await iot.send(new DescribeCertificateCommand({ certificateId: output.certificateId }))
    expect(described.certificateDescription?.status).toBe('ACTIVE')
    expect((await iot.send(new ListThingPrincipalsCommand({ thingName: 'moto-lamp-1' }))).principals).toEqual([output.certificateArn])
    const policies = await iot.send(new ListAttachedPoliciesCommand({ target: output.certificateArn }))
    expect(policies.policies?.map((p) => p.policyName)).toEqual([output.policyName])
    const groups = await iot.send(new ListThingGroupsForThingCommand({ thingName: 'moto-lamp-1' }))
    expect(groups.thingGroups?.map((g) => g.groupName)).toEqual(['line-1'])

    // The bundle is named by moto's id, holds moto's certificate and the key that belongs to it.
    expect((await readdir(out)).sort()).toEqual(
      [`${output.certificateId}-certificate.pem.crt`, `${output.certificateId}-private.pem.key`, `${output.certificateId}-public.pem.key`, 'AmazonRootCA1.pem'].sort()
    )
    const certificatePem = await readFile(path.join(out, `${output.certificateId}-certificate.pem.crt`), 'utf8')
    expect(new X509Certificate(certificatePem).raw).toEqual(new X509Certificate(described.certificateDescription!.certificatePem!).raw)
    const keyFile = path.join(out, `${output.certificateId}-private.pem.key`)
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    expect(certificateMatchesKey(certificatePem, await readFile(keyFile, 'utf8'))).toBe(true)

    const gone = await thingbench('deprovision', '--thing', 'moto-lamp-1', '--delete-policy')
    expect(gone.code, gone.stderr).toBe(0)
    await expect(iot.send(new DescribeThingCommand({ thingName: 'moto-lamp-1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    await expect(iot.send(new DescribeCertificateCommand({ certificateId: output.certificateId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    await expect(iot.send(new GetPolicyCommand({ policyName: output.policyName }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
  })

  it('registers an existing device certificate under the id moto gives it, which is not the SHA-256 of its DER', async () => {
    const certificatePem = await makeDeviceCertificate({ commonName: 'moto-factory-device' })
    const certificateFile = path.join(await tempDir('tb-moto-cert-'), 'device.pem.crt')
    await writeFile(certificateFile, certificatePem)
    const out = await tempDir('tb-moto-bundle-')

    const result = await thingbench('provision', '--thing', 'moto-gateway-1', '--cert', certificateFile, '--no-policy', '--out', out, '--json')
    expect(result.code, result.stderr).toBe(0)
    const { certificateId, certificateArn } = JSON.parse(result.stdout) as { certificateId: string; certificateArn: string }
    expect(certificateId).not.toBe(createHash('sha256').update(new X509Certificate(certificatePem).raw).digest('hex'))
    expect((await iot.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription?.status).toBe('ACTIVE')
    expect((await iot.send(new ListThingPrincipalsCommand({ thingName: 'moto-gateway-1' }))).principals).toEqual([certificateArn])
    expect((await readdir(out)).sort()).toEqual([`${certificateId}-certificate.pem.crt`, `${certificateId}-public.pem.key`, 'AmazonRootCA1.pem'].sort())

    const gone = await thingbench('deprovision', '--thing', 'moto-gateway-1')
    expect(gone.code, gone.stderr).toBe(0)
    await expect(iot.send(new DescribeThingCommand({ thingName: 'moto-gateway-1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    await expect(iot.send(new DescribeCertificateCommand({ certificateId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
  })
})
