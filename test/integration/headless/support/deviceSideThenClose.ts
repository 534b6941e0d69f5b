// A back end that watches a shadow, acts as a device and subscribes (as the thing and as the
// operator), then is closed with all of them still open, and nothing else: the process must exit by
// itself. Prints one JSON line: what the back end said ended while it closed.
//   node --import tsx deviceSideThenClose.ts
import type { EventName } from '../../../../electron/contract'
import { startTestApi } from '../../../support/apiBackend'

const t = await startTestApi()
const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'lamp-exit' } })
if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
await t.api.call('shadow.watch', { thingName: 'lamp-exit' })
await t.api.call('device.start', { thingName: 'lamp-exit', initialReported: { on: false } })
await t.api.call('mqtt.subscribe', { filter: '$aws/things/lamp-exit/shadow/#', as: { thingName: 'lamp-exit' } })
await t.api.call('mqtt.subscribe', { filter: 'bench/#', as: { operator: true } })

const ends: Array<{ event: EventName; because: unknown }> = []
t.backend.events.connect((event, payload) => {
  const { change, because } = payload as { change?: { kind?: string; type?: string; because?: string }; because?: string }
  if (change?.kind === 'stopped' || change?.type === 'stopped') ends.push({ event, because: change.because })
  if (event === 'mqtt.subscriptionEnded') ends.push({ event, because })
})
await t.close()
process.stdout.write(`${JSON.stringify(ends)}\n`)
