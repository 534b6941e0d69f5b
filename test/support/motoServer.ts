import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

// moto (a widely used AWS emulator nobody here wrote) as a peer: `moto_server` started on a free
// loopback port for a test and stopped after it.

export const motoServerPath = findOnPath('moto_server')
export const MOTO_INSTALL_HINT = "install moto with its server: `pip install 'moto[server]'` (moto_server must be on PATH)"
/** moto accepts any credentials; these are what its documentation uses. */
export const motoCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing', region: 'us-east-1' } as const

export interface RunningMoto {
  /** http://127.0.0.1:<port> */
  endpoint: string
  stop(): Promise<void>
}

export async function startMotoServer(): Promise<RunningMoto> {
  if (!motoServerPath) throw new Error(`moto_server is not on PATH: ${MOTO_INSTALL_HINT}`)
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const moto = spawn(motoServerPath, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  moto.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const stop = async (): Promise<void> => {
    if (moto.exitCode !== null || moto.signalCode !== null) return
    const closed = once(moto, 'close')
    moto.kill('SIGTERM')
    await closed
  }
  try {
    await waitUntilServing(endpoint, moto, () => output)
  } catch (error) {
    await stop()
    throw error
  }
  return { endpoint, stop }
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command)
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      return candidate
    } catch {
      // not in this folder
    }
  }
  return undefined
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Polls moto's own dashboard until it answers; fails with moto's output if it exits or takes too long. */
async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 45_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`moto_server exited (${child.exitCode ?? child.signalCode}) before serving: ${output()}`)
    try {
      const response = await fetch(`${endpoint}/moto-api/`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 45 s: ${output()}`)
}
