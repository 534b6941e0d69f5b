import { createPrivateKey, X509Certificate } from 'node:crypto'
import { DescribeCertificateCommand, paginateListThingPrincipals, type IoTClient } from '@aws-sdk/client-iot'
import type { DeviceWriteProgress, DeviceWriteResult, DeviceWriteStep } from '../../contract/jsonLinesProvisioning'
import type { WifiSettings } from '../../contract/serial'
import { allItems, describeAwsError } from '../aws'
import type { SerialPorts } from '../serial'
import { defaultPortSettings } from '../serial/settings'
import { ExpressLinkDriver } from '../serial/drivers/expresslink'
import {
  JsonLinesClosedError,
  JsonLinesConnectTimeoutError,
  JsonLinesDeviceError,
  JsonLinesDriver,
  JsonLinesTimeoutError,
  JsonLinesWriteError,
  provisionItemsOf,
  type DeviceHello,
  type Diagnostic,
  type DriverLog
} from '../serial/drivers/jsonLines'
import { wifiCapability, type ProvisionItem } from '../serial/drivers/jsonLines/protocol'
import type { Vault } from '../vault'

// A thing's identity written to a JSON-lines board over the cable (docs/serial-json-lines.md §3):
// the one time a private key leaves the vault. Every entry point (the wizard, the CLI, tests) comes
// through here, so the rules hold once: the key is read from the vault here and goes only to the
// port (the driver shows it as "[private key, N characters, not shown]"); it is in no progress
// event, result, error or log line. Nothing is written to a board that does not say hello with the
// "provision" capability, nor before the certificate, its thing and its key have all been checked.

export const deviceWriteOwner = 'Writing an identity to the device'

export type DeviceWriteErrorName =
  | 'KeyNotInVault'
  | 'CertificateNotActive'
  | 'CertificateNotOfThing'
  | 'KeyDoesNotMatchCertificate'
  | 'DeviceNotAnswering'
  | 'NotJsonLinesDevice'
  | 'ExpressLinkModule'
  | 'NoWifiCapability'
  | 'NoProvisionCapability'
  | 'DeviceRefused'
  | 'PortClosed'
  | 'DeviceConnectTimeout'
  | 'DeviceConnectFailed'

export class DeviceWriteError extends Error {
  constructor(
    /** A ThingBench name, or AWS's exception name when reading the certificate failed. */
    readonly errorName: DeviceWriteErrorName | string,
    message: string
  ) {
    super(message)
    this.name = 'DeviceWriteError'
  }
}

export interface DeviceIdentityRequest {
  portPath: string
  thingName: string
  certificateId: string
  /** host:port of the device gateway the board connects to. */
  endpoint: string
  /** The CA the board verifies the endpoint with; absent: the board's own (Amazon Root CA 1). */
  rootCaPem?: string
  /** The network the board joins; only firmware that lists the "wifi" capability takes one. */
  wifi?: WifiSettings
}

export interface DeviceIdentityContext {
  iot: IoTClient
  vault: Vault
  ports: SerialPorts
  onProgress?: (progress: DeviceWriteProgress) => void
  /** How long the board has for each answer (hello, each item, the commit). */
  requestTimeoutMs?: number
  /** How long the board has after the commit to say connected or failed (the protocol's 30 s). */
  connectTimeoutMs?: number
  log?: DriverLog & { info(fields: object, message: string): void }
}

interface Identity {
  certificatePem: string
  privateKeyPem: string
}

const stepWords: Record<DeviceWriteStep, string> = {
  hello: 'hello',
  endpoint: 'endpoint',
  thingName: 'thing name',
  certificate: 'certificate',
  privateKey: 'private key',
  rootCa: 'root CA',
  wifiSsid: 'Wi-Fi network (SSID)',
  wifiPassphrase: 'Wi-Fi passphrase',
  commit: 'commit (provision_commit)',
  connect: 'connection'
}

/** Writes the thing's identity to the board on `portPath` and waits until the board says it connected. */
export async function writeIdentityToDevice(request: DeviceIdentityRequest, ctx: DeviceIdentityContext): Promise<DeviceWriteResult> {
  const { portPath, thingName, certificateId } = request
  const emit = (step: DeviceWriteStep, status: DeviceWriteProgress['status'], detail?: string): void => {
    try {
      ctx.onProgress?.({ portPath, thingName, step, status, ...(detail ? { detail } : {}) })
    } catch {
      // A listener's trouble (a closed window) is not the board's.
    }
  }
  // Everything checked before the port is touched: a refusal here leaves the board as it was.
  const identity = await readIdentity(ctx, thingName, certificateId)

  const handle = await ctx.ports.acquire(portPath, deviceWriteOwner, defaultPortSettings)
  const requestTimeoutMs = ctx.requestTimeoutMs ?? 3_000
  const driver = new JsonLinesDriver(handle.stream, { requestTimeoutMs, baudRate: handle.settings.baudRate, ...(ctx.log ? { log: ctx.log } : {}) })
  const heard: Diagnostic[] = []
  driver.on('diagnostic', (diagnostic) => heard.push(diagnostic))
  /** A secret is done when the board has it: said by its size, never by its text. */
  const doneDetail = (step: DeviceWriteStep): string | undefined => {
    if (step === 'privateKey') return `${identity.privateKeyPem.length} characters, not shown`
    if (step === 'wifiPassphrase') return `${request.wifi?.passphrase.length ?? 0} characters, not shown`
    if (step === 'wifiSsid') return request.wifi?.ssid
    return undefined
  }
  // Where the write is; an object, as the driver's callbacks move it on.
  const at: { step: DeviceWriteStep } = { step: 'hello' }
  /** The commit is known to be through (a connection message, the outcome, or a failure after it): say so once, and wait for the connection. */
  const passCommit = (): void => {
    if (at.step !== 'commit') return
    emit('commit', 'done', 'the device stored its new identity')
    at.step = 'connect'
  }
  try {
    emit('hello', 'started')
    const hello = await greet(driver, portPath, requestTimeoutMs, heard).catch(async (error: unknown) => {
      // Silence is what an ExpressLink module gives a JSON line (no "AT" in it): ask it the AT way before saying "not answering".
      if (error instanceof DeviceWriteError && error.errorName === 'DeviceNotAnswering' && (await answersAt(handle.stream)))
        throw new DeviceWriteError(
          'ExpressLinkModule',
          `The device on ${portPath} answered "AT" with OK: it is an AWS IoT ExpressLink module, not a JSON-lines board. A module brings its own key and certificate: onboard it instead (Serial → Onboard…, or thingbench onboard --port ${portPath}). Nothing was written to it.`
        )
      throw error
    })
    const who = `${hello.device} ${hello.firmware} (serial ${hello.serial})`
    if (!hello.capabilities?.includes('provision'))
      throw new DeviceWriteError(
        'NoProvisionCapability',
        `${who} on ${portPath} does not list "provision" in its hello's capabilities: its firmware cannot take an identity over the cable (docs/serial-json-lines.md §3). Nothing was written to it.`
      )
    if (request.wifi && !hello.capabilities?.includes(wifiCapability))
      throw new DeviceWriteError(
        'NoWifiCapability',
        `${who} on ${portPath} does not list "${wifiCapability}" in its hello's capabilities: its firmware cannot take a Wi-Fi network over the cable (docs/serial-json-lines.md §3). Leave the Wi-Fi network empty for a board that has its own. Nothing was written to it.`
      )
    emit('hello', 'done', who)
    const input = {
      endpoint: request.endpoint,
      thingName,
      certificatePem: identity.certificatePem,
      privateKeyPem: identity.privateKeyPem,
      ...(request.rootCaPem ? { rootCaPem: request.rootCaPem } : {}),
      ...(request.wifi ? { wifi: request.wifi } : {})
    }
    // What the driver will not send, said now: the rows then read as decided, not as waiting.
    const whySkipped: Partial<Record<ProvisionItem, string>> = {
      rootCa: "the board's own (Amazon Root CA 1)",
      wifiSsid: hello.capabilities?.includes(wifiCapability) ? 'no Wi-Fi network given: the board keeps its own' : 'the board takes no Wi-Fi network over the cable',
      wifiPassphrase: request.wifi ? 'an open network' : 'no Wi-Fi network given'
    }
    for (const [item, value] of provisionItemsOf(input)) if (value === undefined) emit(item, 'skipped', whySkipped[item])

    const onConnection = ({ state, detail }: { state: string; detail?: string }): void => {
      passCommit()
      if (at.step !== 'connect') return
      if (state === 'connecting') emit('connect', 'started', detail ? `connecting to ${detail}` : 'connecting')
    }
    driver.on('connection', onConnection)
    const onStep = (step: ProvisionItem | 'commit'): void => {
      if (at.step !== 'hello') emit(at.step, 'done', doneDetail(at.step))
      at.step = step
      emit(step, 'started')
    }
    const outcome = await driver.provision(input, ctx.connectTimeoutMs ?? 30_000, onStep)
    passCommit()
    if (outcome.state === 'failed') {
      throw new DeviceWriteError(
        'DeviceConnectFailed',
        `The device stored its new identity but could not connect to ${request.endpoint} as ${thingName}${outcome.detail ? `: ${outcome.detail}` : ''}. Check the board's network, and that the certificate is ACTIVE with a policy that allows iot:Connect for client id ${thingName}.`
      )
    }
    emit('connect', 'done', outcome.detail ? `connected to ${outcome.detail}` : 'connected')
    ctx.log?.info({ portPath, thingName, certificateId, serial: hello.serial }, 'identity written to the device, which connected')
    return {
      portPath,
      thingName,
      certificateId,
      endpoint: request.endpoint,
      device: { model: hello.device, firmware: hello.firmware, serial: hello.serial },
      ...(request.wifi ? { wifiSsid: request.wifi.ssid } : {}),
      connection: { state: 'connected', ...(outcome.detail ? { detail: outcome.detail } : {}) }
    }
  } catch (error) {
    if (failedAfterCommit(error)) passCommit()
    const failure = error instanceof DeviceWriteError ? error : inWords(error, at.step, request)
    emit(at.step, 'failed', failure.message)
    throw failure
  } finally {
    driver.detach()
    await handle.release()
  }
}

/** The certificate from AWS and its key from the vault, checked to belong together and to the thing. */
async function readIdentity(ctx: DeviceIdentityContext, thingName: string, certificateId: string): Promise<Identity> {
  let described
  let principals: string[]
  try {
    ;[described, principals] = await Promise.all([
      ctx.iot.send(new DescribeCertificateCommand({ certificateId })),
      allItems(paginateListThingPrincipals({ client: ctx.iot, pageSize: 250 }, { thingName }), (page) => page.principals)
    ])
  } catch (error) {
    const { errorName, message } = describeAwsError(error)
    throw new DeviceWriteError(errorName, `Cannot read certificate ${certificateId} or thing ${thingName}: ${message}. Nothing was written to the device.`)
  }
  const certificate = described.certificateDescription
  if (!certificate?.certificatePem || !certificate.certificateArn) throw new DeviceWriteError('CertificateNotActive', `DescribeCertificate answered without certificate ${certificateId}. Nothing was written to the device.`)
  if (certificate.status !== 'ACTIVE')
    throw new DeviceWriteError('CertificateNotActive', `Certificate ${certificateId} is ${certificate.status ?? 'of unknown status'}, so the device could not connect with it: activate it first. Nothing was written to the device.`)
  if (!principals.includes(certificate.certificateArn))
    throw new DeviceWriteError('CertificateNotOfThing', `Certificate ${certificateId} is not attached to thing ${thingName}: the device would connect as a thing it is not. Nothing was written to the device.`)
  const stored = await ctx.vault.get(certificateId)
  if (stored === null)
    throw new DeviceWriteError(
      'KeyNotInVault',
      `The vault on this machine holds no private key for certificate ${certificateId}: its key was made elsewhere and stays there, so there is nothing to write. Nothing was written to the device.`
    )
  const key = createPrivateKey(stored)
  if (!new X509Certificate(certificate.certificatePem).checkPrivateKey(key))
    throw new DeviceWriteError('KeyDoesNotMatchCertificate', `The key the vault holds under certificate ${certificateId} does not belong to it. Nothing was written to the device.`)
  // PKCS#8 for every key type: the protocol takes PKCS#1 or PKCS#8, and SEC1 (EC) is neither.
  return { certificatePem: certificate.certificatePem, privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() }
}

/** The board's hello: the answer to ours, or the one it sends at boot if opening the port reset it. */
async function greet(driver: JsonLinesDriver, portPath: string, timeoutMs: number, heard: Diagnostic[]): Promise<DeviceHello> {
  let bootHello: DeviceHello | undefined
  const onHello = (hello: DeviceHello): void => void (bootHello ??= hello)
  driver.on('hello', onHello)
  try {
    return await driver.hello()
  } catch (error) {
    if (bootHello) return bootHello
    const seen = heard.at(-1) ? ` What came from the port: ${heard.at(-1)!.message}` : ''
    if (error instanceof JsonLinesTimeoutError)
      throw new DeviceWriteError(
        'DeviceNotAnswering',
        `The device on ${portPath} did not answer ThingBench's hello within ${timeoutMs} ms: it is not a JSON-lines board, is at another baud rate than ${defaultPortSettings.baudRate}, or is still booting.${seen} Nothing was written to it.`
      )
    if (error instanceof JsonLinesDeviceError)
      throw new DeviceWriteError('NotJsonLinesDevice', `The device on ${portPath} refused ThingBench's hello with ${error.code}${error.detail ? ` (${error.detail})` : ''}: it does not speak JSON-lines protocol 1. Nothing was written to it.`)
    throw error
  } finally {
    driver.off('hello', onHello)
  }
}

/** Whether an AT command set answers on the stream: one `AT`, OK within a second. */
async function answersAt(stream: ConstructorParameters<typeof ExpressLinkDriver>[0]): Promise<boolean> {
  const probe = new ExpressLinkDriver(stream, { commandTimeoutMs: 1_000 })
  try {
    await probe.attention(1, 1_000)
    return true
  } catch {
    return false
  } finally {
    probe.detach()
  }
}

/** Whether the commit was acknowledged before `error`: only the wait for the board's connection times out so, or sees the port close with no request waiting. */
function failedAfterCommit(error: unknown): boolean {
  return error instanceof JsonLinesConnectTimeoutError || (error instanceof JsonLinesClosedError && error.id === undefined)
}

/** A failure while writing or after the commit, in words that say what the board now holds. */
function inWords(error: unknown, step: DeviceWriteStep, request: DeviceIdentityRequest): DeviceWriteError {
  const what = stepWords[step]
  const beforeCommit = step !== 'commit' && step !== 'connect'
  const kept = beforeCommit ? 'Nothing was stored: the device keeps an identity only at the commit.' : 'The device keeps the identity it had before.'
  if (error instanceof JsonLinesDeviceError) {
    const detail = error.detail ? `: ${error.detail}` : ''
    const sentence = ((): string => {
      switch (error.code) {
        case 'bad_value':
          return step === 'commit' ? `The device refused the identity at the commit (bad_value)${detail}.` : `The device refused the ${what} (bad_value)${detail}.`
        case 'not_provisioned':
          return `The device says its identity is incomplete (not_provisioned)${detail}.`
        case 'storage_failed':
          return `The device could not write its identity to its flash (storage_failed)${detail}.`
        case 'busy':
          return `The device was busy and did not take the ${what} (busy)${detail}: write again in a moment.`
        case 'line_too_long':
          return `The device dropped the ${what} as too long (line_too_long)${detail}: its firmware must read lines of up to 8192 bytes (docs/serial-json-lines.md §1).`
        case 'unknown_type':
          return `The device does not know the "${error.request}" message (unknown_type) although its hello lists "provision": its firmware does not implement docs/serial-json-lines.md §3.`
        default:
          return `The device refused the ${what} with ${error.code}${detail}.`
      }
    })()
    return new DeviceWriteError('DeviceRefused', `${sentence} ${kept}`)
  }
  if (error instanceof JsonLinesTimeoutError) return new DeviceWriteError('DeviceNotAnswering', `The device stopped answering at the ${what}: ${error.message} ${kept}`)
  if (error instanceof JsonLinesClosedError || error instanceof JsonLinesWriteError) {
    const after = step === 'connect' ? ' The device had stored its new identity.' : ` ${kept}`
    return new DeviceWriteError('PortClosed', `${error.message}${after}`)
  }
  if (error instanceof JsonLinesConnectTimeoutError)
    return new DeviceWriteError('DeviceConnectTimeout', `${error.message.replace(/\.$/, '')} (it was to connect to ${request.endpoint} as ${request.thingName}).`)
  if (error instanceof Error) return new DeviceWriteError('DeviceRefused', `${error.message} ${kept}`)
  return new DeviceWriteError('DeviceRefused', `${String(error)} ${kept}`)
}
