import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import { SerialPort } from 'serialport'
import { listSerialPorts, type DiscoveredPort, type Lister } from './discovery'
import { describeOpenError, SerialError } from './errors'
import { LogRing } from './logRing'
import { PortHandle, type PortStateChange } from './portHandle'
import type { PortNames } from './portNames'
import type { PortSettings } from './settings'

// The app's serial ports: what is plugged in (polled and diffed, since no OS event reaches us
// everywhere), the paths the user watches, and who holds each open port. One owner per port.

export interface PortView extends DiscoveredPort {
  /** Identity the friendly name and a reopen follow (see portKey). */
  key: string
  friendlyName?: string
  /** A path the user added (pseudo-terminals and socat links are never in the OS list). */
  watched: boolean
  present: boolean
  /** Owner label of whoever holds the port open. */
  heldBy?: string
  state?: PortHandle['state']
}

export interface PortsChange {
  ports: PortView[]
  added: PortView[]
  removed: PortView[]
  degraded?: string
}

export interface SerialPortsOptions {
  names: PortNames
  lister?: Lister
  pollMs?: number
  /** Bytes each port's log ring keeps. */
  logBytes?: number
}

/**
 * A USB port is known by vendor, product and serial number, so its name and a reopen follow the
 * board to whatever path it gets next. A port without a serial number, and every watched path (a
 * pty has no USB identity), is known by its path; a driver that identifies the device (e.g. an
 * ExpressLink ThingName) can give it a device identity with `identify`, which the name follows instead.
 */
export function portKey(port: DiscoveredPort): string {
  return port.serialNumber ? `usb:${port.vendorId ?? '????'}:${port.productId ?? '????'}:${port.serialNumber}` : `path:${port.path}`
}

export class SerialPorts extends EventEmitter<{ portsChanged: [PortsChange]; portState: [PortStateChange]; data: [{ path: string; at: number; bytes: Buffer }] }> {
  private discovered: DiscoveredPort[] = []
  private degraded: string | undefined
  private views = new Map<string, PortView>()
  /** By port key: the hold survives the path changing. */
  private readonly held = new Map<string, PortHandle>()
  private readonly logs = new Map<string, LogRing>()
  private readonly deviceKeys = new Map<string, string>()
  private timer: NodeJS.Timeout | undefined
  private refreshing: Promise<void> | undefined
  private started: Promise<void> | undefined

  constructor(private readonly options: SerialPortsOptions) {
    super()
  }

  /** Lists once, then polls. Idempotent. */
  start(): Promise<void> {
    this.started ??= this.refresh().then(() => {
      this.timer = setInterval(() => void this.refresh(), this.options.pollMs ?? 500)
      this.timer.unref()
    })
    return this.started
  }

  list(): { ports: PortView[]; degraded?: string } {
    return { ports: [...this.views.values()], ...(this.degraded ? { degraded: this.degraded } : {}) }
  }

  async watchPath(path: string): Promise<PortView> {
    if (!isAbsolute(path)) throw new SerialError('PortNotFound', `${path}: give the full path of the port (e.g. /dev/ttyUSB0 or /dev/pts/3)`)
    if (!this.options.names.watchedPaths.includes(path)) await this.options.names.changeWatched((paths) => [...paths.filter((p) => p !== path), path])
    await this.refresh()
    return this.views.get(path) as PortView
  }

  async unwatchPath(path: string): Promise<void> {
    if (!this.options.names.watchedPaths.includes(path)) throw new SerialError('PortNotFound', `${path} is not a watched path (serial.list shows the watched ones)`)
    await this.options.names.changeWatched((paths) => paths.filter((p) => p !== path))
    await this.refresh()
  }

  async rename(path: string, friendlyName: string): Promise<PortView> {
    const view = this.views.get(path)
    if (!view) throw new SerialError('PortNotFound', `${path} is not in the port list: plug the device in, or watch the path first`)
    await this.options.names.rename(view.key, friendlyName.trim())
    await this.refresh()
    return this.views.get(path) as PortView
  }

  /** A driver recognised the device on `path`: its name follows this identity from now on. */
  async identify(path: string, deviceId: string): Promise<void> {
    this.deviceKeys.set(path, `device:${deviceId}`)
    await this.refresh()
  }

  /** Opens `path` for `owner`. Fails naming the holder when someone has it; changes nothing on failure. */
  async acquire(path: string, owner: string, settings: PortSettings): Promise<PortHandle> {
    await this.start()
    const view = this.views.get(path) ?? this.viewOf({ path }, existsSync(path), this.options.names.watchedPaths.includes(path))
    const holder = this.held.get(view.key)
    if (holder) throw new SerialError('PortHeld', `${path} is held by ${holder.owner}: close it there first (one owner at a time)`)
    if (!existsSync(path)) throw new SerialError('PortNotFound', `${path} does not exist: check the cable and the path (list the ports again to see what is plugged in)`)
    const log = this.logFor(view.key)
    const handle = new PortHandle(view.key, path, owner, settings, log, (h) => this.release(h))
    this.held.set(view.key, handle)
    try {
      handle.current = await this.openStream(handle)
    } catch (error) {
      this.held.delete(view.key)
      throw error
    }
    handle.on('state', (change) => this.emit('portState', change))
    handle.changeState('open', `opened by ${owner} at ${settings.baudRate} baud`)
    this.publish()
    return handle
  }

  /** Who holds the port on `path`, if anyone. */
  holderOf(path: string): PortHandle | undefined {
    return [...this.held.values()].find((handle) => handle.path === path)
  }

  /** The port's log ring (kept across reopens and after close, until the app quits). */
  logOf(path: string): LogRing | undefined {
    const view = this.views.get(path)
    return view ? this.logs.get(view.key) : undefined
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.refreshing
    await Promise.all([...this.held.values()].map((handle) => handle.release()))
  }

  private async release(handle: PortHandle): Promise<void> {
    if (this.held.get(handle.key) !== handle) return
    this.held.delete(handle.key)
    await closeQuietly(handle.current)
    handle.current = undefined
    handle.changeState('closed', `closed by ${handle.owner}`)
    this.publish()
  }

  private async openStream(handle: PortHandle): Promise<SerialPort> {
    const { settings } = handle
    const port = new SerialPort({
      path: handle.path,
      baudRate: settings.baudRate,
      dataBits: settings.dataBits,
      parity: settings.parity,
      stopBits: settings.stopBits,
      rtscts: settings.flowControl === 'rtscts',
      xon: settings.flowControl === 'xonxoff',
      xoff: settings.flowControl === 'xonxoff',
      autoOpen: false
    })
    // An 'error' without a listener would take the whole main process down.
    port.on('error', (error) => this.vanished(handle, port, `read error: ${error.message}`))
    port.on('close', (error?: Error & { disconnected?: boolean }) => {
      if (error?.disconnected) this.vanished(handle, port, `disconnected: ${error.message}`)
    })
    port.on('data', (bytes: Buffer) => {
      const at = Date.now()
      handle.log.push(bytes, at)
      handle.emit('data', bytes, at)
      this.emit('data', { path: handle.path, at, bytes })
    })
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(describeOpenError(handle.path, error)) : resolve())))
    if (settings.dtr !== undefined || settings.rts !== undefined) {
      try {
        await new Promise<void>((resolve, reject) => port.set({ ...(settings.dtr === undefined ? {} : { dtr: settings.dtr }), ...(settings.rts === undefined ? {} : { rts: settings.rts }) }, (e) => (e ? reject(e) : resolve())))
      } catch (error) {
        await closeQuietly(port)
        throw new SerialError('SerialOpenFailed', `${handle.path}: DTR/RTS could not be set (${(error as Error).message}); open without dtr/rts (a pseudo-terminal has no modem lines)`)
      }
    }
    return port
  }

  private vanished(handle: PortHandle, port: SerialPort, reason: string): void {
    if (handle.current !== port || handle.state === 'vanished' || handle.state === 'closed') return
    handle.current = undefined
    void closeQuietly(port)
    handle.changeState('vanished', `${handle.path} ${reason}; reopening when it returns`)
    this.publish()
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined))
    return this.refreshing
  }

  private async refreshOnce(): Promise<void> {
    const discovery = await (this.options.lister ?? listSerialPorts)()
    this.discovered = discovery.ports
    this.degraded = discovery.degraded
    const present = new Map(this.discovered.map((port) => [port.path, port]))
    // A held port whose device is gone: serialport often says nothing (a pty's host end stays "open").
    for (const handle of this.held.values()) {
      if (handle.state === 'open' || handle.state === 'reopened') {
        const stillThere = handle.key.startsWith('usb:') ? this.discovered.some((port) => this.keyOf(port) === handle.key) : existsSync(handle.path)
        if (!stillThere && handle.current) this.vanished(handle, handle.current, 'was unplugged')
      }
    }
    await Promise.all([...this.held.values()].filter((handle) => handle.state === 'vanished').map((handle) => this.reopen(handle, present)))
    this.publish()
  }

  /** The same device back (by serial number, on whatever path; or the watched path again): opened as before. */
  private async reopen(handle: PortHandle, present: Map<string, DiscoveredPort>): Promise<void> {
    const back = handle.key.startsWith('usb:') ? [...present.values()].find((port) => this.keyOf(port) === handle.key)?.path : existsSync(handle.path) ? handle.path : undefined
    if (!back) return
    handle.path = back
    try {
      const port = await this.openStream(handle)
      if (this.held.get(handle.key) !== handle) return void closeQuietly(port)
      handle.current = port
      handle.changeState('reopened', `${back} is back; reopened at ${handle.settings.baudRate} baud (the log was kept)`)
    } catch {
      // Not ready yet (a link appears before its pty accepts opens): the next poll tries again.
    }
  }

  private publish(): void {
    const watched = this.options.names.watchedPaths
    const next = new Map<string, PortView>()
    for (const port of this.discovered) next.set(port.path, this.viewOf(port, true, watched.includes(port.path)))
    for (const path of watched) if (!next.has(path)) next.set(path, this.viewOf({ path }, existsSync(path), true))
    // A path opened without being watched is listed while someone holds it, so the list says who.
    for (const handle of this.held.values()) if (!next.has(handle.path)) next.set(handle.path, this.viewOf({ path: handle.path }, existsSync(handle.path), false))
    const added = [...next.values()].filter((view) => view.present && !this.views.get(view.path)?.present)
    const removed = [...this.views.values()].filter((view) => view.present && !next.get(view.path)?.present)
    const changed = added.length > 0 || removed.length > 0 || JSON.stringify([...next.values()]) !== JSON.stringify([...this.views.values()])
    this.views = next
    if (changed) this.emit('portsChanged', { ports: [...next.values()], added, removed, ...(this.degraded ? { degraded: this.degraded } : {}) })
  }

  private viewOf(port: DiscoveredPort, present: boolean, watched: boolean): PortView {
    const key = this.keyOf(port)
    const handle = this.held.get(key)
    const friendlyName = this.options.names.nameOf(key)
    return {
      ...port,
      key,
      ...(friendlyName ? { friendlyName } : {}),
      watched,
      present,
      ...(handle ? { heldBy: handle.owner, state: handle.state } : {})
    }
  }

  private keyOf(port: DiscoveredPort): string {
    return this.deviceKeys.get(port.path) ?? portKey(port)
  }

  private logFor(key: string): LogRing {
    let log = this.logs.get(key)
    if (!log) this.logs.set(key, (log = new LogRing(this.options.logBytes)))
    return log
  }
}

async function closeQuietly(port: SerialPort | undefined): Promise<void> {
  if (!port?.isOpen) return
  await new Promise<void>((resolve) => port.close(() => resolve()))
}
