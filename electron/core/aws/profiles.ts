import { loadSharedConfigFiles } from '@smithy/core/config'

export interface AwsProfile {
  name: string
  region?: string
  /** Signs in through IAM Identity Center (`aws sso login --profile <name>`). */
  sso: boolean
}

type Section = Record<string, string | undefined>

// Sections of ~/.aws/config that are not profiles keep their "<type>." prefix after parsing.
const nonProfilePrefixes = ['sso-session.', 'services.']

/**
 * The profiles in ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE), read with the same parser the AWS SDK uses. Sorted by name,
 * 'default' first.
 */
export async function listAwsProfiles(): Promise<AwsProfile[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true })
  const names = new Set<string>()
  for (const name of Object.keys(configFile)) if (!nonProfilePrefixes.some((prefix) => name.startsWith(prefix))) names.add(name)
  for (const name of Object.keys(credentialsFile)) names.add(name)
  return [...names]
    .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)))
    .map((name) => {
      const config: Section = configFile[name] ?? {}
      const credentials: Section = credentialsFile[name] ?? {}
      const region = config.region ?? credentials.region
      const sso = Boolean(config.sso_session ?? config.sso_start_url ?? config.sso_account_id)
      return { name, ...(region ? { region } : {}), sso }
    })
}

/** The region a profile names in ~/.aws/config (or, less usually, ~/.aws/credentials), if any. */
export async function profileRegion(profile: string): Promise<string | undefined> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true })
  return configFile[profile]?.region ?? credentialsFile[profile]?.region
}

/**
 * The region calls with a profile go to, the one rule for the app, the CLI and the UI: the region
 * chosen for it, else the one the profile names, else AWS_REGION, else AWS_DEFAULT_REGION.
 * The profile's own region comes before the environment's because the UI shows it beside the
 * profile's name when the person chooses it.
 */
export async function regionForProfile(profile: string, chosen: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return chosen ?? (await profileRegion(profile)) ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined)
}
