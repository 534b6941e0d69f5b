import { IoTClient } from '@aws-sdk/client-iot'
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { fromIni } from '@aws-sdk/credential-providers'
import { configuredEndpoint } from './configuredEndpoint'

export interface IotTarget {
  region: string
  /**
   * Overrides AWS's endpoint, e.g. the Local IoT Core's http://127.0.0.1:<port>. With a profile, an
   * endpoint the AWS config names for it (endpoint_url, a services section, AWS_ENDPOINT_URL*) wins.
   */
  endpoint?: string
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** A profile from ~/.aws/config or ~/.aws/credentials (SSO profiles too). */
  profile?: string
}

/** An IoT control-plane client: explicit credentials, else the named profile, else the SDK's default chain. */
export async function createIotClient(target: IotTarget): Promise<IoTClient> {
  return new IoTClient(await clientConfig(target, 'IoT'))
}

/**
 * A Device Shadow / data-plane client with the same credential resolution as the control plane;
 * `target.endpoint` is the data endpoint (https://<iot:Data-ATS address>, or the Local IoT Core's dataPlaneUrl).
 */
export async function createDataPlaneClient(target: IotTarget): Promise<IoTDataPlaneClient> {
  return new IoTDataPlaneClient(await clientConfig(target, 'IoT Data Plane'))
}

/** `serviceId` is the SDK's name for the service, which the AWS config's endpoint settings are keyed by. */
async function clientConfig(target: IotTarget, serviceId: string) {
  if (!target || typeof target.region !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(target.region))
    throw new Error(`"${target?.region ?? ''}" is not an AWS region (expected something like eu-west-1): choose the region your things live in`)
  const profile = target.credentials ? undefined : target.profile
  // ignoreCache: a technician may run `aws sso login` or edit the files while the app is open.
  const credentials = target.credentials ?? (profile ? fromIni({ profile, ignoreCache: true }) : undefined)
  // The SDK reads endpoint settings for AWS_PROFILE's profile, not the client's, so they are read here
  // for this profile, and the SDK's own reading is turned off.
  const endpoint = (profile ? await configuredEndpoint(profile, serviceId) : undefined) ?? target.endpoint
  return {
    region: target.region,
    ...(endpoint ? { endpoint } : {}),
    ...(profile ? { ignoreConfiguredEndpointUrls: true } : {}),
    ...(credentials ? { credentials } : {})
  }
}
