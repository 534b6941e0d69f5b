import type { JsonValue } from '../../contract'
import { csvField } from './csv'
import { leafPathName, type LeafPath } from './leafPaths'

// The CSV columns of a range, learnt while its rows are written: each state is walked once, along
// a tree of the paths seen so far (no path string built per leaf), its leaves filed by column.
// Columns are ordered as a spreadsheet user looks for them: desired's leaves, then reported's, each
// by name. Leaves are as forEachLeaf has them: an array is one leaf, an empty object none.

interface PathNode {
  children: Map<string, PathNode>
  /** The column of the leaf at this path, once one was seen here. */
  column?: number
}

export class LeafColumns {
  private readonly root: PathNode = { children: new Map() }
  private readonly paths: LeafPath[] = []
  /** Column numbers in the order they are written. */
  private order: number[] = []
  /** The current row's leaves by column number (reused row after row). */
  private readonly leaves: Array<JsonValue | undefined> = []

  /** How many columns are known. */
  get size(): number {
    return this.paths.length
  }

  /** The header's names of the leaf columns, in the order they are written. */
  names(): string[] {
    return this.order.map((column) => leafPathName(this.paths[column]!))
  }

  /**
   * Files the leaves of `state` for the next `cells` call, learning any path not seen before; true
   * when a column was added (rows already written lack it).
   */
  take(state: JsonValue): boolean {
    const before = this.paths.length
    this.walk(state, this.root, [])
    if (this.paths.length === before) return false
    const section = (path: LeafPath) => (path[0] === 'desired' ? 0 : 1)
    const names = this.paths.map(leafPathName)
    this.order = names.map((_, column) => column).sort((a, b) => section(this.paths[a]!) - section(this.paths[b]!) || (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0))
    return true
  }

  /** The leaf cells of the state last taken, CSV-quoted and joined, each after a comma; a column it lacks is empty. */
  cells(): string {
    let text = ''
    for (const column of this.order) {
      const leaf = this.leaves[column]
      text += leaf === undefined ? ',' : `,${csvField(cell(leaf))}`
      this.leaves[column] = undefined
    }
    return text
  }

  private walk(value: JsonValue, node: PathNode, path: string[]): void {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // A path that was a leaf in another version and is an object in this one: its JSON, not a blank.
      if (node.column !== undefined) this.leaves[node.column] = value
      for (const key in value) {
        let child = node.children.get(key)
        if (child === undefined) node.children.set(key, (child = { children: new Map() }))
        path.push(key)
        this.walk(value[key]!, child, path)
        path.pop()
      }
      return
    }
    if (node.column === undefined) {
      node.column = this.paths.length
      this.paths.push([...path])
    }
    this.leaves[node.column] = value
  }
}

/** A leaf as a spreadsheet reads it: text as is, numbers and booleans as written in JSON, an array or object as JSON, null as empty. */
function cell(value: JsonValue): string {
  if (value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
