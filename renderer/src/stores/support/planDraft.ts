import {
  attributeNameSchema,
  attributeValueSchema,
  firstProblem,
  maxAttributes,
  maxGroupsPerThing,
  policyNameSchema,
  thingNameSchema
} from '@contract/awsRules'
import type { KeyAlgorithm, PolicyTemplate, ProvisionPlanInput } from '@contract/provisioning'

// The wizard's draft of a provisioning plan, AWS's rules applied to it field by field (as the
// user types), and the plan it becomes. Pure: the store holds the state, this says what it means.

export type IdentityMode = 'csr' | 'aws' | 'existing'
export type PolicyMode = 'template' | 'existing' | 'document'

export interface AttributeRow {
  /** Stable key for the list while rows are added and removed. */
  id: number
  name: string
  value: string
}

export interface PlanDraft {
  thingName: string
  thingTypeName: string | null
  attributes: AttributeRow[]
  identity: {
    mode: IdentityMode
    keyAlgorithm: KeyAlgorithm
    /** The certificate blocks of the chosen file, as the back end read them (never a private key). */
    certificatePem: string
    certificateSource: string
    /** The file also held the certificate's private key (the back end holds it); keep it in the vault? */
    holdsPrivateKey: boolean
    keepPrivateKey: boolean
  }
  policy: {
    mode: PolicyMode
    template: PolicyTemplate
    /** Optional for a template: the back end names it after the template when empty. */
    templatePolicyName: string
    existingPolicyName: string | null
    documentPolicyName: string
    document: string
  }
  groups: string[]
  /** The user chose to give an existing thing of this name one more certificate. */
  addCertificateToExistingThing: boolean
}

export const starterPolicyDocument = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iot:Connect",
      "Resource": "arn:aws:iot:*:*:client/\${iot:Connection.Thing.ThingName}"
    }
  ]
}
`

export function emptyDraft(): PlanDraft {
  return {
    thingName: '',
    thingTypeName: null,
    attributes: [],
    identity: { mode: 'csr', keyAlgorithm: 'ec', certificatePem: '', certificateSource: '', holdsPrivateKey: false, keepPrivateKey: false },
    policy: {
      mode: 'template',
      template: 'shadow',
      templatePolicyName: '',
      existingPolicyName: null,
      documentPolicyName: '',
      document: starterPolicyDocument
    },
    groups: [],
    addCertificateToExistingThing: false
  }
}

export interface AttributeProblems {
  /** Per row, by row id: the first problem with its name and with its value. */
  rows: Record<number, { name: string | null; value: string | null }>
  /** A problem with the attributes as a whole (too many). */
  overall: string | null
}

/** A row left entirely blank is ignored, as if it were not there. */
const isBlank = (row: AttributeRow) => row.name === '' && row.value === ''

export function attributeProblems(draft: PlanDraft): AttributeProblems {
  const rows: AttributeProblems['rows'] = {}
  const seen = new Set<string>()
  let counted = 0
  for (const row of draft.attributes) {
    if (isBlank(row)) {
      rows[row.id] = { name: null, value: null }
      continue
    }
    counted++
    let name = firstProblem(attributeNameSchema, row.name)
    if (!name && seen.has(row.name)) name = `Attribute ${row.name} is listed twice`
    seen.add(row.name)
    rows[row.id] = { name, value: firstProblem(attributeValueSchema, row.value) }
  }
  const hasType = draft.thingTypeName !== null
  const limit = maxAttributes(hasType)
  const overall =
    counted > limit
      ? hasType
        ? `A thing with a type can have at most ${limit} attributes`
        : `A thing without a type can have at most ${limit} attributes; choose a thing type to allow up to 50`
      : null
  return { rows, overall }
}

export function thingNameProblem(draft: PlanDraft): string | null {
  return firstProblem(thingNameSchema, draft.thingName)
}

export function deviceIsValid(draft: PlanDraft): boolean {
  const attributes = attributeProblems(draft)
  return (
    thingNameProblem(draft) === null && attributes.overall === null && Object.values(attributes.rows).every((r) => r.name === null && r.value === null)
  )
}

/** The policy step's problem other than the document's content (checked by the back end), or null. */
export function policyChoiceProblem(draft: PlanDraft): string | null {
  const policy = draft.policy
  switch (policy.mode) {
    case 'template':
      return policy.templatePolicyName === '' ? null : firstProblem(policyNameSchema, policy.templatePolicyName)
    case 'existing':
      return policy.existingPolicyName ? null : 'Choose a policy'
    case 'document':
      return firstProblem(policyNameSchema, policy.documentPolicyName) ?? (policy.document.trim() ? null : 'Write a policy document')
  }
}

export function groupsProblem(draft: PlanDraft): string | null {
  return draft.groups.length > maxGroupsPerThing ? `A thing can be in at most ${maxGroupsPerThing} groups` : null
}

/** The plan the draft describes, as plain data (it crosses a structured-clone boundary). */
export function planFromDraft(draft: PlanDraft): ProvisionPlanInput {
  const attributes = Object.fromEntries(draft.attributes.filter((row) => !isBlank(row)).map((row) => [row.name, row.value]))
  const identity = draft.identity
  const certificate: ProvisionPlanInput['certificate'] =
    identity.mode === 'csr'
      ? { mode: 'csr', keyAlgorithm: identity.keyAlgorithm }
      : identity.mode === 'aws'
        ? { mode: 'aws' }
        : { mode: 'existing', certificatePem: identity.certificatePem, keepPrivateKey: identity.holdsPrivateKey && identity.keepPrivateKey }
  const p = draft.policy
  const policy: ProvisionPlanInput['policy'] =
    p.mode === 'template'
      ? { mode: 'template', template: p.template, ...(p.templatePolicyName ? { policyName: p.templatePolicyName } : {}) }
      : p.mode === 'existing'
        ? { mode: 'existing', policyName: p.existingPolicyName ?? '' }
        : { mode: 'document', policyName: p.documentPolicyName, document: p.document }
  return {
    thingName: draft.thingName,
    ...(draft.thingTypeName ? { thingTypeName: draft.thingTypeName } : {}),
    attributes,
    groups: [...draft.groups],
    certificate,
    policy,
    addCertificateToExistingThing: draft.addCertificateToExistingThing
  }
}

/**
 * The name of the next device of a batch: the number at the end of the last name plus one, its zero
 * padding kept (lamp-0042 → lamp-0043, lamp-0099 → lamp-0100); a name without one becomes the
 * second of its series (lamp → lamp-2). Null when the result would break AWS's name rules.
 */
export function nextThingName(last: string): string | null {
  const [, stem = last, digits] = /^(.*?)(\d+)$/.exec(last) ?? []
  const next = digits === undefined ? `${last}-2` : `${stem}${(BigInt(digits) + 1n).toString().padStart(digits.length, '0')}`
  return firstProblem(thingNameSchema, next) === null ? next : null
}
