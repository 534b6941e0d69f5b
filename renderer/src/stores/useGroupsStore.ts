import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { GroupDetails, GroupSummary } from '../../../electron/contract/api'
import { useApi } from '../api/useApi'

/** A thing group with its child groups, for trees. */
export interface GroupNode {
  groupName: string
  children: GroupNode[]
}

/** Arranges groups under their parents; a group whose parent is unknown becomes a root. Sorted by name. */
export function groupHierarchy(groups: readonly GroupSummary[]): GroupNode[] {
  const nodes = new Map<string, GroupNode>(groups.map((g) => [g.groupName, { groupName: g.groupName, children: [] }]))
  const roots: GroupNode[] = []
  for (const group of groups) {
    const node = nodes.get(group.groupName)!
    const parent = group.parentGroupName ? nodes.get(group.parentGroupName) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  const sort = (list: GroupNode[]): GroupNode[] => {
    list.sort((a, b) => a.groupName.localeCompare(b.groupName))
    for (const node of list) sort(node.children)
    return list
  }
  return sort(roots)
}

/** The Groups registry: every thing group, the selected one's members and policies, and creating one. */
export const useGroupsStore = defineStore('groups', () => {
  const api = useApi()

  const groups = ref<GroupSummary[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<unknown>(null)
  const hierarchy = computed(() => groupHierarchy(groups.value))

  const selected = ref<GroupDetails | null>(null)
  const selectedLoading = ref(false)
  const selectedError = ref<unknown>(null)

  const creating = ref(false)
  const createError = ref<unknown>(null)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      groups.value = await api.call('groups.list', {})
      loaded.value = true
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  async function select(groupName: string | null): Promise<void> {
    selected.value = null
    selectedError.value = null
    if (!groupName) return
    selectedLoading.value = true
    try {
      const details = await api.call('groups.describe', { groupName })
      selected.value = details
    } catch (e) {
      selectedError.value = e
    } finally {
      selectedLoading.value = false
    }
  }

  /** Creates a group (under a parent when given) and reloads the list. Returns whether it did. */
  async function create(groupName: string, parentGroupName?: string, description?: string): Promise<boolean> {
    creating.value = true
    createError.value = null
    try {
      await api.call('groups.create', { groupName, parentGroupName: parentGroupName || undefined, description: description || undefined })
      await load()
      return true
    } catch (e) {
      createError.value = e
      return false
    } finally {
      creating.value = false
    }
  }

  return { groups, loading, loaded, error, hierarchy, selected, selectedLoading, selectedError, creating, createError, load, select, create }
})
