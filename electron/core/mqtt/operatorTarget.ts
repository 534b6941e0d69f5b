import { auth, io, iot, type http } from 'aws-iot-device-sdk-v2'
import { withSharedSettings, type MqttEndpoint, type MqttTarget } from './target'

export interface OperatorCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface OperatorTargetOptions {
  clientId: string
  /** The device gateway's WebSocket endpoint: on AWS the iot:Data-ATS host on 443. */
  endpoint: MqttEndpoint
  region: string
  /**
   * Fixed credentials (the Local IoT Core's), or a provider from @aws-sdk/credential-providers
   * (profile, SSO, environment), asked again at every (re)connect so refreshed credentials are used.
   */
  credentials: OperatorCredentials | (() => Promise<OperatorCredentials>)
}

/** An operator connecting with IAM credentials: MQTT over WebSocket, the upgrade request signed with SigV4 (service iotdevicegateway). */
export function operatorTarget(options: OperatorTargetOptions): MqttTarget {
  return {
    identity: { kind: 'operator', clientId: options.clientId },
    endpoint: options.endpoint,
    async prepare() {
      const credentials = options.credentials
      const current = typeof credentials === 'function' ? credentials : async () => credentials
      // Fails now, with the provider's own words, rather than at the WebSocket upgrade.
      await current()
      const tls = new io.TlsContextOptions()
      tls.override_default_trust_store(options.endpoint.caPem)
      const builder = iot.AwsIotMqttConnectionConfigBuilder.new_with_websockets({
        region: options.region,
        tls_ctx_options: tls,
        // Replaced below by a transform that signs with the credentials of the moment.
        credentials_provider: auth.AwsCredentialsProvider.newStatic('unused', 'unused')
      })
      const config = withSharedSettings(builder, options.endpoint, options.clientId).build()
      let credentialsProblem: string | undefined
      config.websocket_handshake_transform = signedHandshake(options.region, async () => {
        try {
          const resolved = await current()
          credentialsProblem = undefined
          return resolved
        } catch (error) {
          credentialsProblem = `no usable AWS credentials: ${(error as Error).message}`
          throw error
        }
      })
      return { config, explain: async (operation) => (operation.action === 'connect' ? credentialsProblem : undefined) }
    }
  }
}

/** Signs the upgrade request as AWS IoT wants it: SigV4 in the query, the session token added after signing. */
function signedHandshake(region: string, credentials: () => Promise<OperatorCredentials>) {
  return (request: http.HttpRequest, done: (errorCode?: number) => void): void => {
    void (async () => {
      const { accessKeyId, secretAccessKey, sessionToken } = await credentials()
      await auth.aws_sign_request(request, {
        algorithm: auth.AwsSigningAlgorithm.SigV4,
        signature_type: auth.AwsSignatureType.HttpRequestViaQueryParams,
        provider: auth.AwsCredentialsProvider.newStatic(accessKeyId, secretAccessKey, sessionToken),
        region,
        service: 'iotdevicegateway',
        signed_body_value: auth.AwsSignedBodyValue.EmptySha256,
        omit_session_token: true
      })
    })().then(
      () => done(),
      (error: unknown) => done(typeof (error as { error_code?: unknown }).error_code === 'number' ? (error as { error_code: number }).error_code : 3)
    )
  }
}
