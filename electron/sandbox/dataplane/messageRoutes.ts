import { queryBoolean, queryInteger } from '../http/input'
import { IotError, invalidRequest, notFound } from '../http/iotError'
import { pageRequestOf, paginate, type PagingParameters } from '../http/paging'
import type { Route } from '../http/route'
import type { GatewayMessage } from '../mqtt/deviceGateway'
import type { RetainedMessages } from '../mqtt/retainedMessages'
import { AWS_MQTT_LIMITS, publishTopicProblem } from '../mqtt/topicRules'

// The HTTP data plane's message operations (research/mqtt-shadow.md §5, iot-core.md §2.2): Publish
// hands the body's bytes to the device gateway, as an MQTT client's PUBLISH would be, under the same
// topic and size rules; GetRetainedMessage and ListRetainedMessages read the retained messages the
// gateway keeps in the store, so HTTP sees exactly what an MQTT subscriber would get. The caller is
// the sandbox's IAM identity (SigV4), which may publish anywhere, or on the device data plane a
// device, which needs the IoT policy permissions each route names (iot-core.md §3.2).
//
// MQTT 5 properties of Publish (contentType, responseTopic, messageExpiry, user properties) are
// accepted and dropped: the gateway speaks MQTT 3.1.1, which cannot carry them.

/** ListRetainedMessages: maxResults 1–200 (MODEL-DATA); the default when absent is UNCONFIRMED. */
export const RETAINED_PAGING: PagingParameters = { token: 'nextToken', size: 'maxResults', defaultSize: 200, maxSize: 200 }

export interface MessageRoutesContext {
  gateway: { publishMessage(message: GatewayMessage): Promise<void> }
  retained: RetainedMessages
}

export function messageRoutes(ctx: MessageRoutesContext): Route[] {
  return [
    {
      operation: 'Publish',
      method: 'POST',
      pattern: '/topics/{topic+}',
      body: 'raw',
      iotPermissions: (req) => [
        { action: 'iot:Publish', resource: `topic/${req.params['topic']!}` },
        ...(queryBoolean(req, 'retain') ? [{ action: 'iot:RetainPublish', resource: `topic/${req.params['topic']!}` }] : [])
      ],
      handler: async (req) => {
        const topic = req.params['topic']!
        const qos = queryInteger(req, 'qos', 0, 1) ?? 0
        const retain = queryBoolean(req, 'retain') ?? false
        assertPublishable(topic, retain)
        if (req.rawBody.length > AWS_MQTT_LIMITS.maxPayloadBytes)
          // UNCONFIRMED which exception AWS names here; 413 is what the data plane uses for an oversized body.
          throw new IotError(
            'RequestEntityTooLargeException',
            413,
            `The payload is ${req.rawBody.length} bytes; AWS IoT allows ${AWS_MQTT_LIMITS.maxPayloadBytes} bytes per message.`
          )
        await ctx.gateway.publishMessage({ topic, payload: req.rawBody, qos: qos === 1 ? 1 : 0, retain })
        return {}
      }
    },
    {
      operation: 'GetRetainedMessage',
      method: 'GET',
      pattern: '/retainedMessage/{topic+}',
      iotPermissions: (req) => [{ action: 'iot:GetRetainedMessage', resource: `topic/${req.params['topic']!}` }],
      handler: (req) => {
        const topic = req.params['topic']!
        const message = ctx.retained.get(topic)
        if (!message) throw notFound(`No retained message exists on topic '${topic}'. Publish one with retain=true first.`)
        return { body: { topic: message.topic, payload: message.payload, qos: message.qos, lastModifiedTime: message.lastModifiedTime } }
      }
    },
    {
      operation: 'ListRetainedMessages',
      method: 'GET',
      pattern: '/retainedMessage',
      iotPermissions: () => [{ action: 'iot:ListRetainedMessages', resource: '*' }],
      handler: (req) => {
        const page = paginate(ctx.retained.list(), (message) => message.topic, pageRequestOf(req, RETAINED_PAGING))
        return {
          body: {
            retainedTopics: page.items.map((message) => ({
              topic: message.topic,
              payloadSize: Buffer.byteLength(message.payload, 'base64'),
              qos: message.qos,
              lastModifiedTime: message.lastModifiedTime
            })),
            ...(page.next === undefined ? {} : { nextToken: page.next })
          }
        }
      }
    }
  ]
}

/** AWS's topic rules for a publish, as InvalidRequestException (a reserved topic: ForbiddenException). */
function assertPublishable(topic: string, retain: boolean): void {
  const problem = publishTopicProblem(topic, retain)
  if (!problem) return
  const message = `The topic '${topic}' cannot be published to: ${problem.message}.`
  throw problem.reserved ? new IotError('ForbiddenException', 403, message) : invalidRequest(message)
}
