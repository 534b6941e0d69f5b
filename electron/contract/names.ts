import type { EventName, MethodName } from './api'

// The contract's method and event names alone, for the sandboxed preload: it refuses an unknown
// name before IPC without bundling zod and the schemas (the type import is erased at build).
// Main checks every call again against the full table. Adding a method to api.ts without adding
// its name here is a type error below, naming the method.

export const methodNames = [
  'app.info',
  'connections.list',
  'connections.select',
  'connections.addEndpoint',
  'provisioning.preview',
  'provisioning.run',
  'provisioning.cancel',
  'provisioning.exportBundle',
  'provisioning.writeToDevice',
  'files.chooseExportFolder',
  'connections.deviceEndpoint',
  'connections.dataEndpoint',
  'connections.test',
  'connections.localCore',
  'certificates.inspect',
  'files.pickCertificate',
  'files.readCertificate',
  'policies.templates',
  'policies.checkDocument',
  'policies.list',
  'policies.describe',
  'policies.version',
  'policies.setDefaultVersion',
  'policies.create',
  'policies.createVersion',
  'policies.deleteVersion',
  'policies.explainRefusal',
  'things.list',
  'things.describe',
  'things.connectivity',
  'things.updateAttributes',
  'things.deprovision',
  'groups.list',
  'groups.describe',
  'groups.create',
  'groups.delete',
  'groups.addThing',
  'groups.removeThing',
  'groups.attachPolicy',
  'groups.detachPolicy',
  'certificates.things',
  'certificates.list',
  'certificates.describe',
  'certificates.setStatus',
  'thingTypes.list',
  'thingTypes.create',
  'thingTypes.deprecate',
  'thingTypes.delete',
  'shadow.update',
  'shadow.get',
  'shadow.list',
  'shadow.watch',
  'shadow.unwatch',
  'shadow.delete',
  'device.start',
  'device.list',
  'device.acknowledge',
  'device.report',
  'device.stop',
  'mqtt.subscribe',
  'mqtt.publish',
  'mqtt.unsubscribe',
  'mqtt.listRetained',
  'history.versions',
  'history.version',
  'history.diff',
  'history.export',
  'history.settings',
  'history.setSettings',
  'serial.list',
  'serial.watchPath',
  'serial.unwatchPath',
  'serial.rename',
  'serial.open',
  'serial.close',
  'serial.write',
  'serial.setSignals',
  'onboarding.expressLink',
  'bench.attach',
  'bench.detach',
  'bench.list'
] as const satisfies readonly MethodName[]

export const eventNames = [
  'provisioning.progress',
  'provisioning.deviceWrite',
  'connections.changed',
  'shadow.document',
  'shadow.delta',
  'shadow.watchState',
  'device.event',
  'mqtt.message',
  'mqtt.connectionState',
  'mqtt.subscriptionEnded',
  'serial.portsChanged',
  'serial.data',
  'serial.portState',
  'onboarding.progress',
  'bench.event'
] as const satisfies readonly EventName[]

type Unlisted<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : { missingFromNamesTs: Exclude<All, Listed> }
export const everyMethodListed: Unlisted<MethodName, (typeof methodNames)[number]> = true
export const everyEventListed: Unlisted<EventName, (typeof eventNames)[number]> = true

const methodSet: ReadonlySet<string> = new Set(methodNames)
const eventSet: ReadonlySet<string> = new Set(eventNames)

export const isListedMethod = (name: unknown): name is MethodName => typeof name === 'string' && methodSet.has(name)
export const isListedEvent = (name: unknown): name is EventName => typeof name === 'string' && eventSet.has(name)
