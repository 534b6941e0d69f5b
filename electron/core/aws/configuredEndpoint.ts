import { booleanSelector, CONFIG_PREFIX_SEPARATOR, loadConfig, SelectorType } from '@smithy/core/config'

type Section = Record<string, string | undefined>

/**
 * The endpoint the AWS config names for a profile and a service, as the AWS CLI and SDK read it:
 * AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the profile's `services` section
 * (`<service> =` / `endpoint_url =`), then the profile's own `endpoint_url`; nothing when
 * `ignore_configured_endpoint_urls` (or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) is true.
 *
 * The SDK does this itself only for the profile in AWS_PROFILE, not for the `profile` a client is
 * given, so the app reads it per profile with the SDK's own config loader.
 * `serviceId` is the SDK's: 'IoT', 'IoT Data Plane'.
 */
export async function configuredEndpoint(profile: string, serviceId: string): Promise<string | undefined> {
  // ignoreCache: a technician may edit ~/.aws/config while the app is open.
  const configuration = { profile, ignoreCache: true }
  const ignore = await loadConfig<boolean>(
    {
      environmentVariableSelector: (env) => booleanSelector(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', SelectorType.ENV),
      configFileSelector: (section) => booleanSelector(section, 'ignore_configured_endpoint_urls', SelectorType.CONFIG),
      default: false
    },
    configuration
  )()
  if (ignore) return undefined
  const words = serviceId.split(' ')
  // The loader falls through to the default on any error in a selector, so a broken setting is
  // noted here and reported after it, rather than silently sending calls to AWS.
  let problem: string | undefined
  const endpoint = await loadConfig<string | undefined>(
    {
      environmentVariableSelector: (env) => env[['AWS_ENDPOINT_URL', ...words.map((w) => w.toUpperCase())].join('_')] || env.AWS_ENDPOINT_URL || undefined,
      configFileSelector: (section: Section, file?: Record<string, Section>) => {
        if (section.services) {
          const services = file?.[['services', section.services].join(CONFIG_PREFIX_SEPARATOR)]
          if (!services) {
            problem = `Profile ${profile} says services = ${section.services}, but the AWS config file has no [services ${section.services}] section: add the section or remove the setting`
            return undefined
          }
          const forService = services[[words.map((w) => w.toLowerCase()).join('_'), 'endpoint_url'].join(CONFIG_PREFIX_SEPARATOR)]
          if (forService) return forService
        }
        return section.endpoint_url || undefined
      },
      default: undefined
    },
    configuration
  )()
  if (problem) throw new Error(problem)
  return endpoint
}
