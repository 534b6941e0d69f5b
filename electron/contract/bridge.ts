import { z } from 'zod'
import { apiEventNames, apiMethods, type ApiEvents, type EventName, type MethodArgs, type MethodName, type MethodResult, type ParsedArgs } from './api'

// The one bridge factory: the UI side (createApiClient) and the receiving side (createDispatcher,
// createEventHub) of the contract, independent of the transport that carries them. Electron's IPC
// and the headless WebSocket are thin adapters over a Transport.

/** What a transport carries: a call out and an answer back; events in. Exposed as window.thingbench. */
export interface Transport {
  call(method: string, args: unknown): Promise<WireAnswer>
  subscribe(event: string, listener: (payload: unknown) => void): () => void
}

/** An error as it crosses the bridge: AWS's error name (or a ThingBench one) and a readable message. */
export interface WireError {
  errorName: string
  message: string
}
export type WireAnswer = { ok: true; result: unknown } | { ok: false; error: WireError }

/** Thrown on the UI side for a refused or failed call. */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly errorName: string,
    message: string
  ) {
    super(message)
  }
}

export interface ApiClient {
  call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>>
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void
}

export function createApiClient(transport: Transport): ApiClient {
  return {
    async call(method, args) {
      const answer = await transport.call(method, args)
      if (!answer.ok) throw new ApiError(answer.error.errorName, answer.error.message)
      return answer.result as never
    },
    on(event, listener) {
      return transport.subscribe(event, listener as (payload: unknown) => void)
    }
  }
}

// ---- receiving side ---------------------------------------------------------------------------

export type Handler<M extends MethodName> = (args: ParsedArgs<M>) => Promise<MethodResult<M>>
export type Handlers = { [M in MethodName]: Handler<M> }

export interface Dispatcher {
  /** Validates the method name and arguments, runs the handler, and never throws. */
  dispatch(method: unknown, args: unknown): Promise<WireAnswer>
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiMethods, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (apiEventNames as readonly string[]).includes(name)
}

export function createDispatcher(handlers: Handlers, onUnexpected: (method: string, error: unknown) => void = () => {}): Dispatcher {
  return {
    async dispatch(method, args) {
      if (!isMethodName(method)) return refusal('UnknownMethod', `There is no method ${JSON.stringify(method)} in the ThingBench contract`)
      const parsed = apiMethods[method].args.safeParse(args ?? {})
      if (!parsed.success) return refusal('InvalidArguments', `${method}: ${describeZodError(parsed.error)}`)
      try {
        const result = await (handlers[method] as (a: unknown) => Promise<unknown>)(parsed.data)
        return { ok: true, result }
      } catch (error) {
        const wire = toWireError(error)
        if (wire.errorName === 'InternalError') onUnexpected(method, error)
        return { ok: false, error: wire }
      }
    }
  }
}

/** Turns any thrown value into AWS's error name (when there is one) and its message. */
export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const named = (error as { errorName?: unknown }).errorName
    const errorName = typeof named === 'string' && named ? named : error.name && error.name !== 'Error' ? error.name : 'InternalError'
    return { errorName, message: error.message || errorName }
  }
  return { errorName: 'InternalError', message: String(error) }
}

export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ')
}

function refusal(errorName: string, message: string): WireAnswer {
  return { ok: false, error: { errorName, message } }
}

/** Fan-out of back-end events to every connected UI (windows, WebSocket clients). */
export interface EventHub {
  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void
  /** Adds a sink for all events; returns the function that removes it. */
  connect(sink: (event: EventName, payload: unknown) => void): () => void
}

export function createEventHub(): EventHub {
  const sinks = new Set<(event: EventName, payload: unknown) => void>()
  return {
    emit(event, payload) {
      for (const sink of [...sinks]) {
        try {
          sink(event, payload)
        } catch {
          // A closed window or socket must not stop the others.
        }
      }
    },
    connect(sink) {
      sinks.add(sink)
      return () => sinks.delete(sink)
    }
  }
}
