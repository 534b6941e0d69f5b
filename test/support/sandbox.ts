// Test helpers for the Local IoT Core: start one on a fresh temp data directory and talk to it with
// the real @aws-sdk/client-iot over HTTP.
//
//   const sandbox = await startTestSandbox()
//   await sandbox.iot.send(new CreatePolicyCommand({ ... }))
//   await sandbox.stop()          // closes the client and the sandbox, removes the temp directory
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { IoTClient } from '@aws-sdk/client-iot'
import { startLocalIotCore, type LocalIotCore, type LocalIotCoreOptions, type SecretProtector } from '../../electron/sandbox'

/** AES-256-GCM under a random key that lives only in this process: sealed = iv(12) | tag(16) | ciphertext. */
export function testSecretProtector(): SecretProtector {
  const key = randomBytes(32)
  return {
    async seal(plain) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), ciphertext])
    },
    async open(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
      decipher.setAuthTag(sealed.subarray(12, 28))
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()])
    }
  }
}

/** An IoTClient signed with the sandbox's credentials; no retries, so every refusal reaches the test. */
export function iotClientFor(core: LocalIotCore, overrides: { secretAccessKey?: string; accessKeyId?: string } = {}): IoTClient {
  return new IoTClient({
    region: core.region,
    endpoint: core.controlPlaneUrl,
    credentials: {
      accessKeyId: overrides.accessKeyId ?? core.accessKeyId,
      secretAccessKey: overrides.secretAccessKey ?? core.secretAccessKey
    },
    maxAttempts: 1
  })
}

export interface TestSandbox {
  core: LocalIotCore
  iot: IoTClient
  dataDir: string
  stop(): Promise<void>
}

/**
 * Starts a Local IoT Core. Without `dataDir` it gets a fresh temp directory that `stop()` removes;
 * with one (e.g. to restart on the same state) the directory is left in place. Pass the same
 * `secretProtector` to reopen a data directory.
 */
export async function startTestSandbox(options: Partial<LocalIotCoreOptions> = {}): Promise<TestSandbox> {
  const ownsDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-sandbox-'))
  let core: LocalIotCore
  try {
    core = await startLocalIotCore({ secretProtector: testSecretProtector(), ...options, dataDir })
  } catch (error) {
    if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
  const iot = iotClientFor(core)
  return {
    core,
    iot,
    dataDir,
    async stop() {
      iot.destroy()
      await core.close()
      if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
