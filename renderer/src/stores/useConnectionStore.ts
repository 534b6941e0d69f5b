import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref } from 'vue'
import type { ConnectionChoice } from '@contract/api'
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

  return { choices, active, activeId, loading, switching, error, load, select, addEndpoint }
})
