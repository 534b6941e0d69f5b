import type { Handlers, ParsedArgs, SerialDataChunk } from '../../contract'
import { PortNames, SerialError, SerialPorts, type PortHandle, type PortView } from '../../core/serial'
import type { BackendContext } from './context'

// serial.*: the ports on this machine for the UI's serial monitor. Discovery (polling, hot-plug)
// starts on the first serial call, not with the back end. The UI holds the ports it opened under
// the owner label "serial monitor"; drivers and the bench acquire theirs from the same SerialPorts,
// so each port has one owner and the list says who. Received bytes of every open port go to the UI
// batched, so a fast device does not send an event per read.

export const monitorOwner = 'serial monitor'
const flushEveryMs = 25

const lineEndings = { none: '', lf: '\n', cr: '\r', crlf: '\r\n' } as const

export class SerialHandlers {
  private manager: Promise<SerialPorts> | undefined
  private started: SerialPorts | undefined
  private readonly opened = new Map<string, PortHandle>()
  private readonly pending = new Map<string, SerialDataChunk[]>()
  private flushTimer: NodeJS.Timeout | undefined

  constructor(private readonly ctx: BackendContext) {}

  /** The app's ports, discovery started (for the drivers and the bench). */
  ports(): Promise<SerialPorts> {
    this.manager ??= (async () => {
      const names = await PortNames.open(this.ctx.session.layout.serialPortNamesFile)
      const ports = new SerialPorts({ names })
      ports.on('portsChanged', ({ ports: list, added, removed, degraded }) =>
        this.ctx.events.emit('serial.portsChanged', { ports: list, added: added.map((p) => p.path), removed: removed.map((p) => p.path), ...(degraded ? { degraded } : {}) })
      )
      ports.on('portState', (change) => this.ctx.events.emit('serial.portState', change))
      ports.on('data', ({ path, at, bytes }) => this.queue(path, { at, base64: bytes.toString('base64') }))
      await ports.start()
      this.started = ports
      return ports
    })()
    return this.manager
  }

  handlers(): Pick<Handlers, 'serial.list' | 'serial.watchPath' | 'serial.unwatchPath' | 'serial.rename' | 'serial.open' | 'serial.close' | 'serial.write' | 'serial.setSignals'> {
    return {
      'serial.list': async () => (await this.ports()).list(),
      'serial.watchPath': async ({ path }) => (await this.ports()).watchPath(path),
      'serial.unwatchPath': async ({ path }) => {
        await (await this.ports()).unwatchPath(path)
        return { unwatched: true }
      },
      'serial.rename': async ({ path, friendlyName }) => (await this.ports()).rename(path, friendlyName),
      'serial.open': (args) => this.open(args),
      'serial.close': async ({ path }) => {
        await this.mine(path).release()
        this.opened.delete(path)
        return { closed: true }
      },
      'serial.write': async (args) => {
        const handle = this.mine(args.path)
        const bytes = args.encoding === 'hex' ? Buffer.from(args.hex, 'hex') : Buffer.from(args.text + lineEndings[args.lineEnding], 'utf8')
        await handle.write(bytes)
        return { bytesWritten: bytes.length }
      },
      'serial.setSignals': async ({ path, dtr, rts }) => {
        const { applied, message } = await this.mine(path).setSignals({ dtr, rts })
        return { applied, ...(message ? { message } : {}), ...(dtr === undefined ? {} : { dtr }), ...(rts === undefined ? {} : { rts }) }
      }
    }
  }

  /** Closes the ports the UI opened and stops discovery; flushes the last bytes first. */
  async close(): Promise<void> {
    if (!this.manager) return
    const ports = await this.manager
    await Promise.all([...this.opened.values()].map((handle) => handle.release()))
    this.opened.clear()
    await ports.close()
    clearTimeout(this.flushTimer)
    this.flush()
  }

  private async open({ path, ...settings }: ParsedArgs<'serial.open'>): Promise<PortView> {
    const ports = await this.ports()
    const handle = await ports.acquire(path, monitorOwner, settings)
    this.opened.set(path, handle)
    handle.on('state', ({ state }) => {
      if (state === 'closed') this.opened.delete(path)
    })
    return ports.list().ports.find((port) => port.path === path) ?? { path, key: handle.key, watched: false, present: true, heldBy: monitorOwner, state: handle.state }
  }

  /** The UI's own hold on `path`; a clear error when it has none (or someone else holds the port). */
  private mine(path: string): PortHandle {
    const handle = this.opened.get(path)
    if (handle) return handle
    const holder = this.started?.holderOf(path)
    if (holder) throw new SerialError('PortHeld', `${path} is held by ${holder.owner}, not the serial monitor: stop it there to use the port here`)
    throw new SerialError('PortNotOpen', `${path} is not open in the serial monitor: open it first (serial.open)`)
  }

  private queue(path: string, chunk: SerialDataChunk): void {
    const chunks = this.pending.get(path)
    if (chunks) chunks.push(chunk)
    else this.pending.set(path, [chunk])
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), flushEveryMs)
      this.flushTimer.unref()
    }
  }

  private flush(): void {
    this.flushTimer = undefined
    for (const [path, chunks] of this.pending) this.ctx.events.emit('serial.data', { path, chunks })
    this.pending.clear()
  }
}
