import { EventEmitter } from 'node:events'
import type { SerialPort } from 'serialport'
import { SerialError } from './errors'
import type { LogRing } from './logRing'
import type { PortSettings, Signals } from './settings'

export type PortState = 'open' | 'vanished' | 'reopened' | 'closed'

export interface PortStateChange {
  path: string
  state: PortState
  reason: string
}

/**
 * One owner's hold on an open port. `stream` is the opened serialport Duplex; after the device
 * vanishes and returns it is a NEW stream, announced by a 'state' event with state 'reopened' —
 * owners (drivers) re-attach to `handle.stream` then. The log ring is the port's, kept across reopens.
 */
export class PortHandle extends EventEmitter<{ state: [PortStateChange]; data: [Buffer, number] }> {
  /** @internal set by SerialPorts */
  current: SerialPort | undefined
  state: PortState = 'open'

  constructor(
    readonly key: string,
    public path: string,
    readonly owner: string,
    readonly settings: PortSettings,
    readonly log: LogRing,
    private readonly releaseHold: (handle: PortHandle) => Promise<void>
  ) {
    super()
  }

  get stream(): SerialPort {
    if (!this.current || this.state === 'closed' || this.state === 'vanished') throw this.notOpen()
    return this.current
  }

  get isOpen(): boolean {
    return this.state === 'open' || this.state === 'reopened'
  }

  /** Resolves once the bytes are handed to the OS (drained). */
  async write(bytes: Buffer): Promise<void> {
    const port = this.stream
    await new Promise<void>((resolve, reject) => {
      port.write(bytes, (error) => (error ? reject(new SerialError('PortVanished', `${this.path}: the write failed (${error.message}); the device may have been unplugged`)) : resolve()))
    })
    await new Promise<void>((resolve, reject) => port.drain((error) => (error ? reject(error) : resolve())))
  }

  /**
   * Sets DTR/RTS. A port without modem lines (a pseudo-terminal, some adapters) answers
   * applied: false with the reason, rather than failing: nothing changed and the monitor says why.
   */
  async setSignals(signals: Signals): Promise<{ applied: boolean; message?: string }> {
    const port = this.stream
    const wanted = Object.fromEntries(Object.entries(signals).filter(([, v]) => v !== undefined))
    if (Object.keys(wanted).length === 0) return { applied: true }
    const error = await new Promise<Error | null>((resolve) => port.set(wanted, resolve))
    if (!error) return { applied: true }
    if (/Inappropriate ioctl|ENOTTY|EINVAL|Invalid argument/i.test(error.message)) return { applied: false, message: `${this.path} has no modem lines (DTR/RTS): ${error.message}` }
    throw new SerialError('PortVanished', `${this.path}: DTR/RTS could not be set (${error.message}); the device may have been unplugged`)
  }

  /** Closes the port and lets another owner have it. */
  release(): Promise<void> {
    return this.releaseHold(this)
  }

  /** @internal */
  changeState(state: PortState, reason: string): void {
    this.state = state
    this.emit('state', { path: this.path, state, reason })
  }

  private notOpen(): SerialError {
    return this.state === 'vanished'
      ? new SerialError('PortVanished', `${this.path} is gone (unplugged or reset); ThingBench reopens it when it returns — plug it back in`)
      : new SerialError('PortNotOpen', `${this.path} is closed: open it again`)
  }
}
