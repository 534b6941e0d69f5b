import { CreatePolicyVersionCommand, GetPolicyCommand } from '@aws-sdk/client-iot'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { ShadowClient, ShadowError, watchShadow } from '../../../electron/core/shadow'
import type { MqttJsDevice } from '../../support/mqttJsConnection'
import { startShadowWorld, type ShadowWorld } from './support/world'
import { rejectionOf } from '../../support/refusal'

const refusal = (call: Promise<unknown>): Promise<ShadowError> => rejectionOf(call, ShadowError)

// The seed shadow policy lets a thing use its own shadow only. AWS refuses a SUBSCRIBE or PUBLISH
// the policy does not allow by closing the connection, with no error code (research/mqtt-shadow.md
// §2.1): the shadow client must say so, and the other thing's shadow must not change.

let w: ShadowWorld
let intruder: MqttJsDevice
beforeEach(async () => {
  w = await startShadowWorld()
  await w.provisionThing('lamp-1')
  intruder = await w.provisionThing('lamp-2')
  await w.http.update({ thingName: 'lamp-1' }, { state: { desired: { on: true } } })
})
afterEach(async () => {
  await w?.close()
})

it.each(['get', 'update', 'delete'] as const)('a %s of another thing\'s shadow: the broker closes the connection and the client says why', async (operation) => {
  const connection = await w.connect(intruder)
  const client = ShadowClient.overMqtt(connection, { timeoutMs: 5000 })
  const other = { thingName: 'lamp-1' }
  const call = operation === 'get' ? client.get(other) : operation === 'update' ? client.update(other, { state: { desired: { on: false } } }) : client.delete(other)

  const error = await refusal(call)
  expect(error.errorName).toBe('ConnectionClosed')
  expect(error.message).toContain('The MQTT connection of the thing lamp-2 (client id lamp-2) closed while subscribing to $aws/things/lamp-1/shadow/')
  expect(error.message).toContain('AWS IoT closes the connection when its policy does not allow a publish or subscribe')
  expect(connection.current.state).toBe('closed')
  expect(await w.http.get(other)).toMatchObject({ version: 1, state: { desired: { on: true } } })

  // Its own shadow still works on a new connection.
  const own = ShadowClient.overMqtt(await w.connect(intruder))
  expect((await own.update({ thingName: 'lamp-2' }, { state: { reported: { on: true } } })).version).toBe(1)
  await own.close()
})

it('a watch of another thing\'s shadow is refused the same way, and nothing is left subscribed', async () => {
  const connection = await w.connect(intruder)
  const error = await refusal(watchShadow(connection, { thingName: 'lamp-1' }))
  expect(error.errorName).toBe('ConnectionClosed')
  expect(error.message).toMatch(/closed while watching the classic shadow of lamp-1 .*policy does not allow a subscribe/)
  expect(connection.current.state).toBe('closed')
})

it('a policy that denies Receive on the answers: the request times out, saying where it waited', async () => {
  const policyName = 'ThingBench-shadow'
  const policy = await w.sandbox.iot.send(new GetPolicyCommand({ policyName }))
  const document = JSON.parse(policy.policyDocument!) as { Statement: unknown[] }
  const deny = { Effect: 'Deny', Action: 'iot:Receive', Resource: `arn:aws:iot:${w.sandbox.core.region}:${w.sandbox.core.accountId}:topic/$aws/things/lamp-2/shadow/get/*` }
  await w.sandbox.iot.send(new CreatePolicyVersionCommand({ policyName, policyDocument: JSON.stringify({ ...document, Statement: [...document.Statement, deny] }), setAsDefault: true }))

  const connection = await w.connect(intruder)
  const client = ShadowClient.overMqtt(connection, { timeoutMs: 500 })
  await client.update({ thingName: 'lamp-2' }, { state: { reported: { on: true } } })
  const error = await refusal(client.get({ thingName: 'lamp-2' }))
  expect(error.errorName).toBe('RequestTimeout')
  expect(error.message).toMatch(
    /^The shadow service did not answer the get of the classic shadow of lamp-2 within 0.5 s \(no message on \$aws\/things\/lamp-2\/shadow\/get\/accepted or \$aws\/things\/lamp-2\/shadow\/get\/rejected with clientToken [0-9a-f-]+\)\. Check that the connection's policy allows iot:Receive/
  )
  // A refused Receive does not close the connection.
  expect(connection.current.state).toBe('connected')
  await client.close()
})
