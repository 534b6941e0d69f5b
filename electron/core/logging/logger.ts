import { pino, stdSerializers, type Logger } from 'pino'
import type { PinoRollOptions, RollingFileStream } from 'pino-roll'
import { dirname } from 'node:path'
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
  /**
   * 'now' (the app, `thingbench serve`, `thingbench sandbox`: long-lived) or 'atFirstLine' (a CLI
   * command, which logs only when something goes wrong: it does not pay for opening the file, about
   * 35 ms of pino-roll and date-fns, on every run; lines written before the file is open wait for it).
   */
  opens?: 'now' | 'atFirstLine'
}

/** Field names whose values never reach the log, whatever they hold (at the top and two levels down). */
const secretFields = ['secretAccessKey', 'sessionToken', 'credentials', 'privateKey', 'privateKeyPem', 'keyPem', 'password', 'token', 'authorization']
const redactPaths = secretFields.flatMap((field) => [field, `*.${field}`, `*.*.${field}`])

export async function openLog(options: OpenLogOptions): Promise<AppLog> {
  const file = new RollingLogFile({
    file: options.file,
    size: options.size ?? '5m',
    limit: { count: options.keep ?? 4, removeOtherLogFiles: true },
    mkdir: true,
    // Written before the call returns: the lines about a crash must survive it.
    sync: true,
    mode: 0o600
  })
  if ((options.opens ?? 'now') === 'now') await file.open()
  const logger = pino(
    {
      base: { pid: process.pid, process: options.processName },
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: stdSerializers.err },
      // Messages, stacks and every other field: the whole line, as it goes to the file.
      hooks: { streamWrite: scrubSecrets }
    },
    file
  )
  return { logger, currentFile: () => file.currentFile(dirname(options.file)), close: () => file.close() }
}

/** pino's destination: pino-roll's stream, opened now or at the first line (lines wait for it). */
class RollingLogFile {
  private stream?: RollingFileStream
  private opening?: Promise<RollingFileStream>
  private waiting: string[] = []
  private closed?: Promise<void>

  constructor(private readonly options: PinoRollOptions) {}

  open(): Promise<RollingFileStream> {
    this.opening ??= import('pino-roll').then(async ({ default: pinoRoll }) => {
      const stream = await pinoRoll(this.options)
      for (const line of this.waiting) stream.write(line)
      this.waiting = []
      this.stream = stream
      return stream
    })
    return this.opening
  }

  write(line: string): boolean {
    if (this.stream) return this.stream.write(line)
    this.waiting.push(line)
    void this.open()
    return true
  }

  /** The file being written; before the first line, the folder the log will be in. */
  currentFile(folder: string): string {
    return this.stream?.file ?? folder
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      if (!this.opening) return
      const stream = await this.opening
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve())
        stream.end()
      })
    })()
    return this.closed
  }
}
