import type { ThingGroupRecord } from '../state/records'

// The static thing-group tree (research/iot-core.md §4.4): each group has at most one parent, set at
// creation. Built from a snapshot of all groups so one request sees one consistent tree.

export const MAX_HIERARCHY_DEPTH = 7
export const MAX_CHILD_GROUPS = 100

export class GroupTree {
  private readonly byName = new Map<string, ThingGroupRecord>()
  private readonly childrenByParent = new Map<string, ThingGroupRecord[]>()

  constructor(groups: ThingGroupRecord[]) {
    for (const group of groups) {
      this.byName.set(group.thingGroupName, group)
      if (group.parentGroupName === undefined) continue
      const siblings = this.childrenByParent.get(group.parentGroupName) ?? []
      siblings.push(group)
      this.childrenByParent.set(group.parentGroupName, siblings)
    }
  }

  get(name: string): ThingGroupRecord | undefined {
    return this.byName.get(name)
  }

  /** Ancestors from the root down to the direct parent; empty for a root group. */
  ancestors(name: string): ThingGroupRecord[] {
    const chain: ThingGroupRecord[] = []
    const seen = new Set<string>([name])
    let parentName = this.byName.get(name)?.parentGroupName
    while (parentName !== undefined && !seen.has(parentName)) {
      const parent = this.byName.get(parentName)
      if (!parent) break
      chain.unshift(parent)
      seen.add(parentName)
      parentName = parent.parentGroupName
    }
    return chain
  }

  /** 1 for a root group, 2 for its children, and so on. */
  depth(name: string): number {
    return this.ancestors(name).length + 1
  }

  rootName(name: string): string {
    return this.ancestors(name)[0]?.thingGroupName ?? name
  }

  children(name: string): ThingGroupRecord[] {
    return this.childrenByParent.get(name) ?? []
  }

  /** Every group below `name`, at any depth. */
  descendants(name: string): ThingGroupRecord[] {
    const found: ThingGroupRecord[] = []
    const queue = [name]
    const seen = new Set<string>(queue)
    while (queue.length > 0) {
      for (const child of this.children(queue.shift()!)) {
        if (seen.has(child.thingGroupName)) continue
        seen.add(child.thingGroupName)
        found.push(child)
        queue.push(child.thingGroupName)
      }
    }
    return found
  }

  roots(): ThingGroupRecord[] {
    return [...this.byName.values()].filter((group) => group.parentGroupName === undefined)
  }

  all(): ThingGroupRecord[] {
    return [...this.byName.values()]
  }
}
