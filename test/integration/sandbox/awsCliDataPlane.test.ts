import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findAwsClis, sandboxCliEnv, type AwsCli } from '../../support/awsClis'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// `aws iot-data` from every AWS CLI on this machine against the Local IoT Core's data-plane endpoint:
// clients written elsewhere that sign `iotdata`, send the payload as a blob and write the answer to an
// outfile. (awsCli.test.ts checks that the CLIs were found.) The CLIs take a blob differently: v2
// base64-decodes `--payload` unless told `--cli-binary-format raw-in-base64-out`; v1 has no such
// option and sends the text as it is.

const run = promisify(execFile)

/** How the CLIs print a refusal; v2 adds `(reached max retries: 0)` when, as here, it makes one attempt only. */
function cliError(name: string, operation: string, message: string): RegExp {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`An error occurred \\(${name}\\) when calling the ${operation} operation( \\(reached max retries: \\d+\\))?: ${escape(message)}\n`)
}

interface CliResult {
  code: number
  stdout: string
  stderr: string
}

for (const cli of findAwsClis()) describeCli(cli)

function describeCli(cli: AwsCli): void {
  describe(`${cli.label}: aws iot-data against the Local IoT Core`, () => {
    let sandbox: TestSandbox
    let home: string
    const payloadArgs = (document: unknown): string[] => [
      ...(cli.version.startsWith('aws-cli/1.') ? [] : ['--cli-binary-format', 'raw-in-base64-out']),
      '--payload',
      JSON.stringify(document)
    ]

    async function awsData(...args: string[]): Promise<CliResult> {
      try {
        const { stdout, stderr } = await run(cli.path, ['iot-data', ...args, '--endpoint-url', sandbox.core.dataPlaneUrl, '--output', 'json'], {
          env: sandboxCliEnv(home, sandbox.core),
          cwd: home
        })
        return { code: 0, stdout, stderr }
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string }
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
      }
    }

    /** Runs a command that writes the shadow document to an outfile, and returns that document. */
    async function withOutfile(...args: string[]): Promise<Record<string, unknown>> {
      const outfile = path.join(home, 'out.json')
      fs.rmSync(outfile, { force: true })
      const result = await awsData(...args, outfile)
      if (result.code !== 0) expect.fail(`aws iot-data ${args[0]} failed (exit ${result.code}): ${result.stderr}`)
      return JSON.parse(fs.readFileSync(outfile, 'utf8')) as Record<string, unknown>
    }

    beforeAll(async () => {
      sandbox = await startTestSandbox()
      home = fs.mkdtempSync(path.join(sandbox.dataDir, 'home-'))
    })
    afterAll(async () => {
      await sandbox.stop()
    })

    it(`${cli.label}: update-thing-shadow and get-thing-shadow, classic and named`, async () => {
      const accepted = await withOutfile('update-thing-shadow', '--thing-name', 'cli-lamp', ...payloadArgs({ state: { desired: { on: true } }, clientToken: 'cli-1' }))
      expect(accepted).toMatchObject({ state: { desired: { on: true } }, version: 1, clientToken: 'cli-1' })
      await withOutfile('update-thing-shadow', '--thing-name', 'cli-lamp', ...payloadArgs({ state: { reported: { on: false } } }))
      expect(await withOutfile('get-thing-shadow', '--thing-name', 'cli-lamp')).toMatchObject({
        state: { desired: { on: true }, reported: { on: false }, delta: { on: true } },
        version: 2
      })

      await withOutfile('update-thing-shadow', '--thing-name', 'cli-lamp', '--shadow-name', 'config', ...payloadArgs({ state: { desired: { mode: 'eco' } } }))
      expect(await withOutfile('get-thing-shadow', '--thing-name', 'cli-lamp', '--shadow-name', 'config')).toMatchObject({
        state: { desired: { mode: 'eco' } },
        version: 1
      })
    })

    it(`${cli.label}: list-named-shadows-for-thing`, async () => {
      await withOutfile('update-thing-shadow', '--thing-name', 'cli-pump', '--shadow-name', 'telemetry', ...payloadArgs({ state: { reported: { rpm: 900 } } }))
      await withOutfile('update-thing-shadow', '--thing-name', 'cli-pump', '--shadow-name', 'alarms', ...payloadArgs({ state: { reported: { none: true } } }))
      const result = await awsData('list-named-shadows-for-thing', '--thing-name', 'cli-pump')
      if (result.code !== 0) expect.fail(`list-named-shadows-for-thing failed: ${result.stderr}`)
      expect(JSON.parse(result.stdout)).toEqual({ results: ['alarms', 'telemetry'], timestamp: expect.any(Number) })
    })

    it(`${cli.label}: delete-thing-shadow, then get-thing-shadow says ResourceNotFoundException`, async () => {
      await withOutfile('update-thing-shadow', '--thing-name', 'cli-doomed', ...payloadArgs({ state: { reported: { on: true } } }))
      expect(await withOutfile('delete-thing-shadow', '--thing-name', 'cli-doomed')).toEqual({ version: 1, timestamp: expect.any(Number) })
      const missing = await awsData('get-thing-shadow', '--thing-name', 'cli-doomed', path.join(home, 'missing.json'))
      expect(missing.code).not.toBe(0)
      expect(missing.stderr).toMatch(cliError('ResourceNotFoundException', 'GetThingShadow', "No shadow exists with name: 'cli-doomed'"))
    })

    it(`${cli.label}: publish --retain, then get-retained-message and list-retained-messages show it`, async () => {
      const published = await awsData('publish', '--topic', 'cli/lamp/state', '--qos', '1', '--retain', ...payloadArgs({ on: true }))
      if (published.code !== 0) expect.fail(`publish failed: ${published.stderr}`)
      const got = await awsData('get-retained-message', '--topic', 'cli/lamp/state')
      if (got.code !== 0) expect.fail(`get-retained-message failed: ${got.stderr}`)
      const message = JSON.parse(got.stdout) as { topic: string; payload: string; qos: number; lastModifiedTime: number }
      expect(message).toMatchObject({ topic: 'cli/lamp/state', qos: 1, lastModifiedTime: expect.any(Number) })
      // The CLI prints the blob base64-encoded.
      expect(Buffer.from(message.payload, 'base64').toString('utf8')).toBe('{"on":true}')
      const listed = await awsData('list-retained-messages')
      expect(JSON.parse(listed.stdout)).toMatchObject({ retainedTopics: [{ topic: 'cli/lamp/state', payloadSize: 11, qos: 1 }] })
    })

    it(`${cli.label}: a stale version is refused with ConflictException`, async () => {
      await withOutfile('update-thing-shadow', '--thing-name', 'cli-locked', ...payloadArgs({ state: { desired: { on: true } } }))
      const stale = await awsData('update-thing-shadow', '--thing-name', 'cli-locked', ...payloadArgs({ state: { desired: { on: false } }, version: 7 }), path.join(home, 'stale.json'))
      expect(stale.code).not.toBe(0)
      expect(stale.stderr).toMatch(cliError('ConflictException', 'UpdateThingShadow', 'Version conflict'))
    })
  })
}
