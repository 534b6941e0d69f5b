import type { LocalCoreDetails } from '../contract'
import type { LocalIotCoreInfo } from '../sandbox'

// What Connections shows for the Local IoT Core so other tools can be pointed at it: its endpoints,
// the credentials it checks SigV4 against (sandbox/http/requestAuthorizer.ts: its own IAM key pair
// and region, signed for iot or execute-api on the control plane, iotdata on the data plane), and
// command lines to copy. test/integration/api/localCoreCommands.test.ts runs them with the AWS CLIs.

/** One POSIX-shell word: left bare when safe, else single-quoted (paths may hold spaces, topics a $). */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}

/** What another tool needs to reach the Local IoT Core: printed by `thingbench sandbox`, shown in Connections. */
export function localCoreEndpoints(core: LocalIotCoreInfo): Omit<LocalCoreDetails, 'commands'> {
  return {
    controlPlaneUrl: core.controlPlaneUrl,
    dataPlaneUrl: core.dataPlaneUrl,
    deviceDataPlaneUrl: core.deviceDataPlaneUrl,
    mqttHost: core.mqttHost,
    mqttPort: core.mqttPort,
    webSocketUrl: core.webSocketUrl,
    region: core.region,
    accessKeyId: core.accessKeyId,
    secretAccessKey: core.secretAccessKey,
    caCertificatePath: core.caCertificatePath
  }
}

export function localCoreDetails(core: LocalIotCoreInfo): LocalCoreDetails {
  const credentials = [
    `export AWS_ACCESS_KEY_ID=${shellWord(core.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${shellWord(core.secretAccessKey)}`,
    // The v1 CLI reads only AWS_DEFAULT_REGION; v2 and the SDKs read AWS_REGION first.
    `export AWS_REGION=${shellWord(core.region)} AWS_DEFAULT_REGION=${shellWord(core.region)}`
  ].join('\n')
  const thing = 'THING_NAME'
  return {
    ...localCoreEndpoints(core),
    commands: [
      { id: 'credentials', title: 'Credentials for the AWS CLI (run first, in the same shell)', command: credentials },
      { id: 'list-things', title: 'List things (control plane)', command: `aws iot list-things --endpoint-url ${shellWord(core.controlPlaneUrl)}` },
      {
        id: 'get-thing-shadow',
        title: 'Read a thing’s shadow (data plane; the document goes to shadow.json)',
        command: `aws iot-data get-thing-shadow --thing-name ${thing} --endpoint-url ${shellWord(core.dataPlaneUrl)} shadow.json && cat shadow.json`
      },
      {
        id: 'mosquitto-sub',
        title: 'Watch a thing’s shadow as the device (mutual TLS; the certificate and key from its exported bundle)',
        command: [
          'mosquitto_sub',
          `-h ${shellWord(core.mqttHost)} -p ${core.mqttPort} -V mqttv311`,
          `--cafile ${shellWord(core.caCertificatePath)}`,
          '--cert CERTIFICATE.pem.crt --key PRIVATE.pem.key',
          `-i ${thing} -t ${shellWord(`$aws/things/${thing}/shadow/update/documents`)}`
        ].join(' ')
      }
    ]
  }
}
