import { X509Certificate } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { ExpressLinkClosedError, ExpressLinkCommandError, ExpressLinkTimeoutError, type AtDiagnostic } from '../../../electron/core/serial/drivers/expresslink'
import { expressLinkBench } from './expresslinkSupport'
import { rejectionOf } from '../../support/refusal'

// The ExpressLink driver against the simulated module over a real pty pair (no cloud needed here):
// identify, the certificate, configuration, and every error the module can give offline, in words.

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('ExpressLink driver on a simulated module', () => {
  it('identifies the module: About, Version, TechSpec, ThingName, Endpoint, not onboarded; the STARTUP event is polled', async () => {
    const { driver, module } = await expressLinkBench(cleanups)
    const identity = await driver.identify()
    expect(identity).toEqual({
      about: 'ThingBench - Simulated ExpressLink',
      version: '1.0.0 sim',
      techSpec: 'v1.2',
      thingName: module.module.thingName,
      endpoint: 'staging.expresslink.thingbench.invalid',
      connected: false,
      onboarded: false
    })
    expect(identity.thingName).toMatch(/^[0-9a-f]{32}$/)
    const events = await driver.pollEvents()
    expect(events).toEqual([{ id: 2, param: 0, text: 'STARTUP', meaning: 'the module started (power-on, reset or wake)' }])
    expect(await driver.pollEvents()).toEqual([])
  })

  it('reads the module certificate (OK{n} pem + n lines) as a PEM whose subject and serial carry the ThingName; the same module after a restart', async () => {
    const bench = await expressLinkBench(cleanups)
    const pem = await bench.driver.readCertificate()
    const certificate = new X509Certificate(pem)
    const thingName = bench.module.module.thingName
    expect(certificate.subject).toContain(`CN=${thingName}`)
    expect(certificate.serialNumber.toLowerCase()).toContain(thingName)
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    // Endpoint persists in the module's config file; Topic1 (non-persistent) does not survive RESET.
    await bench.driver.configure({ Endpoint: 'example-ats.iot.eu-west-1.amazonaws.com', Topic1: 'bench/test' })
    expect((await bench.driver.connectionStatus()).onboarded).toBe(true)
    await bench.driver.command('AT+RESET')
    expect(await bench.driver.read('Topic1')).toBe('')
    expect(await bench.driver.read('Endpoint')).toBe('example-ats.iot.eu-west-1.amazonaws.com')
    await bench.module.close()
    const again = await expressLinkBench(cleanups, { stateDir: bench.stateDir })
    expect(await again.driver.readCertificate()).toBe(pem)
    expect((await again.driver.identify()).endpoint).toBe('example-ats.iot.eu-west-1.amazonaws.com')
  })

  it('configure escapes values (a newline travels as \\A) and reads them back unchanged', async () => {
    const { driver } = await expressLinkBench(cleanups)
    await driver.configure({ CustomName: 'bench 3\nshelf \\A' })
    expect(await driver.read('CustomName')).toBe('bench 3\nshelf \\A')
  })

  const offlineRefusals: Array<[string, number, RegExp]> = [
    ['AT+CONF? Endpoint' + 'x'.repeat(10_000), 1, /ERR1 OVERFLOW: the command was longer than the module can take in/],
    ['AT+CONF?Endpoint', 2, /ERR2 PARSE ERROR: the command was badly formatted/],
    ['AT+FLY', 3, /ERR3 COMMAND NOT FOUND: the module does not know this command/],
    ['AT+CONF Endpoint', 4, /ERR4 PARAMETER ERROR: the module did not accept the parameter/],
    ['AT+CONF CustomName=a\\qb', 5, /ERR5 INVALID ESCAPE: the parameter holds a backslash sequence other than \\A/],
    ['AT+CONF Topic1=t', 0, /^$/],
    ['AT+SEND1 hello', 6, /ERR6 NO CONNECTION: the command needs a connection to AWS IoT: connect the module first/],
    ['AT+SEND0 hello', 7, /ERR7 OUT OF RANGE: the topic or shadow index is 0 or above/],
    ['AT+SEND2 hello', 8, /ERR8 PARAMETER UNDEFINED: the topic or shadow at that index is not configured/],
    ['AT+CONF? ThisKeyIsWayTooLong', 9, /ERR9 INVALID KEY LENGTH: configuration keys are at most 16 characters/],
    ['AT+CONF? End-point', 10, /ERR10 INVALID KEY NAME: configuration keys are letters and digits only/],
    ['AT+CONF? ENDPOINT', 11, /ERR11 UNKNOWN KEY: .*keys are case-sensitive: Endpoint, not ENDPOINT/],
    ['AT+CONF ThingName=mine', 12, /ERR12 KEY READONLY: that configuration key can be read but not written/],
    ['AT+CONF? Passphrase', 13, /ERR13 KEY WRITEONLY: .*never read back/],
    ['AT+CONNECT', 14, /ERR14 UNABLE TO CONNECT: the module could not connect to AWS IoT — hint 2 \(NETWORK\): the module could not join the network: for Wi-Fi, give it the SSID and passphrase/],
    ['AT+TIME?', 15, /ERR15 TIME NOT AVAILABLE: the module has no time fix yet/],
    ['AT+CONFMODE', 17, /ERR17 MODE NOT AVAILABLE: the module does not support the requested mode/],
    ['AT+SHADOW UPDATE {}', 24, /ERR24 SHADOW ERROR: the shadow request was refused: shadows need EnableShadow=1/],
    ['AT+SHADOW9 DOC', 7, /ERR7 OUT OF RANGE/],
    ['AT+SHADOW1 DOC', 8, /ERR8 PARAMETER UNDEFINED/],
    ['AT+CONF RootCA=not a certificate', 26, /ERR26 INVALID CERTIFICATE: the certificate given is corrupt or not a valid X\.509 PEM/]
  ]

  it('every error the module gives offline comes back as its code and in plain words, naming the command; none stops the next command', async () => {
    const { driver } = await expressLinkBench(cleanups)
    for (const [command, code, words] of offlineRefusals) {
      if (code === 0) {
        await driver.command(command)
        continue
      }
      const error = await rejectionOf(driver.command(command))
      expect(error, command).toBeInstanceOf(ExpressLinkCommandError)
      expect((error as ExpressLinkCommandError).code, command).toBe(code)
      expect(error.message, command).toMatch(words)
      expect(error.message.startsWith(command.slice(0, 40)), command).toBe(true)
      expect(error.message.length, command).toBeLessThan(600)
      expect((await driver.command('AT')).detail).toBe('')
    }
  })

  it('CONNECT hints offline: 2 without Wi-Fi, then 1 for a retry inside the back-off', async () => {
    const { driver } = await expressLinkBench(cleanups, { backoffMs: 60_000 })
    const network = (await rejectionOf(driver.connect())) as ExpressLinkCommandError
    expect(network.hint).toBe('2')
    const backoff = (await rejectionOf(driver.connect())) as ExpressLinkCommandError
    expect(backoff.hint).toBe('1')
    expect(backoff.message).toMatch(/hint 1 \(BACKOFF\): a retry came too soon after a failure: the module imposes a back-off delay; wait a few seconds and connect again/)
  })

  it('CONNECT hint 3: an endpoint that does not resolve', async () => {
    const { driver } = await expressLinkBench(cleanups)
    await driver.configure({ SSID: 'bench-wifi', Passphrase: 'secret-passphrase' })
    const error = (await rejectionOf(driver.connect())) as ExpressLinkCommandError
    expect(error.code).toBe(14)
    expect(error.hint).toBe('3')
    expect(error.message).toMatch(/hint 3 \(ENDPOINT\): the module could not reach the AWS IoT endpoint: check Endpoint/)
  })

  it('garbage and partial lines from the module give a clear diagnostic and change nothing: the next command gets its own answer', async () => {
    const { driver, module } = await expressLinkBench(cleanups)
    const diagnostics: AtDiagnostic[] = []
    driver.on('diagnostic', (d) => diagnostics.push(d))
    module.module.writeGarbage(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a]))
    module.module.writeGarbage('OK this is not for anyone\r\n')
    module.module.writeGarbage('half a li')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await driver.read('TechSpec')).toBe('v1.2')
    expect(diagnostics.map((d) => d.message)).toEqual([
      'The module sent "\\xff\\x00\\x137" when no command was waiting (a late answer, boot output or noise); ignored. It is mostly unprintable bytes: is the port at another baud rate? ExpressLink is fixed at 115200 8N1.',
      'The module sent "OK this is not for anyone" when no command was waiting (a late answer, boot output or noise); ignored.',
      'Dropped an unfinished line before AT+CONF? TechSpec: "half a li".'
    ])
    // Garbage the host sends the module (no AT in it) is ignored by the module too.
    await driver.command('\u0001\u0002 noise', 500)
      .then(() => expect.fail('noise got an answer'))
      .catch((error: Error) => expect(error).toBeInstanceOf(ExpressLinkTimeoutError))
    expect(await driver.read('ThingName')).toBe(module.module.thingName)
  })

  it('a module that stops answering mid-command gives a clear timeout and the queue moves on once it answers again', async () => {
    const { driver, module } = await expressLinkBench(cleanups, {}, { commandTimeoutMs: 400 })
    module.module.silent = true
    const queued = [driver.read('About'), driver.read('Version')].map((p) => p.catch((error: Error) => error))
    const [first, second] = await Promise.all(queued)
    expect(first).toBeInstanceOf(ExpressLinkTimeoutError)
    expect((first as Error).message).toBe(
      'The module did not answer AT+CONF? About within 400 ms: it may have stopped, reset or be at another baud rate (ExpressLink is 115200 8N1). The next command goes ahead on a flushed line.'
    )
    expect(second).toBeInstanceOf(ExpressLinkTimeoutError)
    module.module.silent = false
    expect(await driver.read('TechSpec')).toBe('v1.2')
  })

  it('unplugging the cable mid-command fails that command (and every later one) with a "port closed" error at once, not a timeout', async () => {
    const { driver, module, pair } = await expressLinkBench(cleanups, {}, { commandTimeoutMs: 15_000 })
    module.module.silent = true
    const started = Date.now()
    const pending = rejectionOf(driver.read('About'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    await module.close()
    await pair.unplug()
    const error = await pending
    expect(error).toBeInstanceOf(ExpressLinkClosedError)
    expect(error.message).toMatch(/^The port closed before AT\+CONF\? About was answered.*: was the cable pulled or the module reset\? Reopen the port and send it again\.$/)
    // Well before the 15 s timeout: the closed port or the next line check's failed write ends it.
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect(driver.read('Version')).rejects.toThrow(/^The port closed before AT\+CONF\? Version was answered/)
  })
})
