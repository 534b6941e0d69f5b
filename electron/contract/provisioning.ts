import { z } from 'zod'
import {
  attributeNameSchema,
  attributeValueSchema,
  maxAttributes,
  maxGroupsPerThing,
  policyNameSchema,
  thingGroupNameSchema,
  thingNameSchema,
  thingTypeNameSchema
} from './awsRules'

export const keyAlgorithmSchema = z.enum(['ec', 'rsa2048', 'rsa3072'])
export type KeyAlgorithm = z.infer<typeof keyAlgorithmSchema>

export const certificateChoiceSchema = z.discriminatedUnion('mode', [
  /** Key pair made on this machine, CSR signed by AWS: the private key never leaves the machine. */
  z.object({ mode: z.literal('csr'), keyAlgorithm: keyAlgorithmSchema.default('ec') }),
  /** AWS generates the keys (CreateKeysAndCertificate); the private key is shown once and kept in the vault. */
  z.object({ mode: z.literal('aws') }),
  /**
   * A certificate the device already has, registered without a CA: the certificate blocks only (a
   * private key in the text is refused). Its key stays on the device, unless the file it came from
   * also held it and `keepPrivateKey` asks the back end to keep that key in the vault.
   */
  z.object({ mode: z.literal('existing'), certificatePem: z.string().min(1).max(65536), keepPrivateKey: z.boolean().default(false) })
])
export type CertificateChoice = z.infer<typeof certificateChoiceSchema>

export const policyTemplateSchema = z.enum(['shadow', 'shadow-jobs'])
export type PolicyTemplate = z.infer<typeof policyTemplateSchema>

export const policyChoiceSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  z.object({ mode: z.literal('existing'), policyName: policyNameSchema }),
  /** A least-privilege policy made from a template in resources/policies; reused if it already exists. */
  z.object({ mode: z.literal('template'), template: policyTemplateSchema, policyName: policyNameSchema.optional() }),
  /** A policy document written by the user. */
  z.object({ mode: z.literal('document'), policyName: policyNameSchema, document: z.string().min(1) })
])
export type PolicyChoice = z.infer<typeof policyChoiceSchema>

export const provisionPlanSchema = z
  .object({
    thingName: thingNameSchema,
    thingTypeName: thingTypeNameSchema.optional(),
    // Names are checked in superRefine: zod reports a bad record key only as "Invalid key".
    attributes: z.record(z.string(), attributeValueSchema).default({}),
    groups: z.array(thingGroupNameSchema).max(maxGroupsPerThing, `A thing can be in at most ${maxGroupsPerThing} groups`).default([]),
    certificate: certificateChoiceSchema.default({ mode: 'csr', keyAlgorithm: 'ec' }),
    policy: policyChoiceSchema.default({ mode: 'template', template: 'shadow' }),
    /**
     * The thing may already exist and gets one more certificate. Without it an existing thing name
     * is refused: a typo would otherwise give two devices one identity.
     */
    addCertificateToExistingThing: z.boolean().default(false)
  })
  .superRefine((plan, ctx) => {
    for (const name of Object.keys(plan.attributes)) {
      const problem = attributeNameSchema.safeParse(name)
      if (!problem.success) ctx.addIssue({ code: 'custom', path: ['attributes', name], message: problem.error.issues[0]!.message })
    }
    const limit = maxAttributes(plan.thingTypeName !== undefined)
    if (Object.keys(plan.attributes).length > limit)
      ctx.addIssue({
        code: 'custom',
        path: ['attributes'],
        message: plan.thingTypeName
          ? `A thing with a type can have at most ${limit} attributes`
          : `A thing without a type can have at most ${limit} attributes; give it a thing type to allow up to 50`
      })
    if (new Set(plan.groups).size !== plan.groups.length)
      ctx.addIssue({ code: 'custom', path: ['groups'], message: 'A group is listed twice' })
  })
export type ProvisionPlan = z.infer<typeof provisionPlanSchema>
export type ProvisionPlanInput = z.input<typeof provisionPlanSchema>

/** The steps of a provisioning run, in execution order. */
export const provisionStepSchema = z.enum([
  'generateKey',
  'createCertificate',
  'storeKey',
  'activateCertificate',
  'createThing',
  'createPolicy',
  'attachPolicy',
  'attachThingPrincipal',
  'addToGroups'
])
export type ProvisionStep = z.infer<typeof provisionStepSchema>

/** Streamed while a run executes and while a failed run is undone. */
export type ProvisionProgress =
  | { runId: string; phase: 'step'; step: ProvisionStep; status: 'started' | 'done' | 'skipped'; detail?: string }
  | { runId: string; phase: 'failed'; step: ProvisionStep; errorName: string; message: string }
  | { runId: string; phase: 'undo'; action: string; status: 'started' | 'done' | 'failed'; detail?: string }
  | { runId: string; phase: 'finished'; outcome: 'provisioned' | 'rolledBack' }

export interface ProvisionResult {
  runId: string
  thingName: string
  thingArn: string
  certificateId: string
  certificateArn: string
  certificatePem: string
  policyName?: string
  groups: string[]
  /** True when this machine holds the private key (in the vault); false for an existing device certificate whose key was not kept. */
  privateKeyInVault: boolean
  /** What was already there and reused instead of created. */
  reused: string[]
}

/** One AWS call a deprovision makes (or, in a dry run, would make). */
export interface PlannedCall {
  operation: string
  target: string
}
