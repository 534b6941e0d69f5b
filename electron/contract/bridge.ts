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

/**
 * What the UI gets for an unexpected failure (see isUnexpectedError). The receiving side injects
 * one that logs the error with its stack and says where (electron/app/api/errors.ts); without one,
 * unexpectedErrorAnswer alone.
 */
export type UnexpectedErrorHandler = (method: MethodName, error: unknown) => WireError

export function createDispatcher(handlers: Handlers, onUnexpected: UnexpectedErrorHandler = (method, error) => unexpectedErrorAnswer(method, error)): Dispatcher {
  return {
    async dispatch(method, args) {
      if (!isMethodName(method)) return refusal('UnknownMethod', `There is no method ${JSON.stringify(method)} in the ThingBench contract`)
      const parsed = apiMethods[method].args.safeParse(args ?? {})
      if (!parsed.success) return refusal('InvalidArguments', `${method}: ${describeZodError(parsed.error)}`)
      try {
        const result = await (handlers[method] as (a: unknown) => Promise<unknown>)(parsed.data)
        return { ok: true, result }
      } catch (error) {
        return { ok: false, error: isUnexpectedError(error) ? onUnexpected(method, error) : toWireError(error) }
      }
    }
  }
}

/** JavaScript's own error classes: a bug threw them, not AWS or ThingBench on purpose. */
/** JavaScript's own error types: thrown by a bug, never by AWS or by ThingBench on purpose. */
export const javaScriptErrorNames: ReadonlySet<string> = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError'])
const programmingErrorNames = new Set(['Error', ...javaScriptErrorNames])

/**
 * Whether a thrown value is unexpected: not an Error, or one of JavaScript's own (a TypeError, a
 * plain Error) rather than one carrying AWS's or ThingBench's name (SDK exceptions, BackendError,
 * IotError, the core's named errors).
 */
export function isUnexpectedError(error: unknown): boolean {
  if (!(error instanceof Error)) return true
  const named = (error as { errorName?: unknown }).errorName
  if (typeof named === 'string' && named) return false
  return !error.name || programmingErrorNames.has(error.name)
}

/** An error with AWS's or ThingBench's name, as it crosses the bridge: that name and its message. */
export function toWireError(error: unknown): WireError {
  if (isUnexpectedError(error)) return { errorName: 'InternalError', message: error instanceof Error && error.message ? error.message : String(error) }
  const named = (error as { errorName?: unknown }).errorName
  const errorName = typeof named === 'string' && named ? named : (error as Error).name
  return { errorName, message: (error as Error).message || errorName }
}

/**
 * An unexpected failure in words the UI can show: a plain Error keeps its message (ThingBench's own
 * code throws those on purpose, readable); a TypeError and the like, whose message means nothing to
 * a user, say where it happened, what it was and where the details are.
 */
export function unexpectedErrorAnswer(method: string, error: unknown, detailsAt?: string): WireError {
  const details = detailsAt ? ` The details are in ${detailsAt}.` : ''
  if (error instanceof Error && error.name === 'Error' && error.message) return { errorName: 'InternalError', message: error.message }
  const kind = error instanceof Error ? error.name || 'Error' : `a thrown ${typeof error}`
  return { errorName: 'InternalError', message: `Something went wrong in ${method} (${kind}).${details}` }
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
