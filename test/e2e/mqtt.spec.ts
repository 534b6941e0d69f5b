import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { callApi } from './callApi'
import { field } from './wizard'

// The MQTT client in browser mode against `thingbench serve` and the Local IoT Core: the operator
// publishes and receives; a thing's refused subscribe is explained with the policy statement.

const denyFactory = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ConnectAsItself', Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}' },
    { Sid: 'AnyTopic', Effect: 'Allow', Action: ['iot:Subscribe', 'iot:Receive', 'iot:Publish'], Resource: '*' },
    { Sid: 'NoFactoryTopics', Effect: 'Deny', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/factory/*' }
  ]
})

async function openMqtt(page: Page): Promise<void> {
  await page.getByTestId('nav-mqtt').click()
  await expect(page.getByTestId('mqtt-view')).toBeVisible()
}

test('the MQTT client publishes and receives, and lists a retained message', async ({ app, snap }) => {
  await openMqtt(app)
  await field(app, 'mqtt-subscribe-filter').fill('e2e/+/status')
  await app.getByTestId('mqtt-subscribe').click()
  await expect(app.getByTestId('mqtt-subscription-e2e/+/status')).toContainText('operator')

  await field(app, 'mqtt-publish-topic').fill('e2e/lamp-1/status')
  await field(app, 'mqtt-publish-payload').fill('{"on": true, "brightness": 80}')
  await app.getByTestId('mqtt-publish-retain').click()
  await app.getByTestId('mqtt-publish').click()
  const row = app.getByTestId('mqtt-log-row').first()
  await expect(row).toContainText('e2e/lamp-1/status')
  await row.click()
  await expect(app.getByTestId('mqtt-log-payload')).toContainText('"brightness": 80')

  // Not JSON: refused as typed, nothing sent.
  await field(app, 'mqtt-publish-payload').fill('{"on": tru')
  await expect(app.getByTestId('mqtt-publish-form')).toContainText('not valid JSON')
  await expect(app.getByTestId('mqtt-publish')).toBeDisabled()

  await app.getByTestId('mqtt-retained-reload').click()
  await expect(app.getByTestId('mqtt-retained')).toContainText('e2e/lamp-1/status')
  await field(app, 'mqtt-log-search').fill('brightness')
  await expect(app.getByTestId('mqtt-log-count')).toContainText('1 of 1 messages')
  await snap('mqtt-publish-receive')
})

test("a thing's refused subscribe is explained with the policy statement that denied it", async ({ app, snap }) => {
  const outcome = (await callApi(app, 'provisioning.run', {
    plan: { thingName: 'e2e-press', policy: { mode: 'document', policyName: 'e2e-press-policy', document: denyFactory } }
  })) as { outcome: string }
  expect(outcome).toMatchObject({ outcome: 'provisioned' })
  await openMqtt(app)
  await app.getByTestId('mqtt-actor').click()
  await app.keyboard.type('e2e-press')
  await app.getByText('Thing e2e-press (its certificate and policy)').click()

  await field(app, 'mqtt-subscribe-filter').fill('factory/line-1')
  await app.getByTestId('mqtt-subscribe').click()
  const refusal = app.getByTestId('mqtt-refusal')
  await expect(refusal).toBeVisible({ timeout: 20_000 })
  await expect(app.getByTestId('mqtt-refusal-summary')).toContainText('Subscribing to factory/line-1 is denied explicitly by statement "NoFactoryTopics" of policy e2e-press-policy')
  await expect(app.getByTestId('mqtt-refusal-statement')).toContainText('"Effect": "Deny"')
  await expect(app.getByTestId('mqtt-refusal-statement')).toContainText('topicfilter/factory/*')
  await snap('mqtt-refused-subscribe')

  // What the policy allows still works as the same thing.
  await field(app, 'mqtt-subscribe-filter').fill('press/status')
  await app.getByTestId('mqtt-subscribe').click()
  await expect(app.getByTestId('mqtt-subscription-press/status')).toContainText('thing e2e-press')
  await expect(refusal).toBeHidden()
})

test('the MQTT client remembers its subscriptions, who acts and the publish form across a reload; Ctrl+Enter publishes and / searches', async ({ app, snap }) => {
  expect(await callApi(app, 'provisioning.run', { plan: { thingName: 'e2e-kept' } })).toMatchObject({ outcome: 'provisioned' })
  await openMqtt(app)
  await expect(app.getByTestId('mqtt-no-subscriptions')).toContainText('No subscriptions yet: type a topic filter above')
  await expect(app.getByTestId('mqtt-log-empty')).toContainText('No messages yet: subscribe to a topic filter above')
  await snap('mqtt-empty')

  await field(app, 'mqtt-subscribe-filter').fill('kept/#')
  await app.getByTestId('mqtt-subscribe').click()
  await expect(app.getByTestId('mqtt-subscription-kept/#')).toContainText('operator')
  await expect(app.getByTestId('mqtt-log-empty')).toContainText('No messages yet on kept/#')
  await app.getByTestId('mqtt-actor').click()
  await app.keyboard.type('e2e-kept')
  await app.getByText('Thing e2e-kept (its certificate and policy)').click()
  await field(app, 'mqtt-subscribe-filter').fill('$aws/things/e2e-kept/shadow/get/+')
  await app.getByTestId('mqtt-subscribe').click()
  await expect(app.getByTestId('mqtt-subscription-$aws/things/e2e-kept/shadow/get/+')).toContainText('thing e2e-kept')
  await app.getByTestId('mqtt-actor').click()
  await app.getByText('Operator (the connection’s credentials)').click()
  await field(app, 'mqtt-publish-topic').fill('kept/lamp/status')
  await field(app, 'mqtt-publish-payload').fill('kept and sent')
  await app.getByTestId('mqtt-publish-format').getByText('Text').click()
  await app.getByTestId('mqtt-publish-retain').click()

  await app.reload()
  await expect(app.getByTestId('mqtt-view')).toBeVisible()
  await expect(app.getByTestId('mqtt-subscription-kept/#')).toContainText('operator')
  await expect(app.getByTestId('mqtt-subscription-$aws/things/e2e-kept/shadow/get/+')).toContainText('thing e2e-kept')
  await expect(field(app, 'mqtt-publish-topic')).toHaveValue('kept/lamp/status')
  await expect(field(app, 'mqtt-publish-payload')).toHaveValue('kept and sent')
  await expect(app.getByTestId('mqtt-publish-retain')).toHaveClass(/n-checkbox--checked/)

  // Ctrl+Enter from the payload field publishes; "/" (outside a field) goes to the log's search.
  await field(app, 'mqtt-publish-payload').click()
  await app.keyboard.press('Control+Enter')
  await expect(app.getByTestId('mqtt-log-row').first()).toContainText('kept/lamp/status')
  await expect(app.getByTestId('mqtt-log-row').first()).toContainText('kept and sent')
  await app.getByTestId('mqtt-log-count').click()
  await app.keyboard.press('/')
  await app.keyboard.type('lamp')
  await expect(field(app, 'mqtt-log-search')).toHaveValue('lamp')
  await expect(app.getByTestId('mqtt-log-count')).toContainText('1 of 1 messages')
  await snap('mqtt-remembered')
})
