/** Every item of a paged AWS list: `fetch` gets the previous page's token and returns its items and the next token. */
export async function allPages<T>(fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>): Promise<T[]> {
  const all: T[] = []
  let token: string | undefined
  do {
    const page = await fetch(token)
    all.push(...(page.items ?? []))
    token = page.next
  } while (token)
  return all
}

/** Maps over items with at most `limit` calls in flight, keeping the order: AWS throttles bursts. */
export async function mapLimited<T, R>(items: T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await map(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** An optional Date from AWS as the ISO text both transports carry. */
export const isoDate = (date: Date | undefined): string | undefined => (date ? date.toISOString() : undefined)
