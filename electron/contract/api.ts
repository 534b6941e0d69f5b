import { z } from 'zod'
import { thingGroupNameSchema, thingNameSchema, thingTypeNameSchema, policyNameSchema, attributeNameSchema } from './awsRules'
import { endpointUrlSchema, regionSchema, type Connection } from './connection'
import {
  mqttActorSchema,
  mqttPublishArgsSchema,
  mqttQosSchema,
  mqttTopicFilterSchema,
  refusableActionSchema,
  type MqttConnectionState,
  type MqttIdentity,
  type MqttMessageView,
  type MqttSubscriptionView,
  type RefusalExplanation,
  type RetainedMessageView
} from './mqtt'
import {
  deltaAnsweringSchema,
  reportedPatchSchema,
  shadowKeyFields,
  shadowUpdateArgsSchema,
  shadowViaSchema,
  type DeviceChange,
  type DeviceView,
  type ShadowDeltaView,
  type ShadowDocumentView,
  type ShadowUpdateAcceptedView,
  type ShadowUpdateOutcome,
  type ShadowWatchChange,
  type WatchRef
} from './shadow'
import {
  serialOpenArgsSchema,
  serialPathSchema,
  serialRenameArgsSchema,
  serialSignalsArgsSchema,
  serialWriteArgsSchema,
  type SerialDataChunk,
  type SerialListView,
  type SerialPortState,
  type SerialPortView
} from './serial'
import { expressLinkOnboardingArgsSchema, type ExpressLinkOnboardingResult, type OnboardingProgress } from './onboarding'
import { writeToDeviceArgsSchema, type DeviceWriteProgress, type DeviceWriteResult } from './jsonLinesProvisioning'
import { benchAttachArgsSchema, benchIdSchema, type BenchEvent, type BenchView } from './bench'
import { provisionPlanSchema, type PlannedCall, type ProvisionPlan, type ProvisionProgress, type ProvisionResult, type ProvisionStep } from './provisioning'
import {
  absoluteFolderSchema,
  historyDiffArgsSchema,
  historyExportArgsSchema,
  historySettingsSchema,
  historyVersionArgsSchema,
  historyVersionsArgsSchema,
  type HistoryDiffView,
  type HistoryExportView,
  type HistorySettings,
  type HistoryVersionView
} from './history'

// Every method the UI may call and every event it may receive. A method is named `domain.action`,
// takes one argument object (validated with its zod schema where it is received) and resolves with
// the result type. Both transports (Electron IPC, the headless WebSocket) carry exactly this.

/** A result type carried at the type level only (results come from our own back end). */
const returns = <T>() => undefined as unknown as T
const method = <A extends z.ZodType, R>(args: A, result: R) => ({ args, result })
const none = z.object({}).strict()

// ---- shared shapes ---------------------------------------------------------------------------

export interface AppInfo {
  version: string
  runtime: 'electron' | 'browser'
  platform: string
  home: string
}

export interface ConnectionChoice {
  /** Stable id for the UI: "local", "profile:<name>", or "endpoint:<url>" for a saved endpoint. */
  id: string
  label: string
  connection: Connection
  region?: string
}

/** One check of `connections.test`, worded for a person; errorName is AWS's (or ThingBench's) on failure. */
export interface ConnectionCheckView {
  check: 'control-plane' | 'mqtt'
  ok: boolean
  /** e.g. "Control plane: DescribeEndpoint and ListThings answered in 42 ms". */
  detail: string
  errorName?: string
  ms: number
}

/** The Local IoT Core's endpoints and the credentials other tools (the AWS CLI, mosquitto) need, with example commands. */
export interface LocalCoreDetails {
  controlPlaneUrl: string
  dataPlaneUrl: string
  deviceDataPlaneUrl: string
  mqttHost: string
  mqttPort: number
  webSocketUrl: string
  region: string
  accessKeyId: string
  /** The sandbox's own loopback-only IAM secret (not an AWS one): the AWS CLI needs it to sign. */
  secretAccessKey: string
  caCertificatePath: string
  /** Lines to copy, the credentials first: `command` for POSIX shells (bash, zsh), `powershell` for Windows' PowerShell. */
  commands: Array<{ id: string; title: string; command: string; powershell: string }>
}

export interface PlanProblemView {
  /** Dotted path into the plan (e.g. "groups.1"), "" for the plan as a whole. */
  path: string
  message: string
}

/** What a plan will do: the exact AWS calls, in order, and what is reused instead of created. */
export interface PlanPreview {
  plan: ProvisionPlan
  calls: PlannedCall[]
  reused: string[]
}

export interface UndoActionView {
  action: string
  status: 'done' | 'failed' | 'skipped'
  detail?: string
}

export type ProvisionOutcome =
  | { outcome: 'provisioned'; result: ProvisionResult }
  | { outcome: 'refused'; problems: PlanProblemView[] }
  | {
      outcome: 'failed'
      runId: string
      step: ProvisionStep
      errorName: string
      message: string
      undo: { complete: boolean; actions: UndoActionView[]; leftBehind: string[] }
    }

export interface CertificateView {
  certificateId: string
  subject: string
  issuer: string
  notBefore: string
  notAfter: string
  fingerprintSha256: string
}

/** A certificate file as the back end read it: the certificate blocks only, never a private key. */
export interface CertificateFileView {
  /** The file as the person chose it (a path, or a file name in the browser). */
  source: string
  /** The file's certificate blocks only: what a plan carries and AWS receives. */
  certificatePem: string
  certificate: CertificateView
  /**
   * The file also held the certificate's own private key. The back end holds it (it never crosses
   * to the UI) until a plan for this certificate asks to keep it (`keepPrivateKey`).
   */
  holdsPrivateKey: boolean
}

export interface ThingSummary {
  thingName: string
  thingArn: string
  thingTypeName?: string
  attributes: Record<string, string>
  version?: number
}

export interface ThingDetails extends ThingSummary {
  principals: Array<{ certificateArn: string; certificateId: string; status?: string; keyInVault: boolean }>
  groups: string[]
}

/**
 * A thing's live connection (GetThingConnectivityData), for the connection whose client id is its
 * name: known where the account answers it (fleet indexing's connectivity mode on; the Local IoT
 * Core always), else why not.
 */
export type ThingConnectivity =
  | { known: true; connected: boolean; /** Epoch ms of the latest connect or disconnect; absent: never connected. */ since?: number; disconnectReason?: string }
  | { known: false; why: string }

export interface GroupSummary {
  groupName: string
  groupArn: string
  parentGroupName?: string
}

export interface GroupDetails extends GroupSummary {
  description?: string
  /** Things that are members of this group itself. */
  things: string[]
  /** Things in this group or any group below it (ListThingsInThingGroup with `recursive`). */
  thingsIncludingSubgroups: string[]
  policies: string[]
}

export interface PolicySummary {
  policyName: string
  policyArn: string
}

export interface PolicyDetails extends PolicySummary {
  defaultVersionId: string
  versions: Array<{ versionId: string; isDefaultVersion: boolean; createDate?: string }>
  targets: string[]
}

export interface CertificateSummary {
  certificateId: string
  certificateArn: string
  status: string
  creationDate?: string
}

export interface CertificateDetails extends CertificateSummary {
  certificatePem: string
  notBefore?: string
  notAfter?: string
  things: string[]
  policies: string[]
  keyInVault: boolean
}

export interface ThingTypeSummary {
  thingTypeName: string
  thingTypeArn: string
  description?: string
  searchableAttributes: string[]
  deprecated: boolean
  deprecationDate?: string
}

export interface DeprovisionView {
  calls: PlannedCall[]
  done: boolean
  notes: string[]
}

export interface ExportedBundle {
  folder: string
  files: string[]
}

export const certificateStatusSchema = z.enum(['ACTIVE', 'INACTIVE', 'REVOKED'])

// ---- methods ---------------------------------------------------------------------------------

const page = { nextToken: z.string().max(4096).optional(), maxResults: z.number().int().min(1).max(250).optional() }

export const apiMethods = {
  'app.info': method(none, returns<AppInfo>()),

  'connections.list': method(none, returns<{ active: ConnectionChoice; choices: ConnectionChoice[] }>()),
  /** Selects one of the choices `connections.list` offers, by id; a profile without a region takes one here. */
  'connections.select': method(z.object({ id: z.string().min(1).max(2200), region: regionSchema.optional() }).strict(), returns<ConnectionChoice>()),
  /**
   * Saves a custom endpoint (moto, LocalStack, a proxy) as a connection, once the person confirms its
   * URL in a dialog of the app itself. Where there is no such dialog (browser mode) it is refused
   * with the CLI command to use instead.
   */
  'connections.addEndpoint': method(
    z.object({ url: endpointUrlSchema, region: regionSchema, label: z.string().min(1).max(100).optional() }).strict(),
    returns<{ added: ConnectionChoice } | { cancelled: true }>()
  ),

  /** Local rules, then read-only AWS checks; lists the calls a run will make. Changes nothing. */
  'provisioning.preview': method(
    z.object({ plan: z.unknown() }).strict(),
    returns<{ ok: true; preview: PlanPreview } | { ok: false; problems: PlanProblemView[] }>()
  ),
  /** Runs a plan; progress arrives as `provisioning.progress` events with the same runId. */
  'provisioning.run': method(z.object({ plan: z.unknown(), runId: z.uuid().optional() }).strict(), returns<ProvisionOutcome>()),
  'provisioning.cancel': method(z.object({ runId: z.uuid() }).strict(), returns<{ cancelled: boolean }>()),
  /**
   * Writes the AWS console's bundle (certificate, private key if the vault holds it, public key, root
   * CA) into a new folder named after the thing inside `folder` (checked writable first, created if
   * missing); without `folder`, the native dialog asks (Electron) or <home>/exports takes it. Also
   * for a thing provisioned earlier: any certificate id of the thing (the registry's bundle button).
   */
  'provisioning.exportBundle': method(
    z.object({ certificateId: z.string().regex(/^[0-9a-f]{64}$/), thingName: thingNameSchema, folder: absoluteFolderSchema.optional() }).strict(),
    returns<ExportedBundle | { cancelled: true }>()
  ),
  /**
   * Writes a provisioned thing's identity (endpoint, certificate, its private key from the vault) to the
   * JSON-lines board on a port, then waits until the board says it connected; progress as provisioning.deviceWrite.
   */
  'provisioning.writeToDevice': method(writeToDeviceArgsSchema, returns<DeviceWriteResult>()),
  /** The native folder dialog where there is one (Electron): the folder bundles go into; else `{ unsupported: true }` and the UI asks for a path. */
  'files.chooseExportFolder': method(z.object({ current: absoluteFolderSchema.optional() }).strict(), returns<{ folder: string } | { cancelled: true } | { unsupported: true }>()),
  /** Where the active connection's devices reach MQTT (mutual TLS): the Local IoT Core's broker, or AWS's iot:Data-ATS endpoint. */
  'connections.deviceEndpoint': method(none, returns<{ host: string; port: number }>()),
  /** A listed connection's MQTT data endpoint (iot:Data-ATS, DescribeEndpoint), where devices connect with mutual TLS. */
  'connections.dataEndpoint': method(z.object({ id: z.string().min(1).max(2200) }).strict(), returns<{ host: string; port: number }>()),
  /** Checks a listed connection: the control plane (DescribeEndpoint, ListThings maxResults 1), then an operator MQTT connect (WebSocket + SigV4). */
  'connections.test': method(z.object({ id: z.string().min(1).max(2200) }).strict(), returns<{ checks: ConnectionCheckView[] }>()),
  /** The Local IoT Core's endpoints and credentials for the AWS CLI and mosquitto, with example commands (starts it if needed). */
  'connections.localCore': method(none, returns<LocalCoreDetails>()),

  'certificates.inspect': method(z.object({ pem: z.string().min(1).max(65536) }).strict(), returns<CertificateView>()),
  /** A native file dialog where there is one (Electron); else `{ unsupported: true }` and the UI uses a file input. */
  'files.pickCertificate': method(none, returns<CertificateFileView | { cancelled: true } | { unsupported: true }>()),
  /** What a file input read (browser mode): split like a picked file; a private key in it stays in the back end. */
  'files.readCertificate': method(z.object({ text: z.string().max(65536), fileName: z.string().min(1).max(255) }).strict(), returns<CertificateFileView>()),

  'policies.templates': method(none, returns<Array<{ template: string; title: string; document: string }>>()),
  'policies.checkDocument': method(z.object({ document: z.string().max(1_000_000) }).strict(), returns<{ problem: string | null }>()),
  'policies.list': method(z.object(page).strict(), returns<{ policies: PolicySummary[]; nextToken?: string }>()),
  'policies.describe': method(z.object({ policyName: policyNameSchema }).strict(), returns<PolicyDetails>()),
  'policies.version': method(
    z.object({ policyName: policyNameSchema, versionId: z.string().regex(/^[0-9]{1,10}$/) }).strict(),
    returns<{ versionId: string; document: string; isDefaultVersion: boolean }>()
  ),
  'policies.setDefaultVersion': method(z.object({ policyName: policyNameSchema, versionId: z.string().regex(/^[0-9]{1,10}$/) }).strict(), returns<PolicyDetails>()),
  /** CreatePolicy; the document is checked first with the grammar policies.checkDocument uses (MalformedPolicyException). */
  'policies.create': method(z.object({ policyName: policyNameSchema, document: z.string().min(1).max(65536) }).strict(), returns<PolicyDetails>()),
  /** CreatePolicyVersion. AWS keeps at most five versions: VersionsLimitExceededException names that. */
  'policies.createVersion': method(
    z.object({ policyName: policyNameSchema, document: z.string().min(1).max(65536), setAsDefault: z.boolean().default(false) }).strict(),
    returns<PolicyDetails>()
  ),
  /** DeletePolicyVersion (never the default version: AWS refuses with DeleteConflictException). */
  'policies.deleteVersion': method(z.object({ policyName: policyNameSchema, versionId: z.string().regex(/^[0-9]{1,10}$/) }).strict(), returns<PolicyDetails>()),
  /**
   * Why a device's connect, publish, subscribe or receive is refused: TestAuthorization decides (the
   * same call on AWS), GetEffectivePolicies gives the statements. `resource` is the topic, the filter
   * (subscribe) or the client id (connect; default clientId); clientId defaults to the thing name.
   */
  'policies.explainRefusal': method(
    z
      .object({
        thingName: thingNameSchema.optional(),
        certificateId: z.string().regex(/^[0-9a-f]{64}$/).optional(),
        clientId: z.string().min(1).max(128).optional(),
        action: refusableActionSchema,
        resource: z.string().min(1).max(256).optional()
      })
      .strict()
      .refine((args) => args.thingName !== undefined || args.certificateId !== undefined, 'give the thingName or the certificateId of the device')
      .refine((args) => args.action === 'connect' || args.resource !== undefined, 'give the resource: the topic (publish, receive) or the topic filter (subscribe)'),
    returns<RefusalExplanation>()
  ),

  'things.list': method(
    z
      .object({
        ...page,
        thingTypeName: thingTypeNameSchema.optional(),
        attributeName: attributeNameSchema.optional(),
        attributeValue: z.string().max(800).optional()
      })
      .strict(),
    returns<{ things: ThingSummary[]; nextToken?: string }>()
  ),
  'things.describe': method(z.object({ thingName: thingNameSchema }).strict(), returns<ThingDetails>()),
  /** Whether the thing is connected now; `known: false` when the account cannot say (no connectivity indexing). */
  'things.connectivity': method(z.object({ thingName: thingNameSchema }).strict(), returns<ThingConnectivity>()),
  /** AWS's merge: listed attributes are set, `null` removes one, others stay. */
  'things.updateAttributes': method(
    z.object({ thingName: thingNameSchema, attributes: z.record(z.string(), z.string().max(800).nullable()) }).strict(),
    returns<ThingDetails>()
  ),
  'things.deprovision': method(
    z.object({ thingName: thingNameSchema, deletePolicy: z.boolean().default(false), dryRun: z.boolean().default(false) }).strict(),
    returns<DeprovisionView>()
  ),

  'groups.list': method(none, returns<GroupSummary[]>()),
  'groups.describe': method(z.object({ groupName: thingGroupNameSchema }).strict(), returns<GroupDetails>()),
  'groups.create': method(
    z.object({ groupName: thingGroupNameSchema, parentGroupName: thingGroupNameSchema.optional(), description: z.string().max(2028).optional() }).strict(),
    returns<GroupSummary>()
  ),
  /** DeleteThingGroup; AWS refuses a group that still has child groups (InvalidRequestException). */
  'groups.delete': method(z.object({ groupName: thingGroupNameSchema }).strict(), returns<{ deleted: true }>()),
  'groups.addThing': method(z.object({ groupName: thingGroupNameSchema, thingName: thingNameSchema }).strict(), returns<GroupDetails>()),
  'groups.removeThing': method(z.object({ groupName: thingGroupNameSchema, thingName: thingNameSchema }).strict(), returns<GroupDetails>()),
  /** AttachPolicy to the group's ARN: every thing in it (and in groups below it) gets the policy. */
  'groups.attachPolicy': method(z.object({ groupName: thingGroupNameSchema, policyName: policyNameSchema }).strict(), returns<GroupDetails>()),
  'groups.detachPolicy': method(z.object({ groupName: thingGroupNameSchema, policyName: policyNameSchema }).strict(), returns<GroupDetails>()),

  /** The things each certificate is attached to (ListPrincipalThings), keyed by certificate ARN; at most 50 a call. */
  'certificates.things': method(
    z.object({ certificateArns: z.array(z.string().regex(/^arn:[a-z-]+:iot:[a-z0-9-]+:[0-9]{12}:cert\/[0-9a-f]{64}$/)).min(1).max(50) }).strict(),
    returns<Record<string, string[]>>()
  ),
  'certificates.list': method(z.object(page).strict(), returns<{ certificates: CertificateSummary[]; nextToken?: string }>()),
  'certificates.describe': method(z.object({ certificateId: z.string().regex(/^[0-9a-f]{64}$/) }).strict(), returns<CertificateDetails>()),
  'certificates.setStatus': method(
    z.object({ certificateId: z.string().regex(/^[0-9a-f]{64}$/), status: certificateStatusSchema }).strict(),
    returns<CertificateDetails>()
  ),

  'thingTypes.list': method(none, returns<ThingTypeSummary[]>()),
  'thingTypes.create': method(
    z
      .object({
        thingTypeName: thingTypeNameSchema,
        description: z.string().max(2028).optional(),
        searchableAttributes: z.array(attributeNameSchema).max(3).default([])
      })
      .strict(),
    returns<ThingTypeSummary>()
  ),
  'thingTypes.deprecate': method(z.object({ thingTypeName: thingTypeNameSchema, undo: z.boolean().default(false) }).strict(), returns<ThingTypeSummary>()),
  /**
   * DeleteThingType when AWS allows it: deprecated at least 5 minutes ago. Otherwise nothing is
   * called and the answer says why and from when it can be deleted.
   */
  'thingTypes.delete': method(
    z.object({ thingTypeName: thingTypeNameSchema }).strict(),
    returns<{ deleted: true } | { deleted: false; reason: 'not-deprecated' | 'too-soon'; deletableFrom?: string }>()
  ),

  // Device Shadows of the chosen connection: over HTTP (the data plane) or MQTT (an operator connection).
  /** Merges desired and/or reported into the shadow (null deletes a key or a section); a version conflict answers with both sides. */
  'shadow.update': method(shadowUpdateArgsSchema, returns<ShadowUpdateOutcome>()),
  /** The shadow with its delta; ResourceNotFoundException when it does not exist. */
  'shadow.get': method(z.object({ ...shadowKeyFields, via: shadowViaSchema.default('http') }).strict(), returns<ShadowDocumentView>()),
  /** One page of the thing's named shadows (the classic shadow is never listed), as ListNamedShadowsForThing. */
  'shadow.list': method(
    z.object({ thingName: shadowKeyFields.thingName, nextToken: z.string().max(4096).optional(), maxResults: z.number().int().min(1).max(100).optional() }).strict(),
    returns<{ shadowNames: string[]; nextToken?: string }>()
  ),
  /**
   * Watches a shadow over the operator's MQTT connection (shared by every watch): answers with the
   * shadow as it is (null when it does not exist yet); later documents, deltas and state changes
   * arrive as shadow.* events with the watchId. Pass your own watchId to hear events that may
   * overtake the answer.
   */
  'shadow.watch': method(z.object({ ...shadowKeyFields, watchId: z.uuid().optional() }).strict(), returns<WatchRef & { document: ShadowDocumentView | null }>()),
  'shadow.unwatch': method(z.object({ watchId: z.uuid() }).strict(), returns<{ stopped: true }>()),
  /** Deletes the shadow; its version is kept, so a re-created shadow continues after it. */
  'shadow.delete': method(z.object({ ...shadowKeyFields, via: shadowViaSchema.default('http') }).strict(), returns<{ version: number }>()),

  /** "Act as the device": connects as the thing (mutual TLS, its vault key), reports initialReported, answers deltas. Events: device.event. */
  'device.start': method(
    z.object({ ...shadowKeyFields, initialReported: reportedPatchSchema.optional(), answering: deltaAnsweringSchema.default({ mode: 'auto', delayMs: 0 }) }).strict(),
    returns<DeviceView>()
  ),
  'device.list': method(none, returns<DeviceView[]>()),
  /** Answers the pending delta now (reports it); `accepted: null` when no delta was waiting. */
  'device.acknowledge': method(z.object({ deviceId: z.uuid() }).strict(), returns<{ accepted: ShadowUpdateAcceptedView | null }>()),
  /** Reports a patch (merged into reported; null deletes a key), whatever the delta says. */
  'device.report': method(z.object({ deviceId: z.uuid(), reported: reportedPatchSchema }).strict(), returns<{ accepted: ShadowUpdateAcceptedView }>()),
  'device.stop': method(z.object({ deviceId: z.uuid() }).strict(), returns<{ stopped: true }>()),

  /** Subscribes as the operator or as a thing; messages arrive as mqtt.message events with the subscriptionId. */
  'mqtt.subscribe': method(z.object({ filter: mqttTopicFilterSchema, qos: mqttQosSchema.default(0), as: mqttActorSchema }).strict(), returns<MqttSubscriptionView>()),
  /** Publishes as the operator or as a thing; a refusal (on AWS: the policy, which also closes the connection) says why. */
  'mqtt.publish': method(mqttPublishArgsSchema, returns<{ published: true }>()),
  'mqtt.unsubscribe': method(z.object({ subscriptionId: z.uuid() }).strict(), returns<{ unsubscribed: true }>()),
  /** The retained messages of the chosen connection (ListRetainedMessages, then GetRetainedMessage for each payload), one page. */
  'mqtt.listRetained': method(
    z.object({ nextToken: z.string().max(4096).optional(), maxResults: z.number().int().min(1).max(200).optional() }).strict(),
    returns<{ messages: RetainedMessageView[]; nextToken?: string }>()
  ),

  // The state history: every version a watch saw, kept on this machine under the chosen connection.
  /** One page of a shadow's versions in a time range, oldest version first. */
  'history.versions': method(historyVersionsArgsSchema, returns<{ versions: HistoryVersionView[]; nextToken?: string }>()),
  /** The document as it was at one version; ResourceNotFoundException when the history does not hold it. */
  'history.version': method(historyVersionArgsSchema, returns<HistoryVersionView & { document: NonNullable<HistoryVersionView['document']> }>()),
  /** What changed in state from one version to another (either order). */
  'history.diff': method(historyDiffArgsSchema, returns<HistoryDiffView>()),
  /** Writes a time range to a file (CSV: a column per leaf of desired and reported; or JSON lines), by the back end. */
  'history.export': method(historyExportArgsSchema, returns<HistoryExportView>()),
  'history.settings': method(none, returns<HistorySettings>()),
  /** Saves the limits given (the others stay) and prunes to them at once. */
  'history.setSettings': method(historySettingsSchema.partial().strict(), returns<HistorySettings>()),
  /** The ports plugged in and watched, with their friendly names and holders; starts hot-plug discovery (serial.portsChanged). */
  'serial.list': method(none, returns<SerialListView>()),
  /** Adds a path the OS list cannot show (a pty, a socat link); it is present while the path exists. Remembered in the home. */
  'serial.watchPath': method(z.object({ path: serialPathSchema }).strict(), returns<SerialPortView>()),
  'serial.unwatchPath': method(z.object({ path: serialPathSchema }).strict(), returns<{ unwatched: true }>()),
  /** Names a port; the name follows the board by serial number (else by path). An empty name forgets it. */
  'serial.rename': method(serialRenameArgsSchema, returns<SerialPortView>()),
  /** Opens the port for the UI's serial monitor; received bytes arrive as serial.data, state changes as serial.portState. */
  'serial.open': method(serialOpenArgsSchema, returns<SerialPortView>()),
  'serial.close': method(z.object({ path: serialPathSchema }).strict(), returns<{ closed: true }>()),
  /** Sends text (with the line ending chosen) or hex bytes to a port the UI opened. */
  'serial.write': method(serialWriteArgsSchema, returns<{ bytesWritten: number }>()),
  /** Sets DTR/RTS on a port the UI opened; applied: false (with why) on a port without modem lines, such as a pty. */
  'serial.setSignals': method(serialSignalsArgsSchema, returns<{ applied: boolean; message?: string; dtr?: boolean; rts?: boolean }>()),

  /** Onboards the ExpressLink module on a port in one flow (register its certificate, thing, policy, connect, shadow); undone on failure. */
  'onboarding.expressLink': method(expressLinkOnboardingArgsSchema, returns<ExpressLinkOnboardingResult>()),

  /** Attaches a serial board to a thing's shadow (the port held as "bench: <thing>"); bench.event tells what it relays. */
  'bench.attach': method(benchAttachArgsSchema, returns<BenchView>()),
  /** Detaches the bench and releases its port. */
  'bench.detach': method(z.object({ benchId: benchIdSchema }).strict(), returns<{ detached: true }>()),
  /** The benches attached now, with their state and latency. */
  'bench.list': method(none, returns<BenchView[]>())
} as const

// ---- events ----------------------------------------------------------------------------------

export interface ApiEvents {
  'provisioning.progress': ProvisionProgress
  /** Each step of provisioning.writeToDevice: the board's hello, each item, the commit, its connection. Never a key. */
  'provisioning.deviceWrite': DeviceWriteProgress
  'connections.changed': ConnectionChoice
  /** A newer version of a watched shadow: from update/documents with `previous` and the update's clientToken (who changed it), or from a get. */
  'shadow.document': WatchRef & { source: 'get' | 'documents'; document: ShadowDocumentView; previous?: ShadowDocumentView | null; clientToken?: string }
  'shadow.delta': WatchRef & { delta: ShadowDeltaView }
  /** The watch's connection, missed versions, a deleted shadow, errors, and its end; `message` in plain words. */
  'shadow.watchState': WatchRef & { change: ShadowWatchChange; message: string }
  /** What a simulated device received and did; `message` in plain words. */
  'device.event': { deviceId: string; thingName: string; shadowName?: string; change: DeviceChange; message: string }
  'mqtt.message': MqttMessageView
  /** A connection the back end holds (operator or thing) changed state. */
  'mqtt.connectionState': { identity: MqttIdentity; state: MqttConnectionState; message: string }
  /** A subscription ended without mqtt.unsubscribe (its connection closed or changed, the back end is closing). */
  'mqtt.subscriptionEnded': { subscriptionId: string; because: 'connectionChanged' | 'connectionClosed' | 'closing'; message: string }
  /** A port was plugged in or out, watched, renamed, opened or closed: the whole list, and what came and went. */
  'serial.portsChanged': SerialListView & { added: string[]; removed: string[] }
  /** Bytes an open port received (whoever holds it), batched every few tens of ms. */
  'serial.data': { path: string; chunks: SerialDataChunk[] }
  /** An open port vanished (unplugged, reset), was reopened, or closed; `reason` in plain words. */
  'serial.portState': { path: string; state: SerialPortState; reason: string }
  /** Each step of onboarding.expressLink as it runs, and each undo of a failed one. */
  'onboarding.progress': OnboardingProgress
  /** What an attached bench relayed or noticed (state, delta, reported, latency, error, detached), with the bench as it is now. */
  'bench.event': BenchEvent
}
// The names alone live in names.ts, which the preload bundles without zod.
export { eventNames as apiEventNames } from './names'

// ---- types derived from the tables ----------------------------------------------------------------

export type ApiMethods = typeof apiMethods
export type MethodName = keyof ApiMethods
export type EventName = keyof ApiEvents
export type MethodArgs<M extends MethodName> = z.input<ApiMethods[M]['args']>
/** The arguments as a handler receives them: validated, defaults applied. */
export type ParsedArgs<M extends MethodName> = z.output<ApiMethods[M]['args']>
export type MethodResult<M extends MethodName> = ApiMethods[M]['result']

/** The plan argument of provisioning.* is validated by validatePlan (to report every problem by path). */
export type PlanArgument = z.input<typeof provisionPlanSchema>
