// The shadow kill test's workload, shared by the child that runs it (shadowCrashDriver.ts) and the
// test that checks what survived (test/integration/sandbox/shadowCrash.test.ts). Every update of a
// shadow is a pure function of the version it creates, so the state a version must have is known.

export interface CrashShadow {
  thingName: string
  shadowName?: string
}

/** Classic and named shadows on two things, updated side by side so a kill finds several in flight. */
export const CRASH_SHADOWS: readonly CrashShadow[] = [
  { thingName: 'crash-lamp' },
  { thingName: 'crash-lamp', shadowName: 'config' },
  { thingName: 'crash-pump' },
  { thingName: 'crash-pump', shadowName: 'telemetry' }
]

export function crashShadowLabel(shadow: CrashShadow): string {
  return shadow.shadowName === undefined ? shadow.thingName : `${shadow.thingName}/${shadow.shadowName}`
}

/** The `reported` patch of the update that takes a shadow to `version`: one key always, one of four slots, padding of varying size. */
export function reportedPatchFor(version: number): Record<string, unknown> {
  return { v: version, [`slot${version % 4}`]: version, pad: 'x'.repeat((version * 37) % 400) }
}

/** The state a shadow must have at `version`: every patch up to it, merged in order. */
export function expectedStateAt(version: number): Record<string, unknown> {
  const reported: Record<string, unknown> = {}
  for (let v = 1; v <= version; v++) Object.assign(reported, reportedPatchFor(v))
  return { reported }
}
