import { DescribeThingCommand, ListThingsCommand } from '@aws-sdk/client-iot'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createIotClient, describeAwsError, describeDataEndpoint, listAwsProfiles, profileRegion } from '../../../electron/core/aws'

const testCredentials = { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'test-secret' }

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('AWS profiles', () => {
  let dir: string
  const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'thingbench-aws-'))
    process.env.AWS_CONFIG_FILE = join(dir, 'config')
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials')
    await writeFile(
      join(dir, 'config'),
      [
        '[default]',
        'region = eu-west-1',
        '',
        '[profile bench]',
        'region = us-east-2',
        'output = json',
        '',
        '[profile factory-sso]',
        'sso_session = corp',
        'sso_account_id = 123456789012',
        'sso_role_name = IoTProvisioner',
        'region = ap-southeast-2',
        '',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = us-east-1',
        ''
      ].join('\n')
    )
    await writeFile(
      join(dir, 'credentials'),
      ['[default]', 'aws_access_key_id = AKIDDEFAULT', 'aws_secret_access_key = s1', '', '[lab-keys]', 'aws_access_key_id = AKIDLAB', 'aws_secret_access_key = s2', ''].join('\n')
    )
  })
  afterEach(async () => {
    for (const [name, value] of [
      ['AWS_CONFIG_FILE', saved.config],
      ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials]
    ] as const)
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    await rm(dir, { recursive: true, force: true })
  })

  it('lists plain, SSO and credentials-only profiles from the files the environment names', async () => {
    expect(await listAwsProfiles()).toEqual([
      { name: 'default', region: 'eu-west-1', sso: false },
      { name: 'bench', region: 'us-east-2', sso: false },
      { name: 'factory-sso', region: 'ap-southeast-2', sso: true },
      { name: 'lab-keys', sso: false }
    ])
  })

  it('picks up edits made while the app runs', async () => {
    await listAwsProfiles()
    await writeFile(join(dir, 'credentials'), '[late]\naws_access_key_id = A\naws_secret_access_key = B\n')
    expect((await listAwsProfiles()).map((profile) => profile.name)).toEqual(['default', 'bench', 'factory-sso', 'late'])
  })

  it('tells the region of a profile, and nothing for a profile without one', async () => {
    expect(await profileRegion('bench')).toBe('us-east-2')
    expect(await profileRegion('factory-sso')).toBe('ap-southeast-2')
    expect(await profileRegion('lab-keys')).toBeUndefined()
    expect(await profileRegion('no-such-profile')).toBeUndefined()
  })

  it('signs requests with the chosen profile’s keys', async () => {
    const seen: IncomingHttpHeaders[] = []
    const server = createServer((req, res) => {
      seen.push(req.headers)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ things: [] }))
    })
    const endpoint = await listen(server)
    try {
      await (await createIotClient({ region: 'us-east-2', endpoint, profile: 'lab-keys' })).send(new ListThingsCommand({}))
      await (await createIotClient({ region: 'us-east-2', endpoint, credentials: testCredentials })).send(new ListThingsCommand({}))
    } finally {
      server.close()
    }
    expect(String(seen[0]?.authorization)).toContain('Credential=AKIDLAB/')
    expect(String(seen[0]?.authorization)).toContain('/us-east-2/iot/aws4_request')
    expect(String(seen[1]?.authorization)).toContain(`Credential=${testCredentials.accessKeyId}/`)
  })

  it('explains a profile that does not exist', async () => {
    const iot = await createIotClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', profile: 'no-such-profile' })
    const error = await iot.send(new ListThingsCommand({})).catch((err: unknown) => err)
    const described = describeAwsError(error)
    expect(described.errorName).toBe('CredentialsError')
    expect(described.message).toMatch(/No usable AWS credentials: .*no-such-profile/)
  })
})

describe('createIotClient', () => {
  it('refuses something that is not a region', async () => {
    await expect(createIotClient({ region: 'Ireland please', credentials: testCredentials })).rejects.toThrow(/is not an AWS region/)
  })
})

describe('describeDataEndpoint', () => {
  it('asks for the ATS data endpoint and returns its address', async () => {
    const urls: string[] = []
    const server = createServer((req, res) => {
      urls.push(req.url ?? '')
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ endpointAddress: 'abc123def456gh-ats.iot.eu-west-1.amazonaws.com' }))
    })
    const endpoint = await listen(server)
    try {
      const address = await describeDataEndpoint(await createIotClient({ region: 'eu-west-1', endpoint, credentials: testCredentials }))
      expect(address).toBe('abc123def456gh-ats.iot.eu-west-1.amazonaws.com')
    } finally {
      server.close()
    }
    expect(urls).toEqual(['/endpoint?endpointType=iot%3AData-ATS'])
  })
})

describe('describeAwsError', () => {
  it('names the endpoint that refused the connection', async () => {
    const probe = createServer()
    const endpoint = await listen(probe)
    await new Promise((resolve) => probe.close(resolve))
    const port = new URL(endpoint).port

    const error = await (await createIotClient({ region: 'us-east-1', endpoint, credentials: testCredentials }))
      .send(new ListThingsCommand({}))
      .catch((err: unknown) => err)
    const described = describeAwsError(error)
    expect(described.errorName).toBe('NetworkError')
    expect(described.message).toContain(`Could not reach 127.0.0.1:${port}`)
    expect(described.message).toMatch(/refused.*ECONNREFUSED/)
    expect(described.httpStatus).toBeUndefined()
  })

  it('keeps AWS’s error name, message and HTTP status from a real error response', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'x-amzn-ErrorType': 'ResourceNotFoundException', 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: 'Thing lamp-9 cannot be found.' }))
    })
    const endpoint = await listen(server)
    let error: unknown
    try {
      error = await (await createIotClient({ region: 'us-east-1', endpoint, credentials: testCredentials }))
        .send(new DescribeThingCommand({ thingName: 'lamp-9' }))
        .catch((err: unknown) => err)
    } finally {
      server.close()
    }
    expect(describeAwsError(error)).toEqual({ errorName: 'ResourceNotFoundException', message: 'Thing lamp-9 cannot be found.', httpStatus: 404 })
  })

  it('still says something useful about an error without a message or a non-error value', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end('')
    })
    const endpoint = await listen(server)
    let error: unknown
    try {
      const iot = await createIotClient({ region: 'us-east-1', endpoint, credentials: testCredentials })
      error = await iot.send(new DescribeThingCommand({ thingName: 'lamp-9' })).catch((err: unknown) => err)
    } finally {
      server.close()
    }
    const described = describeAwsError(error)
    expect(described).toEqual({ errorName: 'UnknownError', message: 'AWS answered HTTP 503 Service Unavailable without an error name or message', httpStatus: 503 })
    expect(describeAwsError('boom')).toEqual({ errorName: 'Error', message: 'boom' })
  })
})
