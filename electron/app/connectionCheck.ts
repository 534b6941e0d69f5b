import { randomUUID } from 'node:crypto'
import { DescribeEndpointCommand, ListThingsCommand } from '@aws-sdk/client-iot'
import type { Connection, ConnectionCheckView } from '../contract'
import { describeAwsError } from '../core/aws'
import type { AppSession } from './session'

// "Test connection" in Connections: what a technician needs to know before blaming a device — does
// the control plane answer with these credentials, and does the MQTT data endpoint take a connect.
// Each check is worded for a person and names AWS's error when it fails; nothing is changed.

/** An MQTT connect that neither succeeds nor fails by then is reported as a failure, not waited on. */
const mqttTimeoutMs = 15_000

export async function checkConnection(session: AppSession, connection: Connection): Promise<ConnectionCheckView[]> {
  const controlPlane = await timed(async () => {
    const iot = await session.iotClient(connection)
    const { endpointAddress } = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))
    const { things } = await iot.send(new ListThingsCommand({ maxResults: 1 }))
    return `DescribeEndpoint answered ${endpointAddress ?? '(no address)'} and ListThings answered (${things?.length ? 'things listed' : 'no things yet'})`
  })
  const controlPlaneView = view('control-plane', 'Control plane', controlPlane)
  // Without the control plane there is no data endpoint to try (AWS's is found with DescribeEndpoint).
  if (!controlPlane.ok && connection.kind !== 'local') return [controlPlaneView, skippedMqtt()]
  const mqtt = await timed(async () => {
    const lease = await withTimeout(session.deviceSide.operator(connection, `thingbench-test-${randomUUID().slice(0, 8)}`), mqttTimeoutMs)
    await lease.release()
    return 'an operator connected over WebSocket with SigV4 (your credentials) and disconnected'
  })
  return [controlPlaneView, view('mqtt', 'MQTT data endpoint', mqtt)]
}

type Outcome = { ok: true; detail: string; ms: number } | { ok: false; errorName: string; message: string; ms: number }

async function timed(check: () => Promise<string>): Promise<Outcome> {
  const started = performance.now()
  const ms = () => Math.round(performance.now() - started)
  try {
    const detail = await check()
    return { ok: true, detail, ms: ms() }
  } catch (error) {
    const named = error instanceof Error && typeof (error as { errorName?: unknown }).errorName === 'string'
    const described = named ? { errorName: (error as unknown as { errorName: string }).errorName, message: error.message } : describeAwsError(error)
    return { ok: false, errorName: described.errorName, message: described.message, ms: ms() }
  }
}

function view(check: ConnectionCheckView['check'], title: string, outcome: Outcome): ConnectionCheckView {
  return outcome.ok
    ? { check, ok: true, detail: `${title}: works — ${outcome.detail} (${outcome.ms} ms)`, ms: outcome.ms }
    : { check, ok: false, detail: `${title}: failed — ${outcome.errorName}: ${outcome.message}`, errorName: outcome.errorName, ms: outcome.ms }
}

function skippedMqtt(): ConnectionCheckView {
  return {
    check: 'mqtt',
    ok: false,
    detail: 'MQTT data endpoint: not tried — its address comes from the control plane (DescribeEndpoint), which failed above',
    errorName: 'NotTried',
    ms: 0
  }
}

function withTimeout<T>(work: Promise<T & { release(): Promise<void> }>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Should it connect after all, let it go.
      void work.then((lease) => lease.release()).catch(() => {})
      reject(Object.assign(new Error(`no answer to the MQTT connect within ${ms / 1000} s: check the endpoint, port 443 and any proxy or firewall`), { errorName: 'TimeoutError' }))
    }, ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}
