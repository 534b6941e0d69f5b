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

/** One PowerShell word: left bare when safe, else single-quoted (where PowerShell expands nothing; ' doubles). */
export function powershellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "''")}'`
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
  // PowerShell (Windows' terminal) sets variables with $env: and quotes differently; the commands
  // themselves are the same words, so only the quoting and the glue between commands differ.
  const credentials = {
    posix: [
      `export AWS_ACCESS_KEY_ID=${shellWord(core.accessKeyId)}`,
      `export AWS_SECRET_ACCESS_KEY=${shellWord(core.secretAccessKey)}`,
      // The v1 CLI reads only AWS_DEFAULT_REGION; v2 and the SDKs read AWS_REGION first.
      `export AWS_REGION=${shellWord(core.region)} AWS_DEFAULT_REGION=${shellWord(core.region)}`
    ].join('\n'),
    powershell: [
      `$env:AWS_ACCESS_KEY_ID = '${core.accessKeyId.replaceAll("'", "''")}'`,
      `$env:AWS_SECRET_ACCESS_KEY = '${core.secretAccessKey.replaceAll("'", "''")}'`,
      `$env:AWS_REGION = '${core.region}'; $env:AWS_DEFAULT_REGION = '${core.region}'`
    ].join('\n')
  }
  const thing = 'THING_NAME'
  const mosquittoSub = (word: (text: string) => string): string =>
    [
      'mosquitto_sub',
      `-h ${word(core.mqttHost)} -p ${core.mqttPort} -V mqttv311`,
      `--cafile ${word(core.caCertificatePath)}`,
      '--cert CERTIFICATE.pem.crt --key PRIVATE.pem.key',
      `-i ${thing} -t ${word(`$aws/things/${thing}/shadow/update/documents`)}`
    ].join(' ')
  const getThingShadow = (word: (text: string) => string): string =>
    `aws iot-data get-thing-shadow --thing-name ${thing} --endpoint-url ${word(core.dataPlaneUrl)} shadow.json`
  return {
    ...localCoreEndpoints(core),
    commands: [
      { id: 'credentials', title: 'Credentials for the AWS CLI (run first, in the same shell)', command: credentials.posix, powershell: credentials.powershell },
      {
        id: 'list-things',
        title: 'List things (control plane)',
        command: `aws iot list-things --endpoint-url ${shellWord(core.controlPlaneUrl)}`,
        powershell: `aws iot list-things --endpoint-url ${powershellWord(core.controlPlaneUrl)}`
      },
      {
        id: 'get-thing-shadow',
        title: 'Read a thing’s shadow (data plane; the document goes to shadow.json)',
        command: `${getThingShadow(shellWord)} && cat shadow.json`,
        powershell: `${getThingShadow(powershellWord)}; Get-Content shadow.json`
      },
      {
        id: 'mosquitto-sub',
        title: 'Watch a thing’s shadow as the device (mutual TLS; the certificate and key from its exported bundle)',
        command: mosquittoSub(shellWord),
        powershell: mosquittoSub(powershellWord)
      }
    ]
  }
}
