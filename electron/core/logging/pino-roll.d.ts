// pino-roll ships no types: the part of its API ThingBench uses (its README, "build(options)").
declare module 'pino-roll' {
  import type { EventEmitter } from 'node:events'

  export interface PinoRollOptions {
    file: string | (() => string)
    size?: number | string
    frequency?: number | string
    extension?: string
    symlink?: boolean
    limit?: { count?: number; removeOtherLogFiles?: boolean }
    dateFormat?: string
    // Passed on to its SonicBoom stream:
    mkdir?: boolean
    sync?: boolean
    mode?: number
  }

  /** pino-roll's SonicBoom stream; `file` is the file being written now. */
  export interface RollingFileStream extends EventEmitter {
    readonly file: string
    write(line: string): boolean
    end(): void
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<RollingFileStream>
}
