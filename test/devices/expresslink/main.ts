// A simulated AWS IoT ExpressLink module on a virtual serial cable, to try ThingBench without hardware:
//   npm run device:expresslink -- [--state DIR] [--link PATH] [--quiet]
// It makes a socat pty pair, powers the module up on one end and prints the other end's path, which
// ThingBench opens like a USB port (115200 8N1). Its key, certificate and settings live in the state
// folder, so it is the same module next time. Ctrl-C unplugs it.
import { homedir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { openPtyPair } from '../../support/ptyPair'
import { expressLinkOnPort } from './onPort'

const { values: flags } = parseArgs({
  options: {
    state: { type: 'string', default: join(homedir(), '.thingbench-expresslink') },
    link: { type: 'string', default: '/tmp/ttyExpressLink' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})

if (flags.help) {
  console.log(`Usage: npm run device:expresslink -- [options]
  --state DIR    the module's key, certificate and settings [~/.thingbench-expresslink]
  --link PATH    the host-side port is PATH-host, the module's end PATH-device [/tmp/ttyExpressLink]
  --quiet        do not print the AT traffic`)
  process.exit(0)
}

const pair = await openPtyPair(basename(flags.link), dirname(flags.link))
const running = await expressLinkOnPort(pair.devicePath, {
  stateDir: flags.state,
  ...(flags.quiet ? {} : { onLine: (direction, text) => console.error(`${direction === 'in' ? '→' : '←'} ${text}`) })
})

console.log(`ExpressLink module ${running.module.thingName} ready. Open this port in ThingBench (ExpressLink, 115200 8N1):\n  ${pair.hostPath}`)
console.log(`State folder: ${flags.state}`)

async function shutdown(): Promise<void> {
  await running.close()
  await pair.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown())
process.on('SIGTERM', () => void shutdown())
