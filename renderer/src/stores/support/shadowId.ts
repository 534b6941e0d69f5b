import type { ShadowKeyView } from '@contract/shadow'

/** One shadow's id, for tabs and benches: the thing, and the shadow's name for a named one (neither name can hold a "/"). */
export function shadowIdOf({ thingName, shadowName }: ShadowKeyView): string {
  return shadowName === undefined ? thingName : `${thingName}/${shadowName}`
}
