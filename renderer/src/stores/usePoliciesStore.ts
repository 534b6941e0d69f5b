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

/** AWS keeps at most five versions of a policy; a sixth needs one deleted first. */
export const maxPolicyVersions = 5

/** The version to delete to make room: the oldest that is not the default (AWS never deletes the default). */
export function oldestDeletableVersion(policy: PolicyDetails): string | null {
  const others = policy.versions.filter((v) => v.versionId !== policy.defaultVersionId).map((v) => v.versionId)
  return others.sort((a, b) => Number(a) - Number(b))[0] ?? null
}

/** The Policies registry: every policy, the selected one's versions and targets, version documents, new policies and versions. */
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
  // Creating a policy or a version, deleting a version: one at a time, one error to show by the editor.
  const editing = trackedCall()

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
      forgetDocuments(policyName)
    })
  }

  function forgetDocuments(policyName: string): void {
    for (const key of [...documents.keys()]) if (key.startsWith(`${policyName}\n`)) documents.delete(key)
  }

  /** CreatePolicy, then the new policy is listed and selected. Returns whether it was created. */
  function create(policyName: string, document: string): Promise<boolean> {
    return editing.run(async () => {
      const created = await api.call('policies.create', { policyName, document })
      policies.value = [...policies.value.filter((p) => p.policyName !== policyName), { policyName, policyArn: created.policyArn }].sort((a, b) =>
        a.policyName.localeCompare(b.policyName)
      )
      selected.value = created
    })
  }

  /**
   * CreatePolicyVersion. With `deleteVersionFirst`, that version is deleted before (what the user
   * chose when the policy already has five versions). Returns whether the version was created.
   */
  function createVersion(policyName: string, document: string, options: { setAsDefault: boolean; deleteVersionFirst?: string | null }): Promise<boolean> {
    return editing.run(async () => {
      if (options.deleteVersionFirst) selected.value = await api.call('policies.deleteVersion', { policyName, versionId: options.deleteVersionFirst })
      selected.value = await api.call('policies.createVersion', { policyName, document, setAsDefault: options.setAsDefault })
      forgetDocuments(policyName)
    })
  }

  function deleteVersion(policyName: string, versionId: string): Promise<boolean> {
    return editing.run(async () => {
      selected.value = await api.call('policies.deleteVersion', { policyName, versionId })
      forgetDocuments(policyName)
    })
  }

  /** The grammar the Local IoT Core enforces, AWS's words: null when the document is fine. */
  async function checkDocument(document: string): Promise<string | null> {
    return (await api.call('policies.checkDocument', { document })).problem
  }

  return {
    policies,
    loading: listing.pending,
    error: listing.error,
    selected,
    selectedLoading: describing.pending,
    selectedError: describing.error,
    settingDefault: defaultChange.pending,
    editing: editing.pending,
    editError: editing.error,
    load,
    create,
    createVersion,
    deleteVersion,
    checkDocument,
    select,
    versionDocument,
    setDefaultVersion
  }
})
