import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { PolicyDetails, PolicySummary } from '../../../electron/contract/api'
import { useApi } from '../api/useApi'

export interface PolicyVersionDocument {
  versionId: string
  document: string
  isDefaultVersion: boolean
}

/** The Policies registry: every policy, the selected one's versions and targets, version documents. */
export const usePoliciesStore = defineStore('policies', () => {
  const api = useApi()

  const policies = ref<PolicySummary[]>([])
  const loading = ref(false)
  const error = ref<unknown>(null)

  const selected = ref<PolicyDetails | null>(null)
  const selectedLoading = ref(false)
  const selectedError = ref<unknown>(null)
  const settingDefault = ref(false)
  // Policy versions never change once created: fetched once per policy and version.
  const documents = new Map<string, PolicyVersionDocument>()

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const all: PolicySummary[] = []
      let nextToken: string | undefined
      do {
        const page = await api.call('policies.list', { maxResults: 250, nextToken })
        all.push(...page.policies)
        nextToken = page.nextToken
      } while (nextToken)
      policies.value = all
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  async function select(policyName: string | null): Promise<void> {
    selected.value = null
    selectedError.value = null
    if (!policyName) return
    selectedLoading.value = true
    try {
      selected.value = await api.call('policies.describe', { policyName })
    } catch (e) {
      selectedError.value = e
    } finally {
      selectedLoading.value = false
    }
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

  async function setDefaultVersion(policyName: string, versionId: string): Promise<boolean> {
    settingDefault.value = true
    selectedError.value = null
    try {
      selected.value = await api.call('policies.setDefaultVersion', { policyName, versionId })
      // Which version is the default changed: the cached flags are stale.
      for (const key of [...documents.keys()]) if (key.startsWith(`${policyName}\n`)) documents.delete(key)
      return true
    } catch (e) {
      selectedError.value = e
      return false
    } finally {
      settingDefault.value = false
    }
  }

  return { policies, loading, error, selected, selectedLoading, selectedError, settingDefault, load, select, versionDocument, setDefaultVersion }
})
