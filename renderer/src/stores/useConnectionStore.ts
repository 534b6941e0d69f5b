import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref } from 'vue'
import type { ConnectionCheckView, ConnectionChoice, LocalCoreDetails } from '@contract/api'
import { useApi } from '../api/useApi'

/** Where the app's AWS calls go: the choices (Local IoT Core, AWS profiles) and the active one. */
export const useConnectionStore = defineStore('connection', () => {
  const api = useApi()
  const choices = ref<ConnectionChoice[]>([])
  const active = ref<ConnectionChoice | null>(null)
  const loading = ref(false)
  const switching = ref(false)
  const error = ref<unknown>(null)

  // Another window (or the menu) may switch the connection: follow it.
  const stopListening = api.on('connections.changed', (choice) => {
    active.value = choice
  })
  onScopeDispose(stopListening)

  const activeId = computed(() => active.value?.id ?? null)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const listed = await api.call('connections.list', {})
      choices.value = listed.choices
      active.value = listed.active
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  async function select(id: string): Promise<void> {
    const choice = choices.value.find((c) => c.id === id)
    if (!choice || id === activeId.value) return
    switching.value = true
    error.value = null
    try {
      // By id: the back end signs requests only for the connections it offers.
      active.value = await api.call('connections.select', { id: choice.id })
    } catch (e) {
      error.value = e
    } finally {
      switching.value = false
    }
  }

  /**
   * Asks the back end to save a custom endpoint; the app itself asks the person to confirm its URL
   * (browser mode refuses, naming the CLI command). True when it was added.
   */
  async function addEndpoint(url: string, region: string): Promise<boolean> {
    error.value = null
    try {
      const answer = await api.call('connections.addEndpoint', { url, region })
      if ('cancelled' in answer) return false
      await load()
      return true
    } catch (e) {
      error.value = e
      return false
    }
  }

  /** Per connection id: its MQTT data endpoint (iot:Data-ATS), or why it could not be found. */
  const dataEndpoints = ref<Record<string, { host: string; port: number } | { error: unknown }>>({})
  /** Per connection id: the last "Test connection", running or done. */
  const tests = ref<Record<string, { running: boolean; checks: ConnectionCheckView[]; error: unknown }>>({})
  const localCore = ref<LocalCoreDetails | null>(null)
  const localCoreError = ref<unknown>(null)

  async function loadDataEndpoint(id: string): Promise<void> {
    try {
      dataEndpoints.value = { ...dataEndpoints.value, [id]: await api.call('connections.dataEndpoint', { id }) }
    } catch (e) {
      dataEndpoints.value = { ...dataEndpoints.value, [id]: { error: e } }
    }
  }

  async function test(id: string): Promise<void> {
    tests.value = { ...tests.value, [id]: { running: true, checks: [], error: null } }
    try {
      const { checks } = await api.call('connections.test', { id })
      tests.value = { ...tests.value, [id]: { running: false, checks, error: null } }
    } catch (e) {
      tests.value = { ...tests.value, [id]: { running: false, checks: [], error: e } }
    }
  }

  async function loadLocalCore(): Promise<void> {
    localCoreError.value = null
    try {
      localCore.value = await api.call('connections.localCore', {})
    } catch (e) {
      localCoreError.value = e
    }
  }

  return {
    choices,
    active,
    activeId,
    loading,
    switching,
    error,
    dataEndpoints,
    tests,
    localCore,
    localCoreError,
    load,
    select,
    addEndpoint,
    loadDataEndpoint,
    test,
    loadLocalCore
  }
})
