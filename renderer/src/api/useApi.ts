import { hasInjectionContext, inject, type App, type InjectionKey } from 'vue'
import type { ApiClient } from '@contract/bridge'

// The contract client is provided to the app (main.ts provides the real one; tests provide a
// client on a real back end in-process), so stores and components never reach for a singleton.

export const apiKey: InjectionKey<ApiClient> = Symbol('thingbench.api')

/** A Vue plugin: `app.use(apiPlugin(api))`. */
export function apiPlugin(client: ApiClient): { install(app: App): void } {
  return { install: (app) => void app.provide(apiKey, client) }
}

/** The app's contract client. Call it in a component's or a setup store's setup, not later. */
export function useApi(): ApiClient {
  const client = hasInjectionContext() ? inject(apiKey, null) : null
  if (!client) throw new Error('No ThingBench API client: install it with app.use(apiPlugin(api)) before using stores or views')
  return client
}
