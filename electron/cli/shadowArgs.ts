import { firstProblem, thingNameSchema } from '../contract'
import { shadowNameSchema, type ShadowKey } from '../core/shadow'
import { UsageError } from './errors'

/** --thing and --name as a shadow key, checked before anything connects (on MQTT a name becomes a topic level). */
export function shadowKeyFromFlags(command: string, flags: { thing?: string; name?: string }): ShadowKey {
  if (flags.thing === undefined) throw new UsageError(`${command} needs --thing NAME`)
  const problem = firstProblem(thingNameSchema, flags.thing) ?? (flags.name === undefined ? null : firstProblem(shadowNameSchema, flags.name))
  if (problem !== null) throw new UsageError(`${problem} (InvalidRequestException); nothing was sent`)
  return flags.name === undefined ? { thingName: flags.thing } : { thingName: flags.thing, shadowName: flags.name }
}

