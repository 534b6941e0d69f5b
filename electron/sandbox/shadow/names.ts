import { constraintViolations, rules, type StringRule } from '../http/validate'
import { ShadowError, shadowErrors } from './errors'

// Which shadows exist as far as names go (research/iot-core.md §1.8, MODEL-DATA): a thing name of
// 1–128 of [a-zA-Z0-9:_-], and for a named shadow a name of 1–64 of [$a-zA-Z0-9:_-] (the model allows
// a leading `$` because AWS keeps reserved named shadows such as `$package`). The classic shadow is
// the one without a name.

/** A shadow's identity: `shadowName` absent for the classic shadow. */
export interface ShadowKey {
  thingName: string
  shadowName?: string
}

export const shadowNameRule: StringRule = { min: 1, max: 64, pattern: /^[$a-zA-Z0-9:_-]+$/ }
export const shadowThingNameRule: StringRule = rules.thingName

/** AWS's InvalidRequestException for a bad thing or shadow name, or undefined when both are valid. */
export function checkShadowKey(key: ShadowKey): ShadowError | undefined {
  const errors = constraintViolations(key.thingName, 'thingName', shadowThingNameRule)
  if (key.shadowName !== undefined) errors.push(...constraintViolations(key.shadowName, 'shadowName', shadowNameRule))
  if (errors.length === 0) return undefined
  const n = errors.length
  return shadowErrors.invalidName(`${n} validation error${n === 1 ? '' : 's'} detected: ${errors.join('; ')}`)
}

export function isValidShadowKey(key: ShadowKey): boolean {
  return checkShadowKey(key) === undefined
}

/** The name AWS puts in "No shadow exists with name: '…'": the shadow's own, or the thing's for the classic one. */
export function displayedShadowName(key: ShadowKey): string {
  return key.shadowName ?? key.thingName
}
