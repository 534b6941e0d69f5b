import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { MethodResult, ThingTypeSummary } from '@contract/api'
import { useApi } from '../api/useApi'
import { trackedCall } from './support/trackedCall'

/** The Thing types registry: every thing type, creating one, deprecating and undeprecating. */
export const useThingTypesStore = defineStore('thingTypes', () => {
  const api = useApi()

  const thingTypes = ref<ThingTypeSummary[]>([])
  const listing = trackedCall()
  const creation = trackedCall()
  // A failed deprecation is shown with the list it changes.
  const deprecation = trackedCall(listing.error)
  /** The thing type whose deprecation is being changed, if any. */
  const changing = ref<string | null>(null)

  const deletion = trackedCall()

  function load(): Promise<boolean> {
    return listing.run(async () => {
      thingTypes.value = await api.call('thingTypes.list', {})
    })
  }

  function create(thingTypeName: string, description: string, searchableAttributes: string[]): Promise<boolean> {
    return creation.run(async () => {
      // A plain copy: the caller's list may be a reactive proxy, which IPC cannot clone.
      const created = await api.call('thingTypes.create', { thingTypeName, description: description || undefined, searchableAttributes: [...searchableAttributes] })
      thingTypes.value = [...thingTypes.value.filter((t) => t.thingTypeName !== created.thingTypeName), created].sort((a, b) =>
        a.thingTypeName.localeCompare(b.thingTypeName)
      )
    })
  }

  /** Deprecates a thing type (no new things may use it), or undoes that. */
  async function setDeprecated(thingTypeName: string, deprecated: boolean): Promise<boolean> {
    changing.value = thingTypeName
    try {
      return await deprecation.run(async () => {
        const updated = await api.call('thingTypes.deprecate', { thingTypeName, undo: !deprecated })
        thingTypes.value = thingTypes.value.map((t) => (t.thingTypeName === thingTypeName ? updated : t))
      })
    } finally {
      changing.value = null
    }
  }

  /**
   * Deletes a thing type if AWS allows it now (deprecated at least 5 minutes ago); otherwise says why
   * and from when. Null when the call failed (the error is in deleteError).
   */
  async function remove(thingTypeName: string): Promise<MethodResult<'thingTypes.delete'> | null> {
    let answer: MethodResult<'thingTypes.delete'> | null = null
    changing.value = thingTypeName
    try {
      await deletion.run(async () => {
        answer = await api.call('thingTypes.delete', { thingTypeName })
        if (answer.deleted) thingTypes.value = thingTypes.value.filter((t) => t.thingTypeName !== thingTypeName)
      })
    } finally {
      changing.value = null
    }
    return answer
  }

  return {
    thingTypes,
    loading: listing.pending,
    error: listing.error,
    creating: creation.pending,
    createError: creation.error,
    changing,
    deleting: deletion.pending,
    deleteError: deletion.error,
    load,
    remove,
    create,
    setDeprecated
  }
})
