import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { PolicyDetails, PolicySummary } from '@contract/api'
import { useApi } from '../api/useApi'
import { allPages, trackedCall } from './support/trackedCall'

export interface PolicyVersionDocument {
  versionId: string
  document: string
  isDefaultVersion: boolean
}

/** The Policies registry: every policy, the selected one's versions and targets, version documents. */
export const usePoliciesStore = defineStore('policies', () => {
  const api = useApi()

  const policies = ref<PolicySummary[]>([])
  const listing = trackedCall()
  const selected = ref<PolicyDetails | null>(null)
  const describing = trackedCall()
  // A failed "set as default" is shown where the versions are.
  const defaultChange = trackedCall(describing.error)
  // Policy versions never change once created: fetched once per policy and version.
  const documents = new Map<string, PolicyVersionDocument>()

  function load(): Promise<boolean> {
    return listing.run(async () => {
      policies.value = await allPages(async (nextToken) => {
        const page = await api.call('policies.list', { maxResults: 250, nextToken })
        return { items: page.policies, nextToken: page.nextToken }
      })
    })
  }

  async function select(policyName: string | null): Promise<void> {
    selected.value = null
    describing.error.value = null
    if (!policyName) return
    await describing.run(async () => {
      selected.value = await api.call('policies.describe', { policyName })
    })
  }

  /** A version's document; throws the call's error (the caller shows it where it was asked for). */
  async function versionDocument(policyName: string, versionId: string): Promise<PolicyVersionDocument> {
    const key = `${policyName}\n${versionId}`
    const known = documents.get(key)
    if (known) return known
    const version = await api.call('policies.version', { policyName, versionId })
    documents.set(key, version)
    return version
  }

  function setDefaultVersion(policyName: string, versionId: string): Promise<boolean> {
    return defaultChange.run(async () => {
      selected.value = await api.call('policies.setDefaultVersion', { policyName, versionId })
      // Which version is the default changed: the cached flags are stale.
      for (const key of [...documents.keys()]) if (key.startsWith(`${policyName}\n`)) documents.delete(key)
    })
  }

  return {
    policies,
    loading: listing.pending,
    error: listing.error,
    selected,
    selectedLoading: describing.pending,
    selectedError: describing.error,
    settingDefault: defaultChange.pending,
    load,
    select,
    versionDocument,
    setDefaultVersion
  }
})
