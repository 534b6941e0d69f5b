import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, type Router } from 'vue-router'
import type { ApiClient } from '../../../../electron/contract/bridge'
import App from '../../../../renderer/src/App.vue'
import { apiPlugin } from '../../../../renderer/src/api/useApi'
import { createAppRouter } from '../../../../renderer/src/router'

export interface MountedApp {
  wrapper: VueWrapper
  router: Router
  /** Lets pending calls, lazy routes and re-renders settle. */
  settle(): Promise<void>
  /** Waits until `find()` returns something (a call to the real back end may take a while). */
  waitFor<T>(find: () => T | null | undefined | false, what: string, timeoutMs?: number): Promise<T>
  /** The element with this data-testid, or throws naming it. */
  byTestId(testId: string): HTMLElement
  unmount(): void
}

/** The whole app as main.ts builds it — a fresh Pinia, the router, the given contract client — at `path`. */
export async function mountApp(api: ApiClient, path = '/provision'): Promise<MountedApp> {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  const host = document.createElement('div')
  document.body.appendChild(host)
  const wrapper = mount(App, { attachTo: host, global: { plugins: [apiPlugin(api), pinia, router] } })
  await router.isReady()

  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await flushPromises()
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
  }
  const waitFor = async <T>(find: () => T | null | undefined | false, what: string, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = find()
      if (found) return found
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
      await settle()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const byTestId = (testId: string): HTMLElement => {
    const found = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`)
    if (!found) throw new Error(`No element with data-testid="${testId}"`)
    return found
  }
  await settle()
  return {
    wrapper,
    router,
    settle,
    waitFor,
    byTestId,
    unmount: () => {
      wrapper.unmount()
      host.remove()
    }
  }
}
