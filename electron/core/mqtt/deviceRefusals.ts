import { DescribeCertificateCommand, TestAuthorizationCommand, type IoTClient } from '@aws-sdk/client-iot'
import type { DeviceCredentials } from './deviceCredentials'
import type { RefusedOperation } from './target'

// AWS's broker drops a refused CONNECT, PUBLISH or SUBSCRIBE without saying why (no CONNACK code,
// no SUBACK failure): the reason is found by asking the control plane, as the AWS console does —
// the certificate's status (DescribeCertificate) and the policy's answer (TestAuthorization).

/** Why the broker refused what a device did, in plain words; undefined when AWS says it is allowed or cannot be asked. */
export function deviceRefusals(iot: IoTClient, device: DeviceCredentials, clientId: string): (operation: RefusedOperation) => Promise<string | undefined> {
  const arnPrefix = /^(arn:[^:]+:iot:[^:]+:[^:]+):/.exec(device.certificateArn)?.[1]
  return async (operation) => {
    try {
      if (operation.action === 'connect') {
        const status = await certificateStatus(iot, device.certificateId)
        if (status === 'NOT_REGISTERED') return `the certificate ${device.certificateId} is not registered with AWS IoT`
        if (status !== 'ACTIVE') return `the certificate is not active (it is ${status}): activate certificate ${device.certificateId}, or provision a new one`
      }
      if (!arnPrefix) return undefined
      const [actionType, resource, words] =
        operation.action === 'connect'
          ? (['CONNECT', `${arnPrefix}:client/${clientId}`, `the policy does not allow this client id ("${clientId}")`] as const)
          : operation.action === 'subscribe'
            ? (['SUBSCRIBE', `${arnPrefix}:topicfilter/${operation.filter}`, `the policy does not allow subscribing to ${operation.filter}`] as const)
            : (['PUBLISH', `${arnPrefix}:topic/${operation.topic}`, `the policy does not allow publishing to ${operation.topic}`] as const)
      const answer = await iot.send(
        new TestAuthorizationCommand({ principal: device.certificateArn, clientId, authInfos: [{ actionType, resources: [resource] }] })
      )
      const decision = answer.authResults?.[0]?.authDecision
      if (decision === 'EXPLICIT_DENY') return `${words}: a policy attached to the certificate or its thing's groups denies it explicitly`
      if (decision === 'IMPLICIT_DENY') return words
      return undefined
    } catch {
      // Without permission to ask (or no network), the caller's generic reason stands.
      return undefined
    }
  }
}

async function certificateStatus(iot: IoTClient, certificateId: string): Promise<string> {
  try {
    const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId }))
    return certificateDescription?.status ?? 'UNKNOWN'
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return 'NOT_REGISTERED'
    throw error
  }
}
