import { ref, type Ref } from 'vue'

/**
 * A store action's "in progress" flag and its last error, kept together: `run` clears the error,
 * raises the flag, and records what the work throws instead of letting it escape (the view shows it
 * with its AWS error name). Two actions may share one error ref (a list and its row actions).
 */
export function trackedCall(error: Ref<unknown> = ref<unknown>(null)) {
  const pending = ref(false)
  async function run(work: () => Promise<void>): Promise<boolean> {
    pending.value = true
    error.value = null
    try {
      await work()
      return true
    } catch (e) {
      error.value = e
      return false
    } finally {
      pending.value = false
    }
  }
  return { pending, error, run }
}

/** Every item of a paged list call: follows nextToken until the last page (AWS's 250 a page). */
export async function allPages<T>(page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>): Promise<T[]> {
  const all: T[] = []
  let nextToken: string | undefined
  do {
    const answer = await page(nextToken)
    all.push(...answer.items)
    nextToken = answer.nextToken
  } while (nextToken)
  return all
}
