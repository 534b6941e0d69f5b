import { IoTClient } from '@aws-sdk/client-iot'
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { fromIni } from '@aws-sdk/credential-providers'

export interface IotTarget {
  region: string
  /** Overrides AWS's endpoint, e.g. the Local IoT Core's http://127.0.0.1:<port>. */
  endpoint?: string
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** A profile from ~/.aws/config or ~/.aws/credentials (SSO profiles too). */
  profile?: string
}

/** An IoT control-plane client: explicit credentials, else the named profile, else the SDK's default chain. */
export function createIotClient(target: IotTarget): IoTClient {
  return new IoTClient(clientConfig(target))
}

/**
 * A Device Shadow / data-plane client with the same credential resolution as the control plane;
 * `target.endpoint` is the data endpoint (https://<iot:Data-ATS address>, or the Local IoT Core's dataPlaneUrl).
 */
export function createDataPlaneClient(target: IotTarget): IoTDataPlaneClient {
  return new IoTDataPlaneClient(clientConfig(target))
}

function clientConfig(target: IotTarget) {
  if (!target || typeof target.region !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(target.region))
    throw new Error(`"${target?.region ?? ''}" is not an AWS region (expected something like eu-west-1): choose the region your things live in`)
  const credentials = target.credentials
    ? target.credentials
    : target.profile
      ? // ignoreCache: a technician may run `aws sso login` or edit the files while the app is open.
        fromIni({ profile: target.profile, ignoreCache: true })
      : undefined
  return {
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(credentials ? { credentials } : {})
  }
}
