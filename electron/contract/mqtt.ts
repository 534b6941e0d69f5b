import { z } from 'zod'
import { thingNameSchema } from './awsRules'

// MQTT as the contract carries it: who a connection is (the operator, or a thing with its own
// certificate), where it stands, and AWS IoT's rules for topics, filters and payloads (research
// iot-core.md §3.6). What only the broker can judge (the policy, the reserved `$` topics, the count of
// slashes) is left to its answer.

const byteLength = (text: string): number => new TextEncoder().encode(text).length

/** AWS IoT's largest MQTT message payload: 128 KB. */
export const maxMqttPayloadBytes = 128 * 1024
const maxTopicBytes = 256

const topicText = (what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .refine((text) => byteLength(text) <= maxTopicBytes, `${what} may be at most ${maxTopicBytes} bytes (AWS IoT's limit)`)
    .refine((text) => !text.includes('\u0000'), `${what} may not contain the NUL character`)

/** A topic to publish to: no wildcards. */
export const mqttTopicSchema = topicText('A topic').refine((topic) => !/[+#]/.test(topic), 'A topic to publish to may not contain the wildcards "+" or "#" (they belong in subscription filters)')

/** A subscription filter: `+` stands for one whole level, `#` for the rest and comes last. */
export const mqttTopicFilterSchema = topicText('A topic filter').refine((filter) => {
  const levels = filter.split('/')
  return levels.every((level, index) => (level.includes('+') ? level === '+' : true) && (level.includes('#') ? level === '#' && index === levels.length - 1 : true))
}, 'In a topic filter "+" must be a whole level (a/+/c) and "#" the whole last level (a/#)')

export const mqttQosSchema = z.union([z.literal(0), z.literal(1)], { error: 'qos is 0 or 1 (AWS IoT does not support QoS 2)' })

/** Who acts: the operator (WebSocket + SigV4 with the connection's credentials) or a thing (mutual TLS with its vault key). */
export const mqttActorSchema = z
  .object({ operator: z.literal(true).optional(), thingName: thingNameSchema.optional() })
  .strict()
  .refine((actor) => (actor.operator === true) !== (actor.thingName !== undefined), 'give either {operator: true} or {thingName} (a thing whose key is in the vault)')

export const mqttPayloadEncodingSchema = z.enum(['utf8', 'base64'])

export const mqttPublishArgsSchema = z
  .object({
    topic: mqttTopicSchema,
    /** Text, or base64 for bytes (encoding: 'base64'). */
    payload: z.string().max(2 * maxMqttPayloadBytes),
    encoding: mqttPayloadEncodingSchema.default('utf8'),
    qos: mqttQosSchema.default(1),
    retain: z.boolean().default(false),
    as: mqttActorSchema
  })
  .strict()
  .superRefine((args, context) => {
    if (args.encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(args.payload)) {
      context.addIssue({ code: 'custom', path: ['payload'], message: 'is not base64 (encoding: base64)' })
      return
    }
    const bytes = args.encoding === 'base64' ? Math.floor((args.payload.length * 3) / 4) - (args.payload.match(/=+$/)?.[0].length ?? 0) : byteLength(args.payload)
    if (bytes > maxMqttPayloadBytes)
      context.addIssue({ code: 'custom', path: ['payload'], message: `is ${bytes} bytes, but AWS IoT accepts MQTT payloads of at most ${maxMqttPayloadBytes} bytes (128 KB)` })
  })

// ---- what comes back ------------------------------------------------------------------------------

/** Where a connection stands; `reason` in plain words (AWS's, where it gave any). */
export type MqttConnectionState =
  | { state: 'connecting' }
  | { state: 'connected'; sessionPresent: boolean }
  | { state: 'interrupted'; reason: string }
  | { state: 'resumed'; sessionPresent: boolean }
  | { state: 'closed'; reason?: string }

export type MqttIdentity = { kind: 'operator'; clientId: string } | { kind: 'device'; thingName: string; clientId: string }

export interface MqttSubscriptionView {
  subscriptionId: string
  filter: string
  qos: 0 | 1
  identity: MqttIdentity
}

export interface MqttMessageView {
  subscriptionId: string
  topic: string
  /** The payload as text when it is UTF-8, else as base64. */
  payload: string
  encoding: 'utf8' | 'base64'
  qos: 0 | 1
  retain: boolean
}

// ---- refusals explained ---------------------------------------------------------------------------

/** What a device does that a policy may refuse: iot:Connect, iot:Publish, iot:Subscribe, iot:Receive. */
export const refusableActionSchema = z.enum(['connect', 'publish', 'subscribe', 'receive'])
export type RefusableAction = z.infer<typeof refusableActionSchema>

/** One policy statement, as its policy holds it. */
export interface PolicyStatementView {
  policyName: string
  /** 0-based position in the policy's Statement list. */
  statementIndex: number
  sid?: string
  effect: 'Allow' | 'Deny'
  /** The statement as written in the policy (pretty JSON). */
  text: string
}

/** Why a device's connect, publish, subscribe or receive is (or is not) refused, from TestAuthorization and GetEffectivePolicies. */
export interface RefusalExplanation {
  action: RefusableAction
  /** The resource ARN that was tested, e.g. arn:aws:iot:<region>:<account>:topicfilter/<filter>. */
  resourceArn: string
  decision: 'ALLOWED' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY'
  thingName?: string
  certificateId: string
  clientId: string
  /** The policies in force for the certificate (and its thing's groups). */
  policiesInForce: string[]
  /** The Deny statements that refused it (explicit deny) or the Allow statements that allowed it. */
  decidingStatements: PolicyStatementView[]
  /** For an implicit deny: the statements for this action whose resources did not cover it (what the policies do allow). */
  nearMisses: PolicyStatementView[]
  /** Policy variables or condition keys the test had no value for. */
  missingContextValues: string[]
  /** The answer in plain words. */
  summary: string
}

/** A retained message as ListRetainedMessages and GetRetainedMessage report it. */
export interface RetainedMessageView {
  topic: string
  payload: string
  encoding: 'utf8' | 'base64'
  payloadSize: number
  qos: 0 | 1
  /** ISO time. */
  lastModified?: string
}
