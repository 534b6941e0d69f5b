import { z } from 'zod'
import { policyNameSchema, thingGroupNameSchema } from './awsRules'
import { serialPathSchema, wifiSettingsSchema } from './serial'

// One-flow onboarding of a module that brings its own identity (ExpressLink, research §12.2).

/** onboarding.expressLink's argument: the port the module is on; the policy and group are optional. */
export const expressLinkOnboardingArgsSchema = z
  .object({
    portPath: serialPathSchema,
    /** Attached as it is when it exists; else made from the shadow-jobs template under this name. */
    policyName: policyNameSchema.optional(),
    thingGroup: thingGroupNameSchema.optional(),
    /** For a Wi-Fi module: the network it joins before it connects. Absent: the module keeps its own. */
    wifi: wifiSettingsSchema.optional(),
    runId: z.uuid().optional()
  })
  .strict()
export type ExpressLinkOnboardingArgs = z.infer<typeof expressLinkOnboardingArgsSchema>

/** The one policy all onboarded modules share when none is named: the template names the thing by policy variable. */
export const defaultExpressLinkPolicyName = 'ThingBench-ExpressLink'

export const onboardingSteps = [
  'identify',
  'readCertificate',
  'registerCertificate',
  'createThing',
  'attachThing',
  'createPolicy',
  'attachPolicy',
  'addToGroup',
  'setEndpoint',
  'setWifi',
  'connect',
  'verifyShadow'
] as const
export type OnboardingStep = (typeof onboardingSteps)[number]

/** Streamed as onboarding.progress while the flow runs and while a failed flow is undone. */
export type OnboardingProgress =
  | { runId: string; phase: 'step'; step: OnboardingStep; status: 'started' | 'done' | 'skipped'; detail?: string }
  | { runId: string; phase: 'failed'; step: OnboardingStep; errorName: string; message: string }
  | { runId: string; phase: 'undo'; action: string; status: 'started' | 'done' | 'failed'; detail?: string }
  | { runId: string; phase: 'finished'; outcome: 'onboarded' | 'rolledBack' }

export interface ExpressLinkOnboardingResult {
  runId: string
  thingName: string
  certificateId: string
  certificateArn: string
  policyName: string
  thingGroup?: string
  endpoint: string
  /** The Wi-Fi network set on the module by this run (the passphrase is not given back). */
  wifiSsid?: string
  /** What existed before and was used as it was (never undone). */
  reused: string[]
  /** The shadow document the module read back after its update. */
  shadow: unknown
  /** Milliseconds spent waiting on the module's AT answers. */
  moduleMs: number
}
