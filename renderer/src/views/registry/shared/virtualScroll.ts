/**
 * Tables switch to virtual scrolling from this many rows: 10,000 rows stay smooth, while a short
 * list keeps every row in the page, where the browser's find (Ctrl+F) and screen readers see them.
 */
export const virtualScrollFrom = 50

export const needsVirtualScroll = (rows: readonly unknown[]): boolean => rows.length > virtualScrollFrom
