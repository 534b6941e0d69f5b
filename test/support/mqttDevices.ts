// Devices for the device gateway's tests: a thing provisioned the way `thingbench provision` does it
// (a sandbox-issued certificate, the seed 'shadow' policy rendered from resources/policies, the thing
// and its attachment), over the real AWS SDK; and mqtt.js (MQTT 3.1.1) clients connecting as it.
import { readFileSync } from 'node:fs'
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  GetPolicyCommand,
  type IoTClient
} from '@aws-sdk/client-iot'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { renderPolicyTemplate } from '../../electron/core/policies/templates'
import type { LocalIotCore } from '../../electron/sandbox'

export interface Device {
  thingName: string
  certificateId: string
  certificateArn: string
  certificatePem: string
  privateKeyPem: string
}

export const SHADOW_POLICY = 'thingbench-shadow'

/** A policy that allows every IoT action on every resource: for tests of broker rules that are not policy rules. */
export const ALLOW_ALL = { policyName: 'allow-all', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }) }

/**
 * Creates the thing with an ACTIVE sandbox-issued certificate carrying the seed shadow policy
 * (or the policy given).
 */
export async function provisionDevice(
  core: LocalIotCore,
  iot: IoTClient,
  thingName: string,
  policy: { policyName: string; policyDocument: string } = {
    policyName: SHADOW_POLICY,
    policyDocument: renderPolicyTemplate('shadow', { region: core.region, accountId: core.accountId })
  }
): Promise<Device> {
  const exists = await iot.send(new GetPolicyCommand({ policyName: policy.policyName })).then(
    () => true,
    () => false
  )
  if (!exists) await iot.send(new CreatePolicyCommand(policy))
  const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))
  await iot.send(new CreateThingCommand({ thingName }))
  await iot.send(new AttachPolicyCommand({ policyName: policy.policyName, target: created.certificateArn! }))
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: created.certificateArn! }))
  return {
    thingName,
    certificateId: created.certificateId!,
    certificateArn: created.certificateArn!,
    certificatePem: created.certificatePem!,
    privateKeyPem: created.keyPair!.PrivateKey!
  }
}

export function caOf(core: Pick<LocalIotCore, 'caCertificatePath'>): string {
  return readFileSync(core.caCertificatePath, 'utf8')
}

/** mqtt.js options for the device: MQTT 3.1.1 over TLS to the gateway, verifying its certificate, no reconnects. */
export function deviceOptions(core: LocalIotCore, device: { certificatePem: string; privateKeyPem: string }, extra: IClientOptions = {}): IClientOptions {
  return {
    protocol: 'mqtts',
    host: core.mqttHost,
    port: core.mqttPort,
    protocolVersion: 4,
    ca: caOf(core),
    cert: device.certificatePem,
    key: device.privateKeyPem,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra
  }
}

/** The arguments of the client's next `event` (MqttClient's typed emitter does not fit node:events' once). */
export function nextEvent<T extends unknown[] = unknown[]>(client: MqttClient, event: 'connect' | 'close' | 'message'): Promise<T> {
  return new Promise((resolve) => client.once(event, (...args: unknown[]) => resolve(args as T)))
}

export async function connectDevice(options: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(options)
  try {
    await Promise.race([
      nextEvent(client, 'connect'),
      nextEvent(client, 'close').then(() => {
        throw new Error('the broker closed the connection before CONNACK')
      })
    ])
  } catch (error) {
    client.end(true)
    throw error
  }
  return client
}

/** What a client that should be refused saw: 'closed' when the socket closed with no CONNACK, else the CONNACK's code. */
export async function connectOutcome(options: IClientOptions): Promise<'closed' | 'connected' | string> {
  const client = mqtt.connect(options)
  client.on('error', () => {})
  const outcome = await Promise.race([
    nextEvent(client, 'connect').then(() => 'connected'),
    nextEvent(client, 'close').then(() => 'closed')
  ])
  client.end(true)
  return outcome
}

/** Resolves when the broker closes the client's connection (nothing reconnects). */
export function closed(client: MqttClient): Promise<void> {
  return client.connected ? nextEvent(client, 'close').then(() => undefined) : Promise.resolve()
}

/** The next message on a topic matching `filter` (already subscribed), parsed as JSON. */
export function nextMessage(client: MqttClient, topic: string, timeoutMs = 3000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage)
      reject(new Error(`no message on ${topic} within ${timeoutMs} ms`))
    }, timeoutMs)
    const onMessage = (received: string, payload: Buffer): void => {
      if (received !== topic) return
      clearTimeout(timer)
      client.off('message', onMessage)
      resolve(JSON.parse(payload.toString('utf8')) as Record<string, unknown>)
    }
    client.on('message', onMessage)
  })
}

/** The messages that arrive within `ms`, with their topics. */
export async function messagesWithin(client: MqttClient, ms: number): Promise<Array<{ topic: string; payload: string; retain: boolean }>> {
  const seen: Array<{ topic: string; payload: string; retain: boolean }> = []
  const onMessage = (topic: string, payload: Buffer, packet: { retain: boolean }): void => {
    seen.push({ topic, payload: payload.toString('utf8'), retain: packet.retain })
  }
  client.on('message', onMessage)
  await new Promise((resolve) => setTimeout(resolve, ms))
  client.off('message', onMessage)
  return seen
}
