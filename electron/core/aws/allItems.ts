/**
 * Every item of a paged AWS list, read through the SDK's own paginator (`paginateListThings` and
 * the like, which follow nextToken or nextMarker as each API names it), in AWS's order.
 */
export async function allItems<Page, Item>(pages: AsyncIterable<Page>, itemsOf: (page: Page) => Item[] | undefined): Promise<Item[]> {
  const all: Item[] = []
  for await (const page of pages) all.push(...(itemsOf(page) ?? []))
  return all
}
