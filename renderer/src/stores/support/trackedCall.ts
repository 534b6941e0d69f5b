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

type Page<T> = (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>

/**
 * Every item of a paged list call: follows nextToken until the last page (AWS's 250 a page). With
 * `signal`, an abort stops before the next page and the items so far are returned.
 */
export async function allPages<T>(page: Page<T>, signal?: AbortSignal): Promise<T[]> {
  const all: T[] = []
  await eachPage(page, (items) => void all.push(...items), signal)
  return all
}

/** allPages without keeping the items: `onItems` takes each page as it comes (a long list stays out of memory). */
export async function eachPage<T>(page: Page<T>, onItems: (items: T[]) => void, signal?: AbortSignal): Promise<void> {
  let nextToken: string | undefined
  do {
    const answer = await page(nextToken)
    if (signal?.aborted) return
    onItems(answer.items)
    nextToken = answer.nextToken
  } while (nextToken)
}
