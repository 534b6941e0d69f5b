import { generateKeyPairSync } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { IoTClient } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSocket, startTestHeadless, type TestHeadless } from './support/headless'

// An unexpected failure inside a handler, through the real headless server, dispatcher and
// WebSocket: the page gets a readable message naming the log, the log gets the stack, and
// neither gets the secrets the error happened to carry. The fault is put into the session's real
// IoT client through the AWS SDK's own middleware stack (a bug deep inside a call).

const privateKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const bugMessage = `Cannot read properties of undefined (reading 'map') near ${privateKeyPem} and ${secretAccessKey}`

let t: TestHeadless
beforeAll(async () => {
  t = await startTestHeadless()
  const iot: IoTClient = await t.session.iotClient({ kind: 'local' })
  iot.middlewareStack.add(
    (next) => async (args) => {
      if ((args.input as { thingTypeName?: string }).thingTypeName === 'trigger-the-bug') throw new TypeError(bugMessage)
      return next(args)
    },
    { step: 'initialize', name: 'injectedBug' }
  )
})
afterAll(async () => {
  await t?.close()
})

function homeLogText(): string {
  const dir = t.session.layout.logsDir
  return readdirSync(dir).map((name) => readFileSync(join(dir, name), 'utf8')).join('')
}

describe('an unexpected error in a handler', () => {
  it('reaches the page as a readable message that says where the details are', async () => {
    const client = await openSocket(t.server)
    try {
      const answer = await client.call('things.list', { thingTypeName: 'trigger-the-bug' })
      expect(answer.ok).toBe(false)
      expect(answer.error).toEqual({
        errorName: 'InternalError',
        message: `Something went wrong in things.list (TypeError). The details are in ${t.session.log.currentFile()}.`
      })
      expect(t.session.log.currentFile().startsWith(join(t.home, 'logs'))).toBe(true)
    } finally {
      client.close()
    }
  })

  it('is in the home log with its stack, without the secrets its message carried', () => {
    const text = homeLogText()
    const line = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { method?: string; msg: string; err?: { type: string; stack: string } })
      .find((l) => l.method === 'things.list')
    expect(line?.msg).toBe('things.list failed unexpectedly')
    expect(line?.err?.type).toBe('TypeError')
    expect(line?.err?.stack).toMatch(/TypeError: Cannot read properties of undefined \(reading 'map'\)/)
    expect(line?.err?.stack).toContain('unexpectedErrors.test.ts')
    expect(text).not.toContain(privateKeyPem.split('\n')[1])
    expect(text).not.toContain(secretAccessKey)
  })

  it('leaves AWS errors as they are: name and message, as AWS gave them', async () => {
    const client = await openSocket(t.server)
    try {
      const answer = await client.call('things.describe', { thingName: 'no-such-thing' })
      expect(answer.error?.errorName).toBe('ResourceNotFoundException')
      expect(answer.error?.message).toMatch(/no-such-thing/)
      expect(answer.error?.message).not.toMatch(/Something went wrong/)
    } finally {
      client.close()
    }
  })
})
