import { pino, stdSerializers, type Logger } from 'pino'
import pinoRoll from 'pino-roll'
import { scrubSecrets } from './scrubSecrets'

// One log per home, written by every ThingBench process (the app, `thingbench serve`, the CLI
// and the Local IoT Core under `thingbench sandbox`): pino into pino-roll's stream directly (no
// worker thread, so it works in Electron's main process and in a bundle), rotated by size.

export interface AppLog {
  logger: Logger
  /** The file being written now (pino-roll numbers them: thingbench.1.log, thingbench.2.log, …). */
  currentFile(): string
  close(): Promise<void>
}

export interface OpenLogOptions {
  /** homeLayout(home).logFile. */
  file: string
  /** Which entry point writes, on every line: electron, serve, cli, sandbox. */
  processName: string
  /** Size at which a new file is started (pino-roll units: k, m, g). */
  size?: string
  /** Rotated files kept besides the current one. */
  keep?: number
}

/** Field names whose values never reach the log, whatever they hold (at the top and two levels down). */
const secretFields = ['secretAccessKey', 'sessionToken', 'credentials', 'privateKey', 'privateKeyPem', 'keyPem', 'password', 'token', 'authorization']
const redactPaths = secretFields.flatMap((field) => [field, `*.${field}`, `*.*.${field}`])

export async function openLog(options: OpenLogOptions): Promise<AppLog> {
  const stream = await pinoRoll({
    file: options.file,
    size: options.size ?? '5m',
    limit: { count: options.keep ?? 4, removeOtherLogFiles: true },
    mkdir: true,
    // Written before the call returns: the lines about a crash must survive it.
    sync: true,
    mode: 0o600
  })
  const logger = pino(
    {
      base: { pid: process.pid, process: options.processName },
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: stdSerializers.err },
      // Messages, stacks and every other field: the whole line, as it goes to the file.
      hooks: { streamWrite: scrubSecrets }
    },
    stream
  )
  let closed: Promise<void> | undefined
  return {
    logger,
    currentFile: () => stream.file,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        stream.once('close', () => resolve())
        stream.end()
      }))
  }
}
