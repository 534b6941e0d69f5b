import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { GroupDetails, GroupSummary } from '@contract/api'
import { useApi } from '../api/useApi'
import { trackedCall } from './support/trackedCall'

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

/** The names of a group's child groups (AWS refuses to delete a group that has any). */
export function childGroupNames(groups: readonly GroupSummary[], groupName: string): string[] {
  return groups.filter((g) => g.parentGroupName === groupName).map((g) => g.groupName).sort()
}

/** The Groups registry: every thing group, the selected one's members and policies; creating, deleting, membership, policies. */
export const useGroupsStore = defineStore('groups', () => {
  const api = useApi()

  const groups = ref<GroupSummary[]>([])
  const listing = trackedCall()
  const loaded = ref(false)
  const hierarchy = computed(() => groupHierarchy(groups.value))
  const selected = ref<GroupDetails | null>(null)
  const describing = trackedCall()
  const creation = trackedCall()
  // Deleting the group, adding or removing a member, attaching or detaching a policy: one error by the details.
  const change = trackedCall()

  function load(): Promise<boolean> {
    return listing.run(async () => {
      groups.value = await api.call('groups.list', {})
      loaded.value = true
    })
  }

  async function select(groupName: string | null): Promise<void> {
    selected.value = null
    describing.error.value = null
    if (!groupName) return
    await describing.run(async () => {
      selected.value = await api.call('groups.describe', { groupName })
    })
  }

  /** Creates a group (under a parent when given) and reloads the list. Returns whether it did. */
  function create(groupName: string, parentGroupName?: string, description?: string): Promise<boolean> {
    return creation.run(async () => {
      await api.call('groups.create', { groupName, parentGroupName: parentGroupName || undefined, description: description || undefined })
      await load()
    })
  }

  /** DeleteThingGroup; the list loses it (and the details close). Returns whether it was deleted. */
  function remove(groupName: string): Promise<boolean> {
    return change.run(async () => {
      await api.call('groups.delete', { groupName })
      groups.value = groups.value.filter((g) => g.groupName !== groupName)
      if (selected.value?.groupName === groupName) selected.value = null
    })
  }

  /** The selected group's details after a change to it: the answer describes it afresh. */
  function showChanged(updated: GroupDetails): void {
    if (!selected.value || selected.value.groupName === updated.groupName) selected.value = updated
  }
  const changeMembers = (method: 'groups.addThing' | 'groups.removeThing', groupName: string, thingName: string) =>
    change.run(async () => showChanged(await api.call(method, { groupName, thingName })))
  const changePolicies = (method: 'groups.attachPolicy' | 'groups.detachPolicy', groupName: string, policyName: string) =>
    change.run(async () => showChanged(await api.call(method, { groupName, policyName })))

  const addThing = (groupName: string, thingName: string) => changeMembers('groups.addThing', groupName, thingName)
  const removeThing = (groupName: string, thingName: string) => changeMembers('groups.removeThing', groupName, thingName)
  const attachPolicy = (groupName: string, policyName: string) => changePolicies('groups.attachPolicy', groupName, policyName)
  const detachPolicy = (groupName: string, policyName: string) => changePolicies('groups.detachPolicy', groupName, policyName)

  return {
    groups,
    loading: listing.pending,
    loaded,
    error: listing.error,
    hierarchy,
    selected,
    selectedLoading: describing.pending,
    selectedError: describing.error,
    creating: creation.pending,
    createError: creation.error,
    changing: change.pending,
    changeError: change.error,
    load,
    remove,
    addThing,
    removeThing,
    attachPolicy,
    detachPolicy,
    select,
    create
  }
})
