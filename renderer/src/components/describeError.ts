import { ApiError } from '@contract/bridge'

/** One line a person can read: AWS's (or ThingBench's) error name, then what went wrong. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.errorName}: ${error.message}`
  if (error instanceof Error) return error.message || error.name
  return String(error)
}
