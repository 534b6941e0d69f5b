import { readFile } from 'node:fs/promises'
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers'
import type { Connection } from '../contract'
import { describeDataEndpoint } from '../core/aws'
import { amazonRootCaPem } from '../core/certificates'
import type { MqttEndpoint, OperatorTargetOptions } from '../core/mqtt'
import type { AppSession } from './session'

// Where a connection's devices and operators reach MQTT: core/mqtt takes an endpoint and never
// learns about the sandbox, so the Local IoT Core's ports and CA are looked up here.

/** The device gateway (MQTT over mutual TLS) of a connection: the Local IoT Core's broker, or AWS's iot:Data-ATS on 8883. */
export async function deviceEndpoint(session: AppSession, connection: Connection): Promise<MqttEndpoint> {
  if (connection.kind === 'local') {
    const core = await session.localIotCore()
    return { host: core.mqttHost, port: core.mqttPort, caPem: await readFile(core.caCertificatePath, 'utf8') }
  }
  // Loaded here, not at the top: core/mqtt brings aws-crt, which only MQTT users should load.
  const { awsDeviceEndpoint } = await import('../core/mqtt')
  return awsDeviceEndpoint(await session.iotClient(connection))
}

/**
 * What an operator connection (MQTT over WebSocket, SigV4) needs for a connection: the endpoint, the
 * region and the credentials, resolved as the control plane resolves them (createIotClient).
 */
export async function operatorEndpoint(session: AppSession, connection: Connection): Promise<Omit<OperatorTargetOptions, 'clientId'>> {
  switch (connection.kind) {
    case 'local': {
      const core = await session.localIotCore()
      const url = new URL(core.webSocketUrl)
      return {
        endpoint: { host: url.hostname, port: Number(url.port), caPem: await readFile(core.caCertificatePath, 'utf8') },
        region: core.region,
        credentials: { accessKeyId: core.accessKeyId, secretAccessKey: core.secretAccessKey }
      }
    }
    case 'endpoint': {
      const host = await describeDataEndpoint(await session.iotClient(connection))
      return { endpoint: { host, port: 443, caPem: amazonRootCaPem() }, region: connection.region, credentials: fromNodeProviderChain() }
    }
    case 'profile': {
      const region = await session.requiredProfileRegion(connection)
      const host = await describeDataEndpoint(await session.iotClient(connection))
      // ignoreCache: a technician may run `aws sso login` while the app is open.
      return { endpoint: { host, port: 443, caPem: amazonRootCaPem() }, region, credentials: fromIni({ profile: connection.profile, ignoreCache: true }) }
    }
  }
}
