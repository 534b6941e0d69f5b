import { reactive, watch, type Ref } from 'vue'

/** Pause after the last keystroke before asking the back end (a check per keystroke would queue up). */
const settleMs = 250

/**
 * A policy document checked as it is written, with the grammar the Local IoT Core enforces (AWS's
 * words): `problem` is null when the document is fine; `checking` while an answer is awaited, when
 * the document must not be sent yet. An answer to an older text is dropped.
 */
export function useDocumentCheck(document: Ref<string>, check: (document: string) => Promise<string | null>) {
  const state = reactive({ checking: false, problem: null as string | null, checkedText: null as string | null })
  let request = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  async function run(text: string): Promise<void> {
    const mine = ++request
    const settle = (problem: string | null) => {
      if (mine !== request) return
      Object.assign(state, { checking: false, problem, checkedText: text })
    }
    if (!text.trim()) return settle('Write a policy document (MalformedPolicyException: the document is empty)')
    try {
      settle(await check(text))
    } catch (e) {
      settle(e instanceof Error ? e.message : String(e))
    }
  }

  watch(
    document,
    (text) => {
      state.checking = true
      clearTimeout(timer)
      timer = setTimeout(() => void run(text), settleMs)
    },
    { immediate: true }
  )

  return state
}
