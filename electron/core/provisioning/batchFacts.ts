/**
 * Read-only answers shared by the runs of one batch (a CSV, "provision the next device"): every
 * device of a batch names the same groups, type and policy, and asking AWS again for each is most
 * of a run's checks. Only things found are remembered, for a short time; a failed run forgets all,
 * so the next one checks afresh. A group deleted meanwhile makes a run fail at its write and undo.
 */
export class BatchFacts {
  private readonly found = new Map<string, { at: number; value: unknown }>()

  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now
  ) {}

  /** The remembered answer for `key`, or `load()`'s, remembered when it is not undefined. */
  async read<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = this.found.get(key)
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value as T
    const value = await load()
    if (value !== undefined) this.found.set(key, { at: this.now(), value })
    else this.found.delete(key)
    return value
  }

  forget(): void {
    this.found.clear()
  }
}
