import { createApp } from 'vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import type { ApiClient } from '../../../../electron/contract/bridge'
import { apiPlugin } from '../../../../renderer/src/api/useApi'

/** A fresh Pinia inside an app that provides `api`, as main.ts does: stores reach the back end through it. */
export function freshPinia(api: ApiClient): Pinia {
  const app = createApp({})
  const pinia = createPinia()
  app.use(pinia)
  app.use(apiPlugin(api))
  setActivePinia(pinia)
  return pinia
}
