import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { homeLayout } from '../../../electron/core/home'
import { openLog } from '../../../electron/core/logging'
import { scrubSecrets } from '../../../electron/core/logging/scrubSecrets'

// The home's rotating log (pino + pino-roll): what a packaged app keeps of an unexpected error, and
// never a secret, wherever in the line it hides.

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
const pemBody = (key: string) => key.split('\n')[1]!
// AWS's documented example secret key and the shape of an STS session token.
const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const sessionToken = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD' + 'a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ+/'.repeat(8)

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'tb-log-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

function logText(): string {
  const dir = homeLayout(home).logsDir
  return readdirSync(dir).map((name) => readFileSync(join(dir, name), 'utf8')).join('')
}

describe('the home log', () => {
  it('keeps an unexpected error with its stack, in <home>/logs, readable by the owner only', async () => {
    const log = await openLog({ file: homeLayout(home).logFile, processName: 'test' })
    const error = new TypeError("Cannot read properties of undefined (reading 'things')")
    log.logger.error({ err: error, method: 'things.list' }, 'things.list failed unexpectedly')
    expect(log.currentFile()).toBe(join(home, 'logs', 'thingbench.1.log'))
    await log.close()

    const line = JSON.parse(logText().trim()) as { level: number; process: string; method: string; msg: string; err: { type: string; stack: string } }
    expect(line).toMatchObject({ level: 50, process: 'test', method: 'things.list', msg: 'things.list failed unexpectedly' })
    expect(line.err.type).toBe('TypeError')
    expect(line.err.stack).toContain('logging.test.ts')
    if (process.platform !== 'win32') expect(statSync(log.currentFile()).mode & 0o777).toBe(0o600)
  })

  it('opened at its first line (a CLI command): no file until something is logged, then every line kept, scrubbed', async () => {
    const log = await openLog({ file: homeLayout(home).logFile, processName: 'cli', opens: 'atFirstLine' })
    expect(() => readdirSync(homeLayout(home).logsDir)).toThrow(/ENOENT/)
    expect(log.currentFile()).toBe(homeLayout(home).logsDir)
    log.logger.warn({ report: 'recovered run 1' }, 'first line')
    log.logger.error({ err: new TypeError(`bad ${pem}`) }, 'second line, written while the file opens')
    await log.close()
    const lines = logText().trim().split('\n').map((line) => JSON.parse(line) as { msg: string; process: string })
    expect(lines.map((line) => line.msg)).toEqual(['first line', 'second line, written while the file opens'])
    expect(lines[0]!.process).toBe('cli')
    expect(logText()).not.toContain(pemBody(pem))
  })

  it('leaves no file behind when a command that opens at its first line logs nothing', async () => {
    const log = await openLog({ file: homeLayout(home).logFile, processName: 'cli', opens: 'atFirstLine' })
    await log.close()
    expect(() => readdirSync(homeLayout(home).logsDir)).toThrow(/ENOENT/)
  })

  it('never writes a private key, a secret access key or a session token, from a message, a stack or a field', async () => {
    const log = await openLog({ file: homeLayout(home).logFile, processName: 'test' })
    const error = new Error(`could not use the bundle: ${pem} with aws_secret_access_key = ${secretAccessKey}`)
    log.logger.error({ err: error }, `failed with ${rsaPem} and ${secretAccessKey}`)
    log.logger.error(error) // pino takes the message from the error
    log.logger.warn({ connection: { region: 'eu-west-1', secretAccessKey: 'short-or-odd-secret', sessionToken } }, 'connection details')
    log.logger.info({ note: `token ${sessionToken}`, nested: { deeper: { privateKey: 'whatever it holds' } } }, 'fields')
    await log.close()

    const text = logText()
    for (const secret of [pemBody(pem), pemBody(rsaPem), 'PRIVATE KEY-----\\n', secretAccessKey, 'short-or-odd-secret', sessionToken.slice(0, 60), 'whatever it holds'])
      expect(text, secret).not.toContain(secret)
    expect(text).toContain('[private key removed]')
    expect(text).toContain('[redacted]')
    // What is not secret stays, so the log still says what happened.
    expect(text).toContain('could not use the bundle')
    expect(text).toContain('eu-west-1')
    for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow()
  })

  it('rolls over by size and keeps only the newest files', async () => {
    const log = await openLog({ file: homeLayout(home).logFile, processName: 'test', size: '1k', keep: 2 })
    for (let i = 0; i < 60; i++) {
      log.logger.info({ i, filler: 'x'.repeat(100) }, 'line')
      await new Promise((resolve) => setImmediate(resolve))
    }
    await log.close()
    const files = readdirSync(homeLayout(home).logsDir).sort()
    expect(files.length).toBeGreaterThanOrEqual(2)
    expect(files.length).toBeLessThanOrEqual(3) // the current file and two rotated ones
    expect(files.every((name) => /^thingbench\.\d+\.log$/.test(name))).toBe(true)
    expect(logText()).toContain('"i":59')
    expect(logText()).not.toContain('"i":0,')
  })
})

describe('scrubSecrets', () => {
  it('leaves hex digests, ARNs and paths alone', () => {
    const text = 'cert 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 at arn:aws:iot:eu-west-1:123456789012:thing/lamp in /home/u/.config/ThingBench/logs/abcdefghij/klmnopqrst'
    expect(scrubSecrets(text)).toBe(text)
  })

  it('removes a key block cut off before its end line', () => {
    expect(scrubSecrets(`oops ${pem.slice(0, 80)}`)).toBe('oops [private key removed]')
  })
})
