import { mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writeFileAtomic } from '../../shared/atomicFile'

// What the user told ThingBench about ports, kept in the app home: friendly names by port identity
// (a USB serial number when there is one, since paths move between plugs) and the watched paths.

export interface PortMemory {
  names: Record<string, string>
  watchedPaths: string[]
}

export class PortNames {
  private memory: PortMemory = { names: {}, watchedPaths: [] }
  private writing: Promise<void> = Promise.resolve()

  private constructor(private readonly file: string) {}

  static async open(file: string): Promise<PortNames> {
    const store = new PortNames(file)
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<PortMemory>
      store.memory = {
        names: typeof parsed.names === 'object' && parsed.names !== null ? Object.fromEntries(Object.entries(parsed.names).filter(([, v]) => typeof v === 'string')) : {},
        watchedPaths: Array.isArray(parsed.watchedPaths) ? parsed.watchedPaths.filter((p): p is string => typeof p === 'string') : []
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} could not be read (${(error as Error).message}): fix or delete it`)
    }
    return store
  }

  nameOf(key: string): string | undefined {
    return this.memory.names[key]
  }

  get watchedPaths(): readonly string[] {
    return this.memory.watchedPaths
  }

  /** An empty name forgets the port's name. */
  async rename(key: string, name: string): Promise<void> {
    await this.save((memory) => {
      const names = { ...memory.names }
      if (name === '') delete names[key]
      else names[key] = name
      return { ...memory, names }
    })
  }

  async changeWatched(change: (paths: readonly string[]) => string[]): Promise<void> {
    await this.save((memory) => ({ ...memory, watchedPaths: change(memory.watchedPaths) }))
  }

  /** Saves one after the other; the memory changes only once the file holds it. */
  private save(change: (memory: PortMemory) => PortMemory): Promise<void> {
    const write = this.writing.then(async () => {
      const next = change(this.memory)
      await mkdir(dirname(this.file), { recursive: true })
      await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`)
      this.memory = next
    })
    this.writing = write.catch(() => undefined)
    return write
  }
}
