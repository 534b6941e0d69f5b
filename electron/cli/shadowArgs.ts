import { shadowKeyProblem, type ShadowKey } from '../core/shadow'
import { UsageError } from './errors'

/** The parseArgs options shadowKeyFromFlags reads. */
export const shadowKeyOptions = {
  thing: { type: 'string' },
  name: { type: 'string' }
} as const

/** --thing and --name as a shadow key, checked before anything connects (on MQTT a name becomes a topic level). */
export function shadowKeyFromFlags(command: string, flags: { thing?: string; name?: string }): ShadowKey {
  if (flags.thing === undefined) throw new UsageError(`${command} needs --thing NAME`)
  const key = flags.name === undefined ? { thingName: flags.thing } : { thingName: flags.thing, shadowName: flags.name }
  const problem = shadowKeyProblem(key)
  if (problem !== null) throw new UsageError(`${problem} (InvalidRequestException); nothing was sent`)
  return key
}

