import { firstProblem, shadowNameSchema, thingNameSchema } from '../../contract/awsRules'
import type { ShadowKey } from './document'
import { ShadowError, type ShadowVia } from './errors'

// A shadow's names, checked before anything is sent: on MQTT they become topic levels, so a `/`,
// `+` or `#` in one would address other topics. The rules are the contract's (awsRules.ts), which
// the UI checks as the user types.

/** What is wrong with the key's names, or null when AWS accepts both. */
export function shadowKeyProblem(key: ShadowKey): string | null {
  return firstProblem(thingNameSchema, key.thingName) ?? (key.shadowName === undefined ? null : firstProblem(shadowNameSchema, key.shadowName))
}

/** Throws AWS's InvalidRequestException, naming the problem, when a name is not one AWS accepts. */
export function checkShadowKey(key: ShadowKey, via: ShadowVia): void {
  const problem = shadowKeyProblem(key)
  if (problem !== null) throw new ShadowError('InvalidRequestException', `${problem}. Nothing was sent.`, via)
}
