import { z } from 'zod'
import { firstProblem, thingNameSchema } from '../../contract/awsRules'
import type { ShadowKey } from './document'
import { ShadowError, type ShadowVia } from './errors'

// A shadow's names, checked before anything is sent: on MQTT they become topic levels, so a `/`,
// `+` or `#` in one would address other topics. The rules are the data plane's (MODEL-DATA): the
// model allows a leading `$` in a shadow name because AWS keeps reserved ones such as `$package`.

export const shadowNameSchema = z
  .string()
  .min(1, 'Shadow name is required (leave it out for the classic shadow)')
  .max(64, 'Shadow name must be at most 64 characters')
  .regex(/^[$a-zA-Z0-9:_-]+$/, 'Shadow name may contain only letters, digits, "$", ":", "_" and "-"')

/** Throws AWS's InvalidRequestException, naming the problem, when a name is not one AWS accepts. */
export function checkShadowKey(key: ShadowKey, via: ShadowVia): void {
  const problem = firstProblem(thingNameSchema, key.thingName) ?? (key.shadowName === undefined ? null : firstProblem(shadowNameSchema, key.shadowName))
  if (problem !== null) throw new ShadowError('InvalidRequestException', `${problem}. Nothing was sent.`, via)
}
