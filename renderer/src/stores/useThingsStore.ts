import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type { DeprovisionView, MethodResult, ThingDetails, ThingSummary } from '@contract/api'
import { useApi } from '../api/useApi'
import { readRemembered } from './support/remembered'
import { filterThings, type AttributeFilter, type ThingFilterCriteria } from './support/thingFilter'

export { filterThings } from './support/thingFilter'

/** AWS's largest page of ListThings. */
const pageSize = 250

/**
 * The Things registry: every thing of the active connection loaded page by page (cancellable),
 * filtered on the client, and the one thing whose details are open.
 */
export const useThingsStore = defineStore('things', () => {
  const api = useApi()

  // A shallowRef: 10,000 plain rows need no deep reactivity, only "the list changed".
  const things = shallowRef<ThingSummary[]>([])
  const loading = ref(false)
  const loadedCount = ref(0)
  /** True when the last load was cancelled before the last page: the list is incomplete. */
  const partial = ref(false)
  const error = ref<unknown>(null)
  let loadGeneration = 0

  const criteria = reactive({ search: '', thingTypeName: null as string | null, groupName: null as string | null, attributeName: null as string | null, attributeValue: '', attributeFilters: [] as AttributeFilter[] })
  const groupMembers = shallowRef<ReadonlySet<string> | null>(null)
  const groupMembersLoading = ref(false)

  const filtered = computed(() => {
    const wanted: ThingFilterCriteria = { ...criteria, groupMembers: criteria.groupName ? (groupMembers.value ?? new Set()) : null }
    return filterThings(things.value, wanted)
  })

  /** The thing types in use among the loaded things, for the type filter. */
  const thingTypeNames = computed(() => [...new Set(things.value.map((t) => t.thingTypeName).filter((n): n is string => !!n))].sort())

  async function load(): Promise<void> {
    const generation = ++loadGeneration
    loading.value = true
    partial.value = false
    loadedCount.value = 0
    error.value = null
    const collected: ThingSummary[] = []
    things.value = []
    try {
      let nextToken: string | undefined
      do {
        const page = await api.call('things.list', { maxResults: pageSize, nextToken })
        if (generation !== loadGeneration) return
        collected.push(...page.things)
        // Rows appear as pages arrive; a cancel keeps them.
        things.value = collected.slice()
        loadedCount.value = collected.length
        nextToken = page.nextToken
      } while (nextToken)
    } catch (e) {
      if (generation !== loadGeneration) return
      error.value = e
      partial.value = collected.length > 0
    } finally {
      if (generation === loadGeneration) loading.value = false
    }
  }

  /** Stops paging after the page in flight (AWS cannot abort a call); keeps what was loaded. */
  function cancelLoad(): void {
    if (!loading.value) return
    loadGeneration++
    loading.value = false
    partial.value = true
  }

  async function filterByGroup(groupName: string | null): Promise<void> {
    criteria.groupName = groupName
    groupMembers.value = null
    if (!groupName) return
    groupMembersLoading.value = true
    error.value = null
    try {
      const group = await api.call('groups.describe', { groupName })
      if (criteria.groupName === groupName) groupMembers.value = new Set(group.thingsIncludingSubgroups)
    } catch (e) {
      error.value = e
    } finally {
      groupMembersLoading.value = false
    }
  }

  // ---- the open thing -------------------------------------------------------------------------

  const details = ref<ThingDetails | null>(null)
  const detailsLoading = ref(false)
  const detailsError = ref<unknown>(null)
  const saving = ref(false)

  async function open(thingName: string): Promise<void> {
    details.value = null
    detailsLoading.value = true
    detailsError.value = null
    try {
      details.value = await api.call('things.describe', { thingName })
    } catch (e) {
      detailsError.value = e
    } finally {
      detailsLoading.value = false
    }
  }

  function close(): void {
    details.value = null
    detailsError.value = null
  }

  /** AWS's merge: listed attributes are set, `null` removes one, the others stay. Returns whether it saved. */
  async function updateAttributes(thingName: string, changes: Record<string, string | null>): Promise<boolean> {
    saving.value = true
    detailsError.value = null
    try {
      // A plain copy: the caller's object may be a reactive proxy, which IPC cannot clone.
      const updated = await api.call('things.updateAttributes', { thingName, attributes: { ...changes } })
      details.value = updated
      replaceRow(updated)
      return true
    } catch (e) {
      detailsError.value = e
      return false
    } finally {
      saving.value = false
    }
  }

  /** The calls deprovisioning would make (read calls only), or null when asking failed. */
  async function planDeprovision(thingName: string, deletePolicy: boolean): Promise<DeprovisionView | null> {
    detailsError.value = null
    try {
      return await api.call('things.deprovision', { thingName, deletePolicy, dryRun: true })
    } catch (e) {
      detailsError.value = e
      return null
    }
  }

  async function deprovision(thingName: string, deletePolicy: boolean): Promise<DeprovisionView | null> {
    saving.value = true
    detailsError.value = null
    try {
      const result = await api.call('things.deprovision', { thingName, deletePolicy, dryRun: false })
      things.value = things.value.filter((t) => t.thingName !== thingName)
      if (details.value?.thingName === thingName) details.value = null
      return result
    } catch (e) {
      detailsError.value = e
      return null
    } finally {
      saving.value = false
    }
  }

  const exporting = ref<string | null>(null)
  const exportError = ref<unknown>(null)

  /**
   * The AWS console's bundle again (certificate, private key from the vault, public key, root CA),
   * written by the back end to a folder it chooses or asks for. Null when it failed (see exportError).
   */
  async function exportBundle(thingName: string, certificateId: string): Promise<MethodResult<'provisioning.exportBundle'> | null> {
    exporting.value = certificateId
    exportError.value = null
    try {
      // Into the folder the user last chose for bundles (the provisioning wizard remembers it), if any.
      const folder = readRemembered('provisioning.exportFolder', '', (value: unknown): value is string => typeof value === 'string').trim()
      return await api.call('provisioning.exportBundle', { thingName, certificateId, ...(folder ? { folder } : {}) })
    } catch (e) {
      exportError.value = e
      return null
    } finally {
      exporting.value = null
    }
  }

  function replaceRow(updated: ThingSummary): void {
    const { thingName, thingArn, thingTypeName, attributes, version } = updated
    things.value = things.value.map((t) => (t.thingName === thingName ? { thingName, thingArn, thingTypeName, attributes, version } : t))
  }

  return {
    things,
    loading,
    loadedCount,
    partial,
    error,
    criteria,
    groupMembersLoading,
    filtered,
    thingTypeNames,
    load,
    cancelLoad,
    filterByGroup,
    details,
    detailsLoading,
    detailsError,
    saving,
    open,
    close,
    updateAttributes,
    planDeprovision,
    deprovision,
    exporting,
    exportError,
    exportBundle
  }
})
