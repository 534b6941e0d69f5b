import { randomUUID } from 'node:crypto'
import type { Connection, EndedBecause, Handlers, ShadowKeyView, ShadowWatchChange, WatchRef } from '../../contract'
import { describeShadow, ShadowClient, ShadowConflictError, watchShadow, type ShadowDocument, type ShadowKey, type ShadowVia, type ShadowWatch, type ShadowWatchEvent } from '../../core/shadow'
import type { HistoryRecorder } from '../historyRecorder'
import type { BackendContext } from './context'
import { invalidArguments } from './errors'
import { describeConnectionState, describeEnd, sameConnection, type HeldConnection, type MqttLeases } from './mqttLeases'

// shadow.*: get, update, delete and list over HTTP (the data plane) or MQTT (the operator's
// connection), and watches — each a ShadowWatch on the one operator connection, its events passed on
// as shadow.document / shadow.delta / shadow.watchState with the watch's id.

interface Watching {
  ref: WatchRef
  watch: ShadowWatch
  held: HeldConnection
  /** Ends when the watch's event stream ends. */
  pumped?: Promise<void>
}

export class ShadowHandlers {
  private readonly watches = new Map<string, Watching>()
  private readonly starting = new Set<string>()

  constructor(
    private readonly ctx: BackendContext,
    private readonly leases: MqttLeases,
    /** Every document a watch sees goes to the history, shown or not. */
    private readonly recorder?: HistoryRecorder
  ) {}

  handlers(): Pick<Handlers, 'shadow.update' | 'shadow.get' | 'shadow.list' | 'shadow.watch' | 'shadow.unwatch' | 'shadow.delete'> {
    return {
      'shadow.update': async ({ thingName, shadowName, desired, reported, version, clientToken, via }) => {
        const state = { ...(desired === undefined ? {} : { desired }), ...(reported === undefined ? {} : { reported }) }
        const request = { state, ...(version === undefined ? {} : { version }) }
        try {
          const accepted = await this.withClient(via, (client) => client.update(keyOf({ thingName, shadowName }), request, clientToken ? { clientToken } : {}))
          return { outcome: 'accepted', accepted }
        } catch (error) {
          if (!(error instanceof ShadowConflictError)) throw error
          const attempted = { state: error.attempted.state, ...(error.attempted.version === undefined ? {} : { version: error.attempted.version }) }
          return { outcome: 'conflict', errorName: 'ConflictException', message: error.message, attempted, current: error.current }
        }
      },
      'shadow.get': async ({ thingName, shadowName, via }) => this.withClient(via, (client) => client.get(keyOf({ thingName, shadowName }))),
      'shadow.delete': async ({ thingName, shadowName, via }) => {
        const { version } = await this.withClient(via, (client) => client.delete(keyOf({ thingName, shadowName })))
        return { version }
      },
      'shadow.list': async ({ thingName, nextToken, maxResults }) => {
        const page = await this.withClient('http', (client) =>
          client.listNamedShadows(thingName, { ...(nextToken === undefined ? {} : { nextToken }), ...(maxResults === undefined ? {} : { pageSize: maxResults }) })
        )
        return { shadowNames: page.names, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
      },
      'shadow.watch': async ({ thingName, shadowName, watchId }) => {
        const id = watchId ?? randomUUID()
        if (this.watches.has(id) || this.starting.has(id)) throw invalidArguments('shadow.watch', 'watchId', `watch ${id} is already running: choose another id, or leave it out`)
        this.starting.add(id)
        try {
          return await this.startWatch({ watchId: id, ...keyOf({ thingName, shadowName }) })
        } finally {
          this.starting.delete(id)
        }
      },
      'shadow.unwatch': async ({ watchId }) => {
        if (!this.watches.has(watchId)) throw invalidArguments('shadow.unwatch', 'watchId', `there is no watch ${watchId} (it was never started, or has already ended)`)
        await this.stopWatch(watchId, 'asked')
        return { stopped: true }
      }
    }
  }

  /** Ends the watches opened on another connection than `now`, saying so. */
  async connectionChanged(now: Connection): Promise<void> {
    const old = [...this.watches.values()].filter((watching) => !sameConnection(watching.held.opened, now))
    await Promise.all(old.map((watching) => this.stopWatch(watching.ref.watchId, 'connectionChanged')))
  }

  async close(): Promise<void> {
    await Promise.all([...this.watches.keys()].map((id) => this.stopWatch(id, 'closing')))
  }

  private async startWatch(ref: WatchRef): Promise<WatchRef & { document: ShadowDocument | null }> {
    const held = await this.leases.operator()
    let watch: ShadowWatch
    try {
      watch = await watchShadow(held.connection, keyOf(ref))
    } catch (error) {
      await held.release()
      throw error
    }
    const watching: Watching = { ref, watch, held }
    this.watches.set(ref.watchId, watching)
    // The stream holds every event since the start; the first document (or the absence) is the answer.
    const events = watch[Symbol.asyncIterator]()
    let document: ShadowDocument | null = null
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.type === 'document') {
        document = next.value.document
        break
      }
      if (next.value.type === 'absent') break
      this.emit(ref, next.value, held.opened)
    }
    if (document) this.recorder?.record(held.opened, { ...keyOf(ref), source: 'get', document })
    watching.pumped = this.pump(watching, events).catch((error: unknown) => this.ctx.session.log.logger.error({ err: error }, 'A shadow watch failed'))
    return { ...ref, document }
  }

  private async pump(watching: Watching, events: AsyncIterator<ShadowWatchEvent>): Promise<void> {
    for (let next = await events.next(); !next.done; next = await events.next()) this.emit(watching.ref, next.value, watching.held.opened)
    // The stream ended without stopWatch: the watch's connection closed for good.
    if (this.watches.get(watching.ref.watchId) !== watching) return
    this.watches.delete(watching.ref.watchId)
    await this.ended(watching, 'connectionClosed')
  }

  private async stopWatch(watchId: string, because: EndedBecause): Promise<void> {
    const watching = this.watches.get(watchId)
    if (!watching) return
    this.watches.delete(watchId)
    // Ends the event stream, so the pump finishes too.
    await watching.watch.stop()
    await watching.pumped
    await this.ended(watching, because)
  }

  private async ended(watching: Watching, because: EndedBecause): Promise<void> {
    await watching.held.release()
    this.ctx.events.emit('shadow.watchState', { ...watching.ref, change: { kind: 'stopped', because }, message: `Stopped watching ${describeShadow(watching.ref)}: ${describeEnd(because)}` })
  }

  private emit(ref: WatchRef, event: ShadowWatchEvent, opened: Connection): void {
    const { events } = this.ctx
    const state = (change: ShadowWatchChange, message: string) => events.emit('shadow.watchState', { ...ref, change, message })
    switch (event.type) {
      case 'document': {
        const seen = {
          ...keyOf(ref),
          source: event.source,
          document: event.document,
          ...(event.previous === undefined ? {} : { previous: event.previous }),
          ...(event.clientToken === undefined ? {} : { clientToken: event.clientToken })
        }
        this.recorder?.record(opened, seen)
        return events.emit('shadow.document', { ...ref, ...seen })
      }
      case 'delta':
        return events.emit('shadow.delta', { ...ref, delta: event.delta })
      case 'deleted':
        return state({ kind: 'deleted', version: event.version }, `${capitalized(describeShadow(ref))} was deleted (it was at version ${event.version})`)
      case 'absent':
        return
      case 'gap':
        return state(
          { kind: 'gap', lastVersion: event.lastVersion, receivedVersion: event.receivedVersion },
          `Versions ${event.lastVersion + 1}–${event.receivedVersion - 1} of ${describeShadow(ref)} were missed; getting the shadow again`
        )
      case 'connection':
        return state({ kind: 'connection', state: event.state }, describeConnectionState(this.identityOf(ref), event.state))
      case 'error':
        return state({ kind: 'error', errorName: event.error.errorName }, event.error.message)
    }
  }

  private identityOf(ref: WatchRef) {
    return this.watches.get(ref.watchId)?.held.connection.identity ?? { kind: 'operator' as const, clientId: this.leases.operatorClientId }
  }

  /** A shadow client for one call: HTTP (the data plane), or MQTT on the operator connection, held for the call. */
  private async withClient<T>(via: ShadowVia, call: (client: ShadowClient) => Promise<T>): Promise<T> {
    if (via === 'http') return call(ShadowClient.overHttp(await this.ctx.session.deviceSide.dataPlane(this.ctx.connection())))
    const held = await this.leases.operator()
    const client = ShadowClient.overMqtt(held.connection)
    try {
      return await call(client)
    } finally {
      await client.close()
      await held.release()
    }
  }
}

export function keyOf({ thingName, shadowName }: ShadowKeyView): ShadowKey {
  return shadowName === undefined ? { thingName } : { thingName, shadowName }
}

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)
