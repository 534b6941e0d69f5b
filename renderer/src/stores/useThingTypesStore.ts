import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ThingTypeSummary } from '../../../electron/contract/api'
import { useApi } from '../api/useApi'

/** The Thing types registry: every thing type, creating one, deprecating and undeprecating. */
export const useThingTypesStore = defineStore('thingTypes', () => {
  const api = useApi()

  const thingTypes = ref<ThingTypeSummary[]>([])
  const loading = ref(false)
  const error = ref<unknown>(null)
  const creating = ref(false)
  const createError = ref<unknown>(null)
  /** The thing type whose deprecation is being changed, if any. */
  const changing = ref<string | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      thingTypes.value = await api.call('thingTypes.list', {})
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  async function create(thingTypeName: string, description: string, searchableAttributes: string[]): Promise<boolean> {
    creating.value = true
    createError.value = null
    try {
      // A plain copy: the caller's list may be a reactive proxy, which IPC cannot clone.
      const created = await api.call('thingTypes.create', { thingTypeName, description: description || undefined, searchableAttributes: [...searchableAttributes] })
      thingTypes.value = [...thingTypes.value.filter((t) => t.thingTypeName !== created.thingTypeName), created].sort((a, b) =>
        a.thingTypeName.localeCompare(b.thingTypeName)
      )
      return true
    } catch (e) {
      createError.value = e
      return false
    } finally {
      creating.value = false
    }
  }

  /** Deprecates a thing type (no new things may use it), or undoes that. */
  async function setDeprecated(thingTypeName: string, deprecated: boolean): Promise<boolean> {
    changing.value = thingTypeName
    error.value = null
    try {
      const updated = await api.call('thingTypes.deprecate', { thingTypeName, undo: !deprecated })
      thingTypes.value = thingTypes.value.map((t) => (t.thingTypeName === thingTypeName ? updated : t))
      return true
    } catch (e) {
      error.value = e
      return false
    } finally {
      changing.value = null
    }
  }

  return { thingTypes, loading, error, creating, createError, changing, load, create, setDeprecated }
})
