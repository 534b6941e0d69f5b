import { attributeNameSchema, attributeValueSchema, firstProblem, maxAttributes } from '@contract/awsRules'

// The attribute editor works on rows (name, value); AWS takes a merge: the attributes to set, and
// `null` for each one to remove. These turn one into the other and check AWS's rules per row.

export interface AttributeRow {
  name: string
  value: string
}

export function rowsOf(attributes: Record<string, string>): AttributeRow[] {
  return Object.entries(attributes).map(([name, value]) => ({ name, value }))
}

/** What to send to things.updateAttributes: changed or new rows, and `null` for each removed name. */
export function attributeChanges(original: Record<string, string>, rows: readonly AttributeRow[]): Record<string, string | null> {
  const changes: Record<string, string | null> = {}
  const kept = new Set<string>()
  for (const { name, value } of rows) {
    const key = name.trim()
    if (!key) continue
    kept.add(key)
    if (original[key] !== value) changes[key] = value
  }
  for (const name of Object.keys(original)) if (!kept.has(name)) changes[name] = null
  return changes
}

export interface AttributeProblems {
  /** Per row: the problem with its name and with its value, or null. */
  rows: Array<{ name: string | null; value: string | null }>
  /** A problem with the set as a whole (too many, duplicates), or null. */
  overall: string | null
}

export function attributeProblems(rows: readonly AttributeRow[], hasThingType: boolean): AttributeProblems {
  const seen = new Set<string>()
  let duplicate: string | null = null
  const perRow = rows.map(({ name, value }) => {
    const key = name.trim()
    if (key && seen.has(key)) duplicate = key
    seen.add(key)
    return { name: firstProblem(attributeNameSchema, key), value: firstProblem(attributeValueSchema, value) }
  })
  const limit = maxAttributes(hasThingType)
  let overall: string | null = null
  if (duplicate) overall = `Attribute "${duplicate}" appears twice`
  else if (rows.length > limit)
    overall = hasThingType ? `A thing may have at most ${limit} attributes` : `A thing without a thing type may have at most ${limit} attributes`
  return { rows: perRow, overall }
}

export function hasProblems(problems: AttributeProblems): boolean {
  return !!problems.overall || problems.rows.some((r) => r.name || r.value)
}
