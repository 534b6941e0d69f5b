// The JSON-lines thermostat on a virtual serial cable, to try ThingBench without hardware:
//   npm run device:thermostat -- [--state-dir DIR] [--connect] [--no-provisioning] [--noise] [--silent-after N] [--garbage-every MS]
// It makes a socat pty pair, boots the thermostat on one end and prints the other end's path,
// which ThingBench opens like a USB port. Ctrl-C unplugs it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openPtyPair } from '../../support/ptyPair'
import { thermostatOnPort } from './onPort'

const { values: flags } = parseArgs({
  options: {
    'state-dir': { type: 'string' },
    'port-dir': { type: 'string' },
    baud: { type: 'string', default: '115200' },
    serial: { type: 'string', default: 'TB-THERMO-0001' },
    rate: { type: 'string', default: '0.5' },
    'report-every': { type: 'string', default: '10000' },
    connect: { type: 'boolean', default: false },
    'no-provisioning': { type: 'boolean', default: false },
    noise: { type: 'boolean', default: false },
    'silent-after': { type: 'string' },
    'garbage-every': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})

if (flags.help) {
  console.log(`Usage: npm run device:thermostat -- [options]
  --state-dir DIR      keep a provisioned identity here across runs (default: a temp folder, removed at exit)
  --port-dir DIR       make the pty links here (default: a new temp folder)
  --connect            once provisioned, connect to the endpoint over MQTT and report there too
  --no-provisioning    firmware without the "provision" capability (refuses an identity over the cable)
  --baud N             baud the device end is opened at (a pty ignores it) [115200]
  --serial S           serial number in its hello [TB-THERMO-0001]
  --rate C             °C per second while heating or cooling [0.5]
  --report-every MS    periodic report [10000]
  --noise              send line noise, as a host at the wrong baud rate would see
  --silent-after N     hang after N requests
  --garbage-every MS   write a garbage line this often
  --quiet              do not print the traffic`)
  process.exit(0)
}

// Without --state-dir the identity lives only as long as this run (the folder goes at exit).
const ownsStateDir = flags['state-dir'] === undefined
const stateDir = flags['state-dir'] ?? mkdtempSync(join(tmpdir(), 'thingbench-thermostat-'))
const pair = await openPtyPair('thermostat', flags['port-dir'])
const running = await thermostatOnPort(pair.devicePath, {
  baudRate: Number(flags.baud),
  serial: flags.serial,
  stateDir,
  connect: flags.connect,
  ...(flags['no-provisioning'] ? { capabilities: [] } : {}),
  reportEveryMs: Number(flags['report-every']),
  thermostat: { rate: Number(flags.rate) },
  faults: {
    noise: flags.noise,
    ...(flags['silent-after'] ? { silentAfterRequests: Number(flags['silent-after']) } : {}),
    ...(flags['garbage-every'] ? { garbageEveryMs: Number(flags['garbage-every']) } : {})
  },
  ...(flags.quiet ? {} : { onLine: (direction, text) => console.error(`${direction === 'in' ? '→' : '←'} ${redacted(text)}`) })
})

/** The console shows what the device hears, except a private key or a Wi-Fi passphrase. */
function redacted(text: string): string {
  if (text.includes('"privateKey"')) return text.replace(/"value":"[^"]*"/, '"value":"[private key, not shown]"')
  if (text.includes('"wifiPassphrase"')) return text.replace(/"value":"[^"]*"/, '"value":"[Wi-Fi passphrase, not shown]"')
  return text
}

console.log(`Thermostat ready. Open this port in ThingBench (JSON lines, ${flags.baud} baud):\n  ${pair.hostPath}`)
console.log(`State folder: ${stateDir}${ownsStateDir ? ' (removed at exit; --state-dir keeps it)' : ''}`)

async function shutdown(): Promise<void> {
  await running.close()
  await pair.close()
  if (ownsStateDir) rmSync(stateDir, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGINT', () => void shutdown())
process.on('SIGTERM', () => void shutdown())
