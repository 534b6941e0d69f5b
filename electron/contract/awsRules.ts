import { z } from 'zod'

// AWS IoT's input rules (research/iot-core.md §4.1), checked by the app before it makes any call,
// and as the user types. Messages say what is wrong and what is allowed.

const named = (what: string, max: number, pattern: RegExp, allowed: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .max(max, `${what} must be at most ${max} characters`)
    .regex(pattern, `${what} may contain only ${allowed}`)

export const thingNameSchema = named('Thing name', 128, /^[a-zA-Z0-9:_-]+$/, 'letters, digits, ":", "_" and "-"')
export const thingTypeNameSchema = named('Thing type name', 128, /^[a-zA-Z0-9:_-]+$/, 'letters, digits, ":", "_" and "-"')
export const thingGroupNameSchema = named('Thing group name', 128, /^[a-zA-Z0-9:_-]+$/, 'letters, digits, ":", "_" and "-"')
export const policyNameSchema = named('Policy name', 128, /^[\w+=,.@-]+$/, 'letters, digits and "_+=,.@-"')
export const attributeNameSchema = named('Attribute name', 128, /^[a-zA-Z0-9_.,@/:#-]+$/, 'letters, digits and "_.,@/:#-"')
/**
 * A named shadow's name (the data plane's rule): on MQTT it becomes a topic level, so `/`, `+` and `#`
 * are refused; a leading `$` is allowed because AWS keeps reserved names such as `$package`.
 */
export const shadowNameSchema = z
  .string()
  .min(1, 'Shadow name is required (leave it out for the classic shadow)')
  .max(64, 'Shadow name must be at most 64 characters')
  .regex(/^[$a-zA-Z0-9:_-]+$/, 'Shadow name may contain only letters, digits, "$", ":", "_" and "-"')
export const attributeValueSchema = z
  .string()
  .max(800, 'Attribute value must be at most 800 characters')
  .regex(/^[a-zA-Z0-9_.,@/:#=[\]-]*$/, 'Attribute value may contain only letters, digits and "_.,@/:#=[]-"')

/** A thing may carry 3 attributes without a thing type and 50 with one. */
export const maxAttributes = (hasThingType: boolean): number => (hasThingType ? 50 : 3)
/** A thing may belong to at most 10 thing groups. */
export const maxGroupsPerThing = 10
/** A policy document is at most 2048 characters, not counting white space. */
export const maxPolicyDocumentChars = 2048

/** The first problem with a value, or null when it is valid: for inline form validation. */
export function firstProblem(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value)
  return result.success ? null : (result.error.issues[0]?.message ?? 'Invalid value')
}
