// npm run bench:serial [-- --only monitor|bridge|onboarding] [--seconds S] [--updates N] [--view text|hex|plot] [--profile]
// The serial bench's three figures (issue 10): serial output into the monitor (1 MB/s at 921,600
// baud on a pty: long tasks, bytes dropped), the shadow ⇄ serial bridge's round trip with the
// JSON-lines thermostat (p50 ≤ 30 ms, p99 ≤ 80 ms), and one simulated ExpressLink module's
// onboarding (its time, and the share spent waiting on the module).
import { parseArgs } from 'node:util'
import { measureSerialBridge } from './serialBridge'
import { measureSerialMonitor } from './serialMonitor'
import { measureExpressLinkOnboarding } from './serialOnboarding'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seconds: { type: 'string', default: '30' },
    updates: { type: 'string', default: '500' },
    /** The monitor's view under load. */
    view: { type: 'string', default: 'text' },
    /** Also prints where the monitor's main thread went (a CPU profile, top functions by self time). */
    profile: { type: 'boolean', default: false }
  }
})
const parts = values.only ? [values.only] : ['bridge', 'onboarding', 'monitor']
for (const part of parts) {
  if (part === 'monitor') {
    if (!['text', 'hex', 'plot'].includes(values.view)) throw new Error(`--view takes text, hex or plot, not ${values.view}`)
    await measureSerialMonitor({ seconds: Number(values.seconds), view: values.view as 'text' | 'hex' | 'plot', profile: values.profile })
  }
  else if (part === 'bridge') await measureSerialBridge({ updates: Number(values.updates) })
  else if (part === 'onboarding') await measureExpressLinkOnboarding()
  else throw new Error(`--only takes monitor, bridge or onboarding, not ${part}`)
}
