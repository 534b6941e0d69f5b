import { IotError } from '../http/iotError'
import { pageRequestOf, paginate, type PagingParameters } from '../http/paging'
import type { IotPermission, Route, RoutedRequest, SandboxRequest, SandboxResponse } from '../http/route'
import { ShadowError, shadowErrors, type ShadowBook, type ShadowKey, type ShadowResult } from '../shadow'
import type { ShadowRequestRate } from '../shadow/requestRate'
import type { ShadowNotifier } from './notifications'

// The Device Shadow service's HTTP data plane (research/mqtt-shadow.md §5, iot-core.md §2.2): the
// operations of @aws-sdk/client-iot-data-plane and `aws iot-data`, answered by the sandbox's one
// ShadowBook, so HTTP and MQTT see the same shadows. `?name=` selects a named shadow. A refusal is
// AWS's exception name and status with the shadow service's error document as the body
// (`{code, message, timestamp?, clientToken?}`), which carries the `message` the SDKs read. Each
// route names the IoT policy permission a device needs for it on the device data plane
// (iot-core.md §3.2).

/** ListNamedShadowsForThing: pageSize 1–100 (MODEL-DATA); the default size is UNCONFIRMED. */
export const NAMED_SHADOW_PAGING: PagingParameters = { token: 'nextToken', size: 'pageSize', defaultSize: 25, maxSize: 100 }

export interface DataPlaneContext {
  shadows: ShadowBook
  /** Where an accepted update's `update/delta` and `update/documents` go. */
  notifier: ShadowNotifier
  /** Epoch milliseconds. */
  now(): number
  /** AWS's per-thing request rate, when the sandbox throttles (shared with the MQTT shadow topics). */
  requestRate?: ShadowRequestRate
  /** Told of the cause of an InternalFailureException (e.g. the store could not be written), to log its stack. */
  onInternalFailure?: (error: unknown) => void
}

export function dataPlaneRoutes(ctx: DataPlaneContext): Route[] {
  return [
    shadowRoute(ctx, 'GetThingShadow', 'GET', (key) => ctx.shadows.get(key)),
    {
      operation: 'UpdateThingShadow',
      method: 'POST',
      pattern: '/things/{thingName}/shadow',
      // The payload is a blob (application/octet-stream): the shadow service judges its bytes.
      body: 'raw',
      iotPermissions: (req) => [shadowPermission('iot:UpdateThingShadow', req)],
      handler: (req) => {
        const result = ctx.shadows.update(countedShadowKeyOf(req, ctx), req.rawBody)
        if (result.accepted) ctx.notifier.publish(result.notifications)
        return answer(ctx, result)
      }
    },
    shadowRoute(ctx, 'DeleteThingShadow', 'DELETE', (key) => ctx.shadows.delete(key)),
    {
      operation: 'ListNamedShadowsForThing',
      method: 'GET',
      pattern: '/api/things/shadow/ListNamedShadowsForThing/{thingName}',
      // The action table says `*`, the REST page's example `thing/<thing>`; the example is what devices' policies name.
      iotPermissions: (req) => [{ action: 'iot:ListNamedShadowsForThing', resource: `thing/${req.params['thingName']!}` }],
      handler: (req) => {
        const timestamp = Math.floor(ctx.now() / 1000)
        countRequest(ctx, req.params['thingName']!)
        let names: string[]
        try {
          names = ctx.shadows.listNamedShadows(req.params['thingName']!)
        } catch (error) {
          if (error instanceof ShadowError) throw httpError(error, error.rejectedPayload(timestamp, undefined))
          throw error
        }
        const page = paginate(names, (name) => name, pageRequestOf(req, NAMED_SHADOW_PAGING))
        return { body: { results: page.items, ...(page.next === undefined ? {} : { nextToken: page.next }), timestamp } }
      }
    }
  ]
}

/** A route on `/things/{thingName}/shadow` that answers with one ShadowBook operation on the named shadow. */
function shadowRoute(
  ctx: DataPlaneContext,
  operation: 'GetThingShadow' | 'DeleteThingShadow',
  method: Route['method'],
  operate: (key: ShadowKey) => ShadowResult
): Route {
  return {
    operation,
    method,
    pattern: '/things/{thingName}/shadow',
    iotPermissions: (req) => [shadowPermission(`iot:${operation}`, req)],
    handler: (req) => answer(ctx, operate(countedShadowKeyOf(req, ctx)))
  }
}

/** Refuses the request with 429 ThrottlingException when its thing is over AWS's shadow request rate. */
function countRequest(ctx: DataPlaneContext, thingName: string): void {
  if (ctx.requestRate && !ctx.requestRate.allow(thingName)) {
    const error = shadowErrors.throttled()
    throw httpError(error, error.rejectedPayload(Math.floor(ctx.now() / 1000), undefined))
  }
}

/** The shadow a request names, once the request was counted against its thing's rate. */
function countedShadowKeyOf(req: SandboxRequest, ctx: DataPlaneContext): ShadowKey {
  const key = shadowKeyOf(req)
  countRequest(ctx, key.thingName)
  return key
}

/**
 * A shadow operation on the shadow's thing: `thing/<thing>`, a named shadow `thing/<thing>/<shadow>`
 * (documented for UpdateThingShadow; UNCONFIRMED for Get and Delete, assumed the same).
 */
function shadowPermission(action: string, req: RoutedRequest): IotPermission {
  const key = shadowKeyOf(req)
  return { action, resource: key.shadowName === undefined ? `thing/${key.thingName}` : `thing/${key.thingName}/${key.shadowName}` }
}

function shadowKeyOf(req: RoutedRequest): ShadowKey {
  const thingName = req.params['thingName']!
  const shadowName = req.query.get('name')
  return shadowName === null ? { thingName } : { thingName, shadowName }
}

/** The accepted document as the response body, or the refusal as AWS's HTTP error. */
function answer(ctx: DataPlaneContext, result: ShadowResult): SandboxResponse {
  if (result.accepted) return { body: result.reply.payload }
  if (result.error.code === 500) ctx.onInternalFailure?.(result.error.cause ?? result.error)
  throw httpError(result.error, result.reply.payload)
}

function httpError(error: ShadowError, document: Record<string, unknown>): IotError {
  return new IotError(error.errorName, error.status, error.message, document)
}
